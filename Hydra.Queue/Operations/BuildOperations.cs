using Hydra.Core;
using Hydra.Queue.Dispatch;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Hydra.Queue.Operations;

/// <summary>
/// What users do to queued and finished builds besides restarting them (<see cref="BuildRestarts"/>):
/// cancel, bump to the front, keep. Rights are the caller's business; every method is a compare-and-set
/// on the build's state and says how many builds it changed.
/// </summary>
public sealed partial class BuildOperations(NpgsqlDataSource dataSource, BuildBumps bumps, TimeProvider clock, ILogger<BuildOperations> logger)
{
    /// <summary>
    /// Hydra's cancel: the unfinished builds among <paramref name="buildIds"/> finish as cancelled (4), and
    /// every unfinished step of their graphs that no other unfinished build needs is cancelled (step state 5,
    /// status 4). A running one keeps its attempt until the worker's next heartbeat, which answers
    /// <c>Cancel</c>: the worker kills Nix and reports nothing (<see cref="Leases.LeaseService"/>).
    /// </summary>
    public async Task<CancelResult> CancelAsync(IReadOnlyCollection<long> buildIds, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        long[] cancelled;
        await using (var finish = new NpgsqlCommand(
            $"""
             WITH cancelled AS (
                 UPDATE builds b SET finished = true, build_status = {BuildStatus.Cancelled}, start_time = COALESCE(b.start_time, @now), stop_time = @now
                 FROM (SELECT id FROM builds WHERE id = ANY(@ids) AND NOT finished ORDER BY id FOR UPDATE) x
                 WHERE b.id = x.id
                 RETURNING b.id)
             SELECT id FROM cancelled ORDER BY id
             """, connection, transaction))
        {
            finish.Parameters.AddWithValue("ids", buildIds.ToArray());
            finish.Parameters.AddWithValue("now", now);
            cancelled = await EvaluationBuilds.ReadIdsAsync(finish, cancellationToken);
        }
        if (cancelled.Length == 0)
        {
            return new CancelResult(0, 0, 0);
        }

        // The builds above are finished now (same transaction), so "no other unfinished build needs it"
        // is simply "no unfinished build needs it".
        int steps = 0, running = 0;
        await using (var orphans = new NpgsqlCommand(
            $"""
             UPDATE steps s SET state = 5, status = {BuildStatus.Cancelled}, finished_at = @now, error_message = 'cancelled'
             FROM (SELECT s2.id, s2.state AS was
                   FROM steps s2
                   WHERE s2.id IN (SELECT bs.step_id FROM build_steps bs WHERE bs.build_id = ANY(@cancelled))
                     AND s2.state < 3
                     AND NOT EXISTS (SELECT 1 FROM build_steps o JOIN builds b ON b.id = o.build_id WHERE o.step_id = s2.id AND NOT b.finished)
                   ORDER BY s2.id
                   FOR UPDATE OF s2) x
             WHERE s.id = x.id
             RETURNING x.was
             """, connection, transaction))
        {
            orphans.Parameters.AddWithValue("cancelled", cancelled);
            orphans.Parameters.AddWithValue("now", now);
            await using var reader = await orphans.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                steps++;
                running += reader.GetInt16(0) == 2 ? 1 : 0;
            }
        }
        await transaction.CommitAsync(cancellationToken);
        LogCancelled(string.Join(", ", cancelled), steps, running);
        return new CancelResult(cancelled.Length, steps, running);
    }

    /// <summary>Cancels the unfinished builds of an evaluation (Hydra's <c>/eval/&lt;id&gt;/cancel</c>).</summary>
    public async Task<CancelResult> CancelEvaluationAsync(long evaluationId, CancellationToken cancellationToken) =>
        await CancelAsync(await EvaluationBuilds.SelectAsync(dataSource, evaluationId, "NOT b.finished", cancellationToken), cancellationToken);

    /// <summary>Bumps every unfinished build of an evaluation to the front (<see cref="BuildBumps"/>); returns how many.</summary>
    public async Task<int> BumpEvaluationAsync(long evaluationId, CancellationToken cancellationToken)
    {
        var bumped = 0;
        foreach (var build in await EvaluationBuilds.SelectAsync(dataSource, evaluationId, "NOT b.finished", cancellationToken))
        {
            bumped += await bumps.BumpAsync(build, cancellationToken) ? 1 : 0;
        }
        return bumped;
    }

    /// <summary>Sets Hydra's keep flag (garbage collection keeps the build's outputs); false when there is no such build.</summary>
    public async Task<bool> SetKeepAsync(long buildId, bool keep, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("UPDATE builds SET keep = @keep WHERE id = @id");
        command.Parameters.AddWithValue("keep", keep);
        command.Parameters.AddWithValue("id", buildId);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    [LoggerMessage(EventId = 2401, Level = LogLevel.Information, Message = "Cancelled build(s) {Builds}: {Steps} step(s) no other build needs, {Running} of them running")]
    private partial void LogCancelled(string builds, int steps, int running);
}
