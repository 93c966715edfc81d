using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Evaluator.Jobsets;

/// <summary>
/// Claims due jobsets for evaluation and releases them after a crash. A claim sets
/// <c>eval_started_at</c> on one row chosen under <c>FOR UPDATE SKIP LOCKED</c>, so schedulers in
/// several processes share the work and never claim one jobset twice: a concurrent claimer skips
/// the locked row, and after commit the row no longer matches (its claim is not abandoned).
/// </summary>
/// <remarks>
/// Which jobsets are due follows Hydra's <c>evaluator.cc shouldEvaluate</c>: enabled (1, 2 or 3) in
/// an enabled project, and either triggered or past its check interval (0 = only on trigger).
/// A one-at-a-time jobset (3) is due on its interval only once every build of its latest evaluation
/// has finished; a trigger overrides that, as in Hydra. Disabled jobsets (0) are never claimed,
/// whether triggered or not.
/// </remarks>
public sealed class JobsetClaimer(NpgsqlDataSource dataSource, IOptions<EvaluatorOptions> options, TimeProvider clock)
{
    /// <summary>Claims the most urgent due jobset (triggered first, then the longest unchecked); null when none is due.</summary>
    public async Task<long?> ClaimDueJobsetAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var command = dataSource.CreateCommand(
            """
            UPDATE jobsets SET eval_started_at = @now, eval_phase = @phase, eval_phase_since = @now
            WHERE id = (
                SELECT j.id FROM jobsets j JOIN projects p ON p.id = j.project_id
                WHERE j.enabled <> 0 AND p.enabled
                  AND (j.eval_started_at IS NULL OR j.eval_started_at < @abandoned)
                  AND (j.trigger_time IS NOT NULL
                       OR (j.check_interval > 0
                           AND (j.last_checked_at IS NULL
                                OR j.last_checked_at + make_interval(secs => j.check_interval) <= @now)
                           AND (j.enabled <> 3 OR NOT EXISTS (
                                SELECT 1 FROM evaluation_members m JOIN builds b ON b.id = m.build_id
                                WHERE m.evaluation_id = (SELECT max(e.id) FROM evaluations e WHERE e.jobset_id = j.id)
                                  AND NOT b.finished))))
                ORDER BY j.trigger_time NULLS LAST, j.last_checked_at NULLS FIRST, j.id
                LIMIT 1
                FOR UPDATE OF j SKIP LOCKED)
            RETURNING id
            """);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("phase", EvaluationPhase.Starting);
        command.Parameters.AddWithValue("abandoned", now - options.Value.EvalTimeout - TimeSpan.FromMinutes(5));
        return await command.ExecuteScalarAsync(cancellationToken) as long?;
    }

    /// <summary>
    /// Gives a jobset back after its evaluation crashed (a bug or a database outage) so it is tried
    /// again; the trigger is kept. The normal end of an evaluation releases it in <see cref="EvaluationRunner"/>.
    /// </summary>
    public async Task ReleaseAsync(long jobsetId, CancellationToken cancellationToken)
    {
        await using var release = dataSource.CreateCommand(
            "UPDATE jobsets SET eval_started_at = NULL, eval_phase = NULL, eval_phase_since = NULL WHERE id = @id");
        release.Parameters.AddWithValue("id", jobsetId);
        await release.ExecuteNonQueryAsync(cancellationToken);
    }
}
