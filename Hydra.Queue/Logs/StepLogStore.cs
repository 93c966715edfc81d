using System.IO.Compression;
using System.Text;
using Hydra.Core;
using Microsoft.Extensions.Options;

namespace Hydra.Queue.Logs;

/// <summary>
/// The durable log of a step: a plain file (<see cref="HydraOptions.StepLogPath"/>) that workers append to while
/// the step runs, compressed with Brotli into <c>&lt;step&gt;.log.br</c> when the step ends. Readers get the
/// compressed part followed by the plain part, so a step that runs again later (a restart) appends to a new
/// plain file after its compressed history, and the next compression merges the two.
/// </summary>
public sealed class StepLogStore(IOptions<HydraOptions> options)
{
    /// <summary>How far from the end of a plain log to look for its tail; enough for a few hundred ordinary lines.</summary>
    private const int PlainTailBytes = 256 * 1024;

    /// <summary>Brotli 5: about as fast as gzip's default and much smaller on build logs.</summary>
    private static readonly BrotliCompressionOptions Compression = new() { Quality = 5 };

    public string PlainPath(long stepId) => options.Value.StepLogPath(stepId);

    public string CompressedPath(long stepId) => options.Value.StepLogPath(stepId) + ".br";

    public bool Exists(long stepId) => File.Exists(PlainPath(stepId)) || File.Exists(CompressedPath(stepId));

    /// <summary>The whole log as text bytes (decompressed), or null when the step has none yet.</summary>
    public Stream? OpenRead(long stepId)
    {
        var parts = new List<Stream>();
        if (TryOpen(CompressedPath(stepId)) is { } compressed)
        {
            parts.Add(new BrotliStream(compressed, CompressionMode.Decompress));
        }

        if (TryOpen(PlainPath(stepId)) is { } plain)
        {
            parts.Add(plain);
        }

        return parts.Count == 0 ? null : new ConcatenatedStream(parts);
    }

    /// <summary>
    /// The log from byte <paramref name="offset"/> of the whole text on, or null when the step has no log yet: what a
    /// follower reads after it has seen <paramref name="offset"/> bytes. A live log (plain file only) is a seek; a
    /// compressed history has to be decompressed up to the offset.
    /// </summary>
    public async Task<Stream?> OpenReadFromAsync(long stepId, long offset, CancellationToken cancellationToken)
    {
        if (!File.Exists(CompressedPath(stepId)) && TryOpen(PlainPath(stepId)) is { } plain)
        {
            plain.Seek(Math.Min(offset, plain.Length), SeekOrigin.Begin);
            return plain;
        }

        var stream = OpenRead(stepId);
        if (stream is null)
        {
            return null;
        }
        var skip = new byte[64 * 1024];
        for (var left = offset; left > 0;)
        {
            var read = await stream.ReadAsync(skip.AsMemory(0, (int)Math.Min(skip.Length, left)), cancellationToken);
            if (read == 0)
            {
                break;
            }
            left -= read;
        }
        return stream;
    }

    /// <summary>The last <paramref name="lines"/> lines, or null when the step has no log yet.</summary>
    public async Task<string?> ReadTailAsync(long stepId, int lines, CancellationToken cancellationToken)
    {
        await using var compressed = TryOpen(CompressedPath(stepId));
        await using var plain = TryOpen(PlainPath(stepId));
        if (compressed is null && plain is null)
        {
            return null;
        }

        var tail = new List<string>();
        var plainIsWhole = true;
        if (plain is not null)
        {
            // The plain part may be a live log of many MiB: read only its end.
            var start = Math.Max(0, plain.Length - PlainTailBytes);
            plainIsWhole = start == 0;
            plain.Seek(start, SeekOrigin.Begin);
            using var reader = new StreamReader(plain, Encoding.UTF8, leaveOpen: true);
            var all = SplitLines(await reader.ReadToEndAsync(cancellationToken));
            // A tail read from the middle of the file starts inside a line: drop that partial line.
            tail.AddRange(all.Skip(start > 0 ? 1 : 0).TakeLast(lines));
        }

        if (compressed is not null && plainIsWhole && tail.Count < lines)
        {
            tail.InsertRange(0, await TailOfCompressedAsync(compressed, lines - tail.Count, cancellationToken));
        }

        return string.Join('\n', tail);
    }

