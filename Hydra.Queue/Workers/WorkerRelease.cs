using Hydra.Queue.Completion;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Queue.Workers;

/// <summary>
/// A builder that starts tells the server to forget what it held before (<c>POST /api/worker/release</c>):
/// the attempts its previous run left running end as aborted, and their steps are runnable at once
/// instead of waiting for the lease to expire.
/// </summary>
/// <remarks>
/// The attempt is the fencing token, so this is safe against the old run: if it is somehow still alive,
/// its heartbeats, log batches, uploads and report are refused (409) from now on. It assumes one builder
/// process per worker token, as the slot count does. A released step keeps its try, so a step that
/// crashes its builder every time still runs out of tries; when it has none left it fails as aborted.
/// </remarks>
public sealed partial class WorkerRelease(NpgsqlDataSource dataSource, IOptions<QueueOptions> options, TimeProvider clock, ILogger<WorkerRelease> logger)
{
    /// <summary>Releases every running attempt of the worker; returns how many there were.</summary>
    public async Task<int> ReleaseAllAsync(WorkerIdentity worker, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var held = new List<(long Step, int Tries)>();
        var released = 0;
        await using (var release = new NpgsqlCommand(
            """
            UPDATE step_attempts a SET state = 3, finished_at = @now, error_message = 'released: the worker restarted without finishing it'
            FROM steps s
            WHERE a.worker_id = @worker AND a.state = 0 AND s.id = a.step_id
            RETURNING s.id, s.tries, s.current_attempt_id = a.id AND s.state = 2
            """, connection, transaction))
        {
            release.Parameters.AddWithValue("worker", worker.Id);
            release.Parameters.AddWithValue("now", now);
            await using var reader = await release.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                released++;
                if (reader.GetBoolean(2))
                {
                    held.Add((reader.GetInt64(0), reader.GetInt32(1)));
                }
            }
        }
        foreach (var (step, tries) in held)
        {
            if (tries >= options.Value.MaxTries)
            {
                await StepTransitions.AbortAsync(connection, transaction, step, tries, "worker restarted (out of tries)", options.Value, now, cancellationToken);
                continue;
            }
            await using var requeue = new NpgsqlCommand(
                "UPDATE steps SET state = 1, runnable_after = NULL, error_message = 'worker restarted' WHERE id = @step AND state = 2",
                connection, transaction);
            requeue.Parameters.AddWithValue("step", step);
            await requeue.ExecuteNonQueryAsync(cancellationToken);
        }
        if (held.Count > 0)
        {
            await StepTransitions.NotifyRunnableAsync(connection, transaction, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        if (released > 0)
        {
            LogReleased(worker.Name, released);
        }
        return released;
    }

    [LoggerMessage(EventId = 2302, Level = LogLevel.Information, Message = "Worker {Worker} restarted: released {Count} attempt(s) of its previous run")]
    private partial void LogReleased(string worker, int count);
}
