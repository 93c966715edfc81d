using System.Globalization;
using System.Text;
using Hydra.Core;
using Microsoft.Extensions.Options;

namespace Hydra.Queue.Logs;

/// <summary>
/// Appends worker log batches to the step's live log file (plain text while the step runs; see
/// <see cref="StepLogStore"/> for the compressed form it takes when the step ends). A worker sends its batches
/// one at a time, and only the current attempt may write (the caller checks the lease), so appends never
/// interleave. The file is capped a little above <see cref="QueueOptions.MaxLogSize"/>: the worker enforces the
/// limit itself, the cap only keeps a broken or hostile worker from filling the disk.
/// </summary>
public sealed class StepLogWriter(IOptions<HydraOptions> options, IOptions<QueueOptions> queueOptions)
{
    /// <summary>Room above the limit for the worker's own marker lines and the attempt headers.</summary>
    public const long Slack = 64 * 1024;

    /// <summary>Appends a worker's batch, after the attempt's header when it is the attempt's first.</summary>
    public async Task AppendAsync(LoggingAttempt attempt, Stream body, CancellationToken cancellationToken)
    {
        await using var file = OpenForAppend(attempt.StepId);
        if (attempt.FirstBatch)
        {
            await file.WriteAsync(Encoding.UTF8.GetBytes(attempt.Header), cancellationToken);
        }
        await AppendAsync(file, body, cancellationToken);
    }

    public async Task AppendAsync(long stepId, Stream body, CancellationToken cancellationToken)
    {
        await using var file = OpenForAppend(stepId);
        await AppendAsync(file, body, cancellationToken);
    }

    private async Task AppendAsync(FileStream file, Stream body, CancellationToken cancellationToken)
    {
        var limit = queueOptions.Value.MaxLogSize;
        if (limit <= 0)
        {
            await body.CopyToAsync(file, cancellationToken);
            return;
        }

        var room = limit + Slack - file.Length;
        if (room <= 0)
        {
            // Already cut (the marker was written when the cap was crossed): drop the rest.
            return;
        }

        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (read > room)
            {
                await file.WriteAsync(buffer.AsMemory(0, (int)room), cancellationToken);
                var marker = string.Create(CultureInfo.InvariantCulture, $"\n[hydra: log truncated here: it passed the limit of {limit} bytes]\n");
                await file.WriteAsync(Encoding.UTF8.GetBytes(marker), cancellationToken);
                return;
            }

            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            room -= read;
        }
    }

    /// <summary>Appends text the server writes itself; never cut.</summary>
    public async Task AppendTextAsync(long stepId, string text, CancellationToken cancellationToken)
    {
        await using var file = OpenForAppend(stepId);
        await file.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
    }

    private FileStream OpenForAppend(long stepId)
    {
        var path = options.Value.StepLogPath(stepId);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 64 * 1024, useAsync: true);
    }
}
