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
        await using var file = OpenForAppend(stepId);
        await body.CopyToAsync(file, cancellationToken);
    }

    /// <summary>Appends a line the server writes itself (the header of each attempt).</summary>
    public async Task AppendTextAsync(long stepId, string text, CancellationToken cancellationToken)
    {
        await using var file = OpenForAppend(stepId);
        await file.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text), cancellationToken);
    }

    private FileStream OpenForAppend(long stepId)
    {
        var path = options.Value.StepLogPath(stepId);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 64 * 1024, useAsync: true);
    }
}
