using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace Hydra.Web.Pages.Logs;

/// <summary>One line of a log: its text (without the newline) and the byte offset just after it.</summary>
public readonly record struct LogLine(string Text, long EndOffset);

/// <summary>Splits a log into lines while counting bytes, so a reader can resume exactly where a page stopped.</summary>
public static partial class LogLines
{
    /// <summary>
    /// The lines of <paramref name="stream"/> (already positioned at <paramref name="startOffset"/>). A last line
    /// without its newline is returned only when <paramref name="includePartial"/>: a live log may still be
    /// writing it.
    /// </summary>
    public static async IAsyncEnumerable<LogLine> ReadAsync(
        Stream stream, long startOffset, bool includePartial,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var pending = new ArrayBufferWriter<byte>();
        var offset = startOffset;
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                var chunk = buffer.AsMemory(0, read);
                int newline;
                while ((newline = chunk.Span.IndexOf((byte)'\n')) >= 0)
                {
                    pending.Write(chunk.Span[..newline]);
                    offset += pending.WrittenCount + 1;
                    yield return new LogLine(Decode(pending.WrittenSpan), offset);
                    pending.Clear();
                    chunk = chunk[(newline + 1)..];
                }
                pending.Write(chunk.Span);
            }

            if (includePartial && pending.WrittenCount > 0)
            {
                yield return new LogLine(Decode(pending.WrittenSpan), offset + pending.WrittenCount);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A line's styled segments, and whether its text (without the escapes) reads as an error.</summary>
    public static (IReadOnlyList<LogSegment> Segments, bool IsError) Render(AnsiRenderer renderer, string line)
    {
        var segments = renderer.Render(line);
        return (segments, IsError(string.Concat(segments.Select(s => s.Text))));
    }

    /// <summary>
    /// Whether a line reads like the start of a failure: what "jump to the first error" jumps to. Compilers,
    /// make, Nix, test runners and shells all use one of these forms.
    /// </summary>
    public static bool IsError(string text) => ErrorPattern().IsMatch(text);

    private static string Decode(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes.EndsWith("\r"u8) ? bytes[..^1] : bytes);

    [GeneratedRegex(@"\b(error|Error):|\bERROR\b|\bfatal error\b|\bFAILED\b|^FAIL\b|^make(\[\d+\])?: \*\*\*|^builder for '.*' failed", RegexOptions.CultureInvariant)]
    private static partial Regex ErrorPattern();
}
