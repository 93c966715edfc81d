using Hydra.Core;
using Hydra.Queue.Dispatch;
using Npgsql;
using NpgsqlTypes;

namespace Hydra.Queue.Completion;

/// <summary>
/// The state changes that follow a step's end: success makes dependents runnable and finishes the builds
/// whose top step it is; permanent failure fails every transitive dependent ("dependency failed") and the
/// builds waiting on them; an infrastructure failure puts the step back in the queue after a backoff, or
/// fails it as aborted after the last try.
/// </summary>
/// <remarks>
/// Each transition is a list of common table expressions over a CTE named <c>target</c> (the id of the step
/// that ends, or no row), so one statement can check the fencing token, record the attempt and move the graph
/// on (<see cref="StepResults"/>: one round trip per report). Inside one statement every part reads the
/// same snapshot: a part never sees another's writes, which is why the promotion below counts the
/// succeeding step as done itself, and why a build row is updated by one part only. The parts name the step
/// as a scalar (<c>= (SELECT id FROM target)</c>), which PostgreSQL evaluates first and then looks up by
/// index (a join against a CTE it cannot estimate may instead walk every pending step).
/// The methods taking a connection and a transaction run a transition for one step inside the caller's
/// transaction, for the maintenance loops and the cached-output path.
/// </remarks>
internal static class StepTransitions
{
    /// <summary>
    /// Success (parameters <c>@now</c>, <c>@status</c>, <c>@message</c>, <c>@release</c>): the steps in
    /// <c>target</c> end as succeeded, dependents that wait on nothing else become runnable, and the builds
    /// whose top step it is finish with <c>@status</c> (succeeded, or failed with output: status 6 only marks
    /// the builds of this derivation; its outputs are still good inputs for dependents, as in Hydra) and get
    /// <c>@release</c> as release name when it is not null. Yields <c>promoted</c> and <c>finished_builds</c>.
    /// </summary>
    public const string SucceedCtes =
        """
        succeeded AS (
            UPDATE steps s SET state = 3, status = @status, error_message = @message, finished_at = @now
            WHERE s.id = (SELECT id FROM target)
            RETURNING s.id
        ), promoted AS (
            UPDATE steps d SET state = 1
            WHERE d.state = 0
              AND d.id IN (SELECT e.step_id FROM step_dependencies e WHERE e.depends_on_id = (SELECT id FROM succeeded))
              AND NOT EXISTS (SELECT 1 FROM step_dependencies e JOIN steps x ON x.id = e.depends_on_id
                              WHERE e.step_id = d.id AND x.state <> 3 AND x.id <> (SELECT id FROM succeeded))
            RETURNING d.id
        ), finished_builds AS (
            UPDATE builds b SET finished = true, build_status = @status, stop_time = @now, start_time = COALESCE(b.start_time, @now),
                release_name = COALESCE(@release, b.release_name)
            WHERE b.top_step_id = (SELECT id FROM succeeded) AND NOT b.finished
            RETURNING b.id
        )
        """;

    /// <summary>
    /// Permanent failure (parameters <c>@now</c>, <c>@status</c>, <c>@message</c>): the steps in
    /// <c>target</c> end with <c>@status</c>, every transitive dependent fails as "dependency failed", and so
    /// do the builds waiting on them. A plain failure (status 1) also enters the failure cache, so the
    /// derivation is not built again until the entry is cleared. Needs <c>WITH RECURSIVE</c>.
    /// </summary>
    public static readonly string FailCtes =
        $"""
        failed AS (
            UPDATE steps s SET state = 4, status = @status, error_message = @message, finished_at = @now
            WHERE s.id = (SELECT id FROM target)
            RETURNING s.id, s.drv_path
        ), failure_cached AS (
            INSERT INTO failed_derivations (drv_path, step_id, failed_at)
            SELECT drv_path, id, @now FROM failed WHERE @status = {BuildStatus.Failed}
            ON CONFLICT (drv_path) DO UPDATE SET step_id = EXCLUDED.step_id, failed_at = EXCLUDED.failed_at
        ), dependents(id) AS (
            SELECT e.step_id FROM step_dependencies e WHERE e.depends_on_id = (SELECT id FROM failed)
            UNION
            SELECT e.step_id FROM step_dependencies e JOIN dependents x ON e.depends_on_id = x.id
        ), failed_dependents AS (
            UPDATE steps SET state = 4, status = {BuildStatus.DependencyFailed}, finished_at = @now
            WHERE id IN (SELECT id FROM dependents) AND state < 3
        ), failed_builds AS (
            UPDATE builds b
            SET finished = true, stop_time = @now, start_time = COALESCE(b.start_time, @now),
                build_status = CASE WHEN b.top_step_id = (SELECT id FROM failed) THEN @status ELSE {BuildStatus.DependencyFailed} END
            WHERE NOT b.finished AND (b.top_step_id = (SELECT id FROM failed) OR b.top_step_id IN (SELECT id FROM dependents))
        )
        """;

