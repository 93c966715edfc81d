using System.ComponentModel;
using System.Diagnostics;
using Hydra.Core.IO;

namespace Hydra.Core.Nix;

/// <summary>
/// The output of <c>TOOL -dc</c> (zstd, xz, bzip2) fed from a compressed stream, read as it comes: nothing is buffered
/// whole. The end of the output is checked against the tool's exit code, so corrupt input ends in a
/// <see cref="FormatException"/> rather than a short read. Disposing stops the tool and disposes the input.
/// </summary>
internal sealed class DecoderProcessStream : ReadOnlyStream
{
    private const int BufferSize = 64 * 1024;
    private readonly Process _process;
    private readonly Stream _input;
    private readonly Task _feed;
    private readonly Task<string> _errors;
    private readonly string _tool;
    private bool _disposed;

    private DecoderProcessStream(string tool, Process process, Stream input)
    {
        _tool = tool;
        _process = process;
        _input = input;
        _feed = FeedAsync(input, process.StandardInput.BaseStream);
        _errors = process.StandardError.ReadToEndAsync();
    }

    /// <exception cref="FormatException">The tool cannot be started.</exception>
    public static DecoderProcessStream Start(string tool, Stream compressed)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.ArgumentList.Add("-dc");
        try
        {
            return new DecoderProcessStream(tool, Process.Start(start)!, compressed);
        }
        catch (Win32Exception exception)
        {
            throw new FormatException($"The NAR is compressed with {tool}, but the '{tool}' tool cannot be started: {exception.Message}", exception);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await _process.StandardOutput.BaseStream.ReadAsync(buffer, cancellationToken);
        if (read == 0 && buffer.Length > 0)
        {
            await _process.WaitForExitAsync(cancellationToken);
            if (_process.ExitCode != 0)
            {
                throw new FormatException($"The {_tool} data is corrupt: {(await _errors).Trim()}");
            }
        }
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask DisposeAsync()
    {
        await CleanUpAsync();
        GC.SuppressFinalize(this);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            CleanUpAsync().AsTask().GetAwaiter().GetResult();
        }
        base.Dispose(disposing);
    }

    private async ValueTask CleanUpAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }
        await _feed.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await ((Task)_errors).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _process.Dispose();
        await _input.DisposeAsync();
    }

    private static async Task FeedAsync(Stream source, Stream stdin)
    {
        try
        {
            await source.CopyToAsync(stdin, BufferSize);
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException or HttpRequestException)
        {
            // The tool stopped reading (it failed, or we stopped it), or the source broke off: the exit code or a short NAR tells.
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
}
