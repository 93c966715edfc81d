using System.Text;

namespace Hydra.Web.Api.Builds;

/// <summary>Reads durable step logs (plain text files at <see cref="Core.HydraOptions.StepLogPath"/>).</summary>
internal static class LogFiles
{
    /// <summary>How far from the end to look for the tail; enough for 200 ordinary lines.</summary>
    private const int TailBytes = 256 * 1024;

    /// <summary>The last <paramref name="lines"/> lines of the file, or null when there is no log yet.</summary>
    public static async Task<string?> ReadTailAsync(string path, int lines, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var start = Math.Max(0, stream.Length - TailBytes);
        stream.Seek(start, SeekOrigin.Begin);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(cancellationToken);
        var all = text.Split('\n');
        // A tail read from the middle of the file starts inside a line: drop that partial line.
        var skip = start > 0 ? 1 : 0;
        var count = all.Length - skip;
        if (count > 0 && all[^1].Length == 0)
        {
            count--;
        }
        var take = Math.Min(lines, count);
        return string.Join('\n', all.Skip(skip + count - take).Take(take));
    }
}