    /// <summary>
    /// Back to the queue after an infrastructure failure (parameters <c>@after</c>, <c>@message</c>): runnable
    /// again from <c>@after</c>. Yields <c>retried</c>.
    /// </summary>
    public const string RetryCtes =
        """
        retried AS (
            UPDATE steps s SET state = 1, runnable_after = @after, error_message = @message
            WHERE s.id = (SELECT id FROM target) AND s.state = 2
            RETURNING s.id
        )
        """;

    /// <summary>An expression that sends the wake-up for waiting claims, evaluated only when <paramref name="condition"/> holds.</summary>
    public static string NotifyWhen(string condition) =>
        $"(SELECT count(*) FROM (SELECT pg_notify('{QueueChannels.StepsRunnable}', '') WHERE {condition}) n)";

    /// <summary>
    /// Whether a success made work for waiting claims: dependents became runnable. Finished builds count too, since
    /// the declarative-spec watcher learns of finished builds on the queue's channel.
    /// </summary>
    public const string WakeAfterSuccess = "EXISTS (SELECT 1 FROM promoted) OR EXISTS (SELECT 1 FROM finished_builds)";

    /// <summary>Binds the parameters every transition reads.</summary>
    public static void AddCommon(NpgsqlCommand command, DateTimeOffset now, int status, string? message)
    {
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now));
        command.Parameters.Add(new NpgsqlParameter<int>("status", status));
        command.Parameters.Add(new NpgsqlParameter("message", NpgsqlDbType.Text) { Value = (object?)message ?? DBNull.Value });
    }

    /// <summary>
    /// The step's outputs are in the cache: it succeeds with <paramref name="status"/> (see <see cref="SucceedCtes"/>)
    /// inside the caller's transaction.
    /// </summary>
    public static async Task SucceedAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long stepId, int status, string? message, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = ForStep(connection, transaction, stepId, $"WITH target AS (SELECT @step AS id), {SucceedCtes} SELECT {NotifyWhen(WakeAfterSuccess)}");
        AddCommon(command, now, status, message);
        command.Parameters.Add(new NpgsqlParameter("release", NpgsqlDbType.Text) { Value = DBNull.Value });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Ends the step for good with <paramref name="status"/> (see <see cref="FailCtes"/>) inside the caller's transaction.</summary>
    public static async Task FailAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long stepId, int status, string? message, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = ForStep(connection, transaction, stepId, $"WITH RECURSIVE target AS (SELECT @step AS id), {FailCtes} SELECT 1");
        AddCommon(command, now, status, message);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Returns the step to the queue after an infrastructure failure, or fails it as aborted when out of tries.
    /// Returns true when the step ended for good.
    /// </summary>
    public static async Task<bool> AbortAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long stepId, int tries, string? message, QueueOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (tries >= options.MaxTries)
        {
            await FailAsync(connection, transaction, stepId, BuildStatus.Aborted, message, now, cancellationToken);
            return true;
        }
        await using var command = ForStep(connection, transaction, stepId,
            $"WITH target AS (SELECT @step AS id), {RetryCtes} SELECT {NotifyWhen("EXISTS (SELECT 1 FROM retried)")}");
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("after", now + options.RetryDelay(tries)));
        command.Parameters.Add(new NpgsqlParameter("message", NpgsqlDbType.Text) { Value = (object?)message ?? DBNull.Value });
        await command.ExecuteNonQueryAsync(cancellationToken);
        return false;
    }

    public static async Task NotifyRunnableAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var notify = new NpgsqlCommand($"SELECT pg_notify('{QueueChannels.StepsRunnable}', '')", connection, transaction);
        await notify.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlCommand ForStep(NpgsqlConnection connection, NpgsqlTransaction transaction, long stepId, string sql)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<long>("step", stepId));
        return command;
    }
}