    /// <summary>
    /// Compresses the plain log into the <c>.br</c> file (after any earlier compressed part) and removes the plain
    /// file. Called once the step has ended, when no worker may append any more. The new file is written under a
    /// temporary name and renamed, so a reader sees the old or the new, never a partial one.
    /// </summary>
    public async Task CompressAsync(long stepId, CancellationToken cancellationToken)
    {
        var plainPath = PlainPath(stepId);
        var compressedPath = CompressedPath(stepId);
        if (!File.Exists(plainPath))
        {
            // Nothing was logged (the header comes with the first batch): the common case for tiny steps.
            return;
        }
        var temporary = $"{compressedPath}.{Guid.NewGuid():N}.tmp";
        await using (var plain = TryOpen(plainPath))
        {
            if (plain is null)
            {
                return;
            }

            try
            {
                await using (var target = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
                await using (var brotli = new BrotliStream(target, Compression))
                {
                    if (TryOpen(compressedPath) is { } earlier)
                    {
                        await using var history = new BrotliStream(earlier, CompressionMode.Decompress);
                        await history.CopyToAsync(brotli, cancellationToken);
                    }

                    await plain.CopyToAsync(brotli, cancellationToken);
                }

                File.Move(temporary, compressedPath, overwrite: true);
            }
            finally
            {
                File.Delete(temporary);
            }
        }

        File.Delete(plainPath);
    }

    /// <summary>
    /// The last <paramref name="lines"/> lines of a Brotli file. Brotli cannot seek, so this streams through it,
    /// keeping only the last bytes in a ring buffer (no string per line); a window that turns out to hold too few
    /// lines (very long ones) is widened and the file read again.
    /// </summary>
    private static async Task<List<string>> TailOfCompressedAsync(FileStream compressed, int lines, CancellationToken cancellationToken)
    {
        for (var window = PlainTailBytes; ; window *= 4)
        {
            compressed.Seek(0, SeekOrigin.Begin);
            await using var text = new BrotliStream(compressed, CompressionMode.Decompress, leaveOpen: true);
            var (last, cut) = await LastBytesAsync(text, window, cancellationToken);
            var all = SplitLines(Encoding.UTF8.GetString(last));
            if (cut && all.Count > 0)
            {
                // The window starts inside a line.
                all.RemoveAt(0);
            }

            if (all.Count >= lines || !cut)
            {
                return all.TakeLast(lines).ToList();
            }
        }
    }

    /// <summary>The last <paramref name="window"/> bytes of <paramref name="stream"/>, and whether anything came before them.</summary>
    private static async Task<(byte[] Bytes, bool Cut)> LastBytesAsync(Stream stream, int window, CancellationToken cancellationToken)
    {
        var ring = new byte[window];
        var buffer = new byte[64 * 1024];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            for (var done = 0; done < read;)
            {
                var at = (int)(total % window);
                var count = Math.Min(read - done, window - at);
                Buffer.BlockCopy(buffer, done, ring, at, count);
                done += count;
                total += count;
            }
        }

        if (total <= window)
        {
            return (ring[..(int)total], false);
        }

        var start = (int)(total % window);
        return ([.. ring.AsSpan(start), .. ring.AsSpan(0, start)], true);
    }

    private static FileStream? TryOpen(string path)
    {
        try
        {
            // Delete sharing: a compression may remove the plain file while a reader still streams it.
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, useAsync: true);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Lines of <paramref name="text"/>, without the empty string after a final newline.</summary>
    private static List<string> SplitLines(string text)
    {
        var lines = text.Split('\n').ToList();
        if (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }
}
