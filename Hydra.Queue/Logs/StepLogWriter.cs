using Hydra.Core;
using Microsoft.Extensions.Options;

namespace Hydra.Queue.Logs;

/// <summary>
/// Appends worker log batches to the step's durable log file. A worker sends its batches one at a
/// time, and only the current attempt may write (the caller checks the lease), so appends never interleave.
/// </summary>
public sealed class StepLogWriter(IOptions<HydraOptions> options)
{
    public async Task AppendAsync(long stepId, Stream body, CancellationToken cancellationToken)
    {
        var path = options.Value.StepLogPath(stepId);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 64 * 1024, useAsync: true);
        await body.CopyToAsync(file, cancellationToken);
    }

    /// <summary>The last <paramref name="maxBytes"/> of a step's log, or null when it has none.</summary>
    public async Task<string?> ReadTailAsync(long stepId, int maxBytes, CancellationToken cancellationToken)
    {
        var path = options.Value.StepLogPath(stepId);
        if (!File.Exists(path))
        {
            return null;
        }
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096, useAsync: true);
        if (file.Length > maxBytes)
        {
            file.Seek(-maxBytes, SeekOrigin.End);
        }
        using var reader = new StreamReader(file);
        return await reader.ReadToEndAsync(cancellationToken);
    }
}
