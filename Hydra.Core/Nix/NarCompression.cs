using System.ComponentModel;
using System.Diagnostics;
using System.IO.Compression;

namespace Hydra.Core.Nix;

/// <summary>
/// Undoes the compression a binary cache applied to a NAR file (narinfo <c>Compression</c>), in
/// memory and with a cap on the output. zstd (what the farm's builders upload) and brotli are
/// decoded in-process; xz and bzip2 by the <c>xz</c> and <c>bzip2</c> tools, which Nix's package
/// depends on.
/// </summary>
public static class NarCompression
{
    /// <summary>The compressions <see cref="DecompressAsync"/> reads.</summary>
    public static readonly IReadOnlyList<string> Supported = ["none", "zstd", "xz", "bzip2", "br"];

    private const int BufferSize = 64 * 1024;

    /// <summary>
    /// The NAR in <paramref name="compressed"/> as a stream decompressed while it is read (never buffered whole); disposing
    /// it disposes <paramref name="compressed"/>. brotli is decoded in-process, zstd, xz and bzip2 by their tools.
    /// </summary>
    /// <exception cref="FormatException">The compression is unknown (reading: the data is corrupt).</exception>
    public static Stream OpenRead(Stream compressed, string? compression) =>
        (string.IsNullOrEmpty(compression) ? "none" : compression) switch
        {
            "none" => compressed,
            "br" => new BrotliStream(compressed, CompressionMode.Decompress, leaveOpen: false),
            "zstd" or "xz" or "bzip2" => DecoderProcessStream.Start(compression!, compressed),
            _ => throw new FormatException($"The NAR is compressed with '{compression}'; this server reads {string.Join(", ", Supported)}."),
        };

    /// <summary>The NAR in <paramref name="compressed"/>; more than <paramref name="maxBytes"/> of NAR is refused.</summary>
    /// <exception cref="FormatException">
    /// The compression is unknown, the data is corrupt, or it holds more than <paramref name="maxBytes"/>.
    /// </exception>
    public static async Task<byte[]> DecompressAsync(Stream compressed, string? compression, long maxBytes, CancellationToken cancellationToken)
    {
        switch (string.IsNullOrEmpty(compression) ? "none" : compression)
        {
            case "none":
                return await ReadCappedAsync(compressed, maxBytes, cancellationToken);
            case "zstd":
                // Compressed data larger than twice the cap cannot decompress to less than the cap.
                return ZstdDecoder.Decompress(await ReadCappedAsync(compressed, 2 * maxBytes, cancellationToken), maxBytes);
            case "br":
                try
                {
                    await using var brotli = new BrotliStream(compressed, CompressionMode.Decompress, leaveOpen: true);
                    return await ReadCappedAsync(brotli, maxBytes, cancellationToken);
                }
                catch (InvalidDataException exception)
                {
                    throw new FormatException($"The brotli data is corrupt: {exception.Message}", exception);
                }
            case "xz" or "bzip2":
                return await RunDecoderAsync(compression!, compressed, maxBytes, cancellationToken);
            default:
                throw new FormatException($"The NAR is compressed with '{compression}'; this server reads {string.Join(", ", Supported)}.");
        }
    }

    /// <summary>Pipes the data through <c>TOOL -dc</c>, feeding its input while reading its output.</summary>
    private static async Task<byte[]> RunDecoderAsync(string tool, Stream compressed, long maxBytes, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.ArgumentList.Add("-dc");
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception exception)
        {
            throw new FormatException($"The NAR is compressed with {tool}, but the '{tool}' tool cannot be started: {exception.Message}", exception);
        }
        using (process)
        {
            var feed = FeedAsync(compressed, process.StandardInput.BaseStream, cancellationToken);
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            try
            {
                var output = await ReadCappedAsync(process.StandardOutput.BaseStream, maxBytes, cancellationToken);
                await process.WaitForExitAsync(cancellationToken);
                await feed;
                return process.ExitCode == 0
                    ? output
                    : throw new FormatException($"The {tool} data is corrupt: {(await errors).Trim()}");
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync(CancellationToken.None);
                }
                await feed.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                await ((Task)errors).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private static async Task FeedAsync(Stream source, Stream stdin, CancellationToken cancellationToken)
    {
        try
        {
            await source.CopyToAsync(stdin, BufferSize, cancellationToken);
        }
        catch (IOException)
        {
            // The tool stopped reading (it failed, or we stopped it); its exit code tells why.
        }
        finally
        {
            try
            {
                await stdin.DisposeAsync();
            }
            catch (IOException)
            {
                // Closing a pipe the tool already closed.
            }
        }
    }

    private static async Task<byte[]> ReadCappedAsync(Stream source, long maxBytes, CancellationToken cancellationToken)
    {
        using var result = new MemoryStream();
        var buffer = new byte[BufferSize];
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (result.Length + read > maxBytes)
            {
                throw new FormatException($"The NAR is larger than {maxBytes} bytes.");
            }
            result.Write(buffer, 0, read);
        }
        return result.ToArray();
    }
}
