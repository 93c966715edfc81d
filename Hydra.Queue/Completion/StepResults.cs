using Hydra.Core;
using Hydra.Core.Data.Entities;
using Hydra.Core.Protocol;
using Hydra.Core.Storage;
using Hydra.Queue.Dispatch;
using Hydra.Queue.Logs;
using Hydra.Queue.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Hydra.Queue.Completion;

/// <summary>
/// Records a worker's report. The report is a compare-and-set: it applies only while the step is
/// running under this very attempt (the fencing token), so a late report from a worker whose lease
/// was taken back cannot overwrite the result of the attempt that replaced it.
/// </summary>
public sealed partial class StepResults(
    NpgsqlDataSource dataSource,
    IOptions<QueueOptions> options,
    ICacheStorage storage,
    StepLogStore logs,
    RunnableNotifier notifier,
    TimeProvider clock,
    ILogger<StepResults> logger)
{
    private readonly SuccessReports _successes = new(dataSource, notifier, clock);

    /// <summary>Applies a report (see <see cref="ReportAsync"/>) and says what became of it.</summary>
    public async Task<FinishResult> FinishAsync(long attemptId, long workerId, FinishRequest report, CancellationToken cancellationToken) =>
        (await ReportAsync(attemptId, workerId, report, cancellationToken)).Result;

    /// <summary>
    /// Applies a report, in one statement and one round trip in the common case: it locks the step and the attempt,
    /// checks that the attempt still holds the step (the fencing token) and, for a success, that the worker reported
    /// exactly the step's outputs and the server found each in the cache; then it records the attempt and moves the
    /// graph on. Such successes are group-committed (<see cref="SuccessReports"/>): those arriving together share one
    /// statement. When that statement changes nothing (a late or repeated report, outputs missing or reported
    /// differently) or the report is an abort (which needs the try count), the slow path reads the attempt first,
    /// classifies the report and applies what the server decided.
    /// </summary>
    /// <returns>
    /// What became of the report, and whether it was applied as a success, in which case the statement also cleared
    /// the worker's failure count and <see cref="Workers.WorkerHealth.RecordAsync"/> has nothing left to do.
    /// </returns>
    public async Task<FinishOutcome> ReportAsync(long attemptId, long workerId, FinishRequest report, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (await FastTransitionAsync(report, cancellationToken) is { } fast)
        {
            var quick = fast == Transition.Succeed
                ? await _successes.ApplyAsync(SuccessOf(attemptId, workerId, report, report.Outcome, [.. report.Outputs.Select(o => o.Path)]))
                : await ApplyAloneAsync(attemptId, workerId, fast, report, now, cancellationToken);
            if (quick is { } done)
            {
                var accepted = await AcceptedAsync(done.StepId, attemptId, fast, report.Outcome, now - done.StartedAt);
                return new FinishOutcome(accepted, fast == Transition.Succeed);
            }
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var (verdict, running) = await ReadAsync(connection, attemptId, workerId, report.Outcome, cancellationToken);
        if (verdict is { } early)
        {
            return new FinishOutcome(early, false);
        }
        var outcome = report.Outcome;
        var message = report.ErrorMessage;
        if (outcome is StepOutcome.Succeeded or StepOutcome.FailedWithOutput)
        {
            (outcome, message) = await CheckOutputsAsync(running.StepId, attemptId, running.OutputPaths, report, outcome, message, cancellationToken);
        }
        var transition = outcome switch
        {
            StepOutcome.Succeeded or StepOutcome.FailedWithOutput => Transition.Succeed,
            StepOutcome.Aborted when running.Tries < options.Value.MaxTries => Transition.Retry,
            _ => Transition.Fail,
        };
        var applied = transition == Transition.Succeed
            ? await _successes.ApplyAsync(SuccessOf(attemptId, workerId, report, outcome, running.OutputPaths))
            : await ApplyAsync(connection, running, workerId, transition, outcome, message, report, now, cancellationToken);
        if (applied is not { } result)
        {
            // Someone else moved the step between the read and the write: nothing was applied.
            return new FinishOutcome((await ReadAsync(connection, attemptId, workerId, report.Outcome, cancellationToken)).Verdict ?? FinishResult.Stale, false);
        }
        var finished = await AcceptedAsync(running.StepId, attemptId, transition, outcome, now - result.StartedAt);
        return new FinishOutcome(finished, transition == Transition.Succeed);
    }

    /// <summary>The fast path of a report that is not a success (a build failure): one statement of its own.</summary>
    private async Task<AppliedReport?> ApplyAloneAsync(
        long attemptId, long workerId, Transition transition, FinishRequest report, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var attempt = new RunningAttempt(attemptId, StepId: 0, Tries: 0, []);
        return await ApplyAsync(connection, attempt, workerId, transition, report.Outcome, report.ErrorMessage, report, now, cancellationToken);
    }

    /// <summary>
    /// A success for <see cref="SuccessReports"/>. The statement applies it only while <paramref name="outputs"/> are exactly the
    /// step's: the reported ones on the fast path, the step's own once the server has checked them. Products must lie in those
    /// outputs, or in the reported ones when the step has none.
    /// </summary>
    private static SuccessReport SuccessOf(long attemptId, long workerId, FinishRequest report, StepOutcome outcome, string[] outputs)
    {
        string[] productRoots = outputs.Length > 0 ? outputs : [.. report.Outputs.Select(o => o.Path)];
        return new SuccessReport(attemptId, workerId, report.ExitCode, report.ErrorMessage, outcome == StepOutcome.FailedWithOutput, outputs,
            NixSupportRules.ValidProducts(report.Products, productRoots), NixSupportRules.ValidMetrics(report.Metrics), NixSupportRules.ValidReleaseName(report.ReleaseName));
    }

    /// <summary>
    /// The transition a report gets without a first read, or null when the server must look first: an abort (retry
    /// or not depends on the tries), a success whose outputs are not all in the cache or are too big (the read tells
    /// which case applies and which message to record).
    /// </summary>
    private async Task<Transition?> FastTransitionAsync(FinishRequest report, CancellationToken cancellationToken)
    {
        switch (report.Outcome)
        {
            case StepOutcome.Aborted:
                return null;
            case StepOutcome.Succeeded or StepOutcome.FailedWithOutput:
                var limit = options.Value.MaxOutputSize;
                var withinLimit = limit <= 0 || report.Outputs.Sum(o => o.NarSize ?? 0) <= limit;
                return withinLimit && (report.Outputs.Count == 0 || await storage.HasAllAsync([.. report.Outputs.Select(o => o.Path)], cancellationToken))
                    ? Transition.Succeed
                    : null;
            default:
                return Transition.Fail;
        }
    }

    private async Task<FinishResult> AcceptedAsync(long stepId, long attemptId, Transition transition, StepOutcome outcome, TimeSpan ran)
    {
        LogStepFinished(stepId, attemptId, outcome);
        QueueMetrics.RecordFinish(outcome, ran);
        if (transition != Transition.Retry)
        {
            // The result is committed: finish the (bounded) compression even if the worker hangs up meanwhile.
            await CompressLogAsync(stepId, CancellationToken.None);
        }
        return FinishResult.Accepted;
    }

    /// <summary>The attempt as it stands, or the verdict when the report cannot apply (unknown, late, or repeated).</summary>
    private static async Task<(FinishResult? Verdict, RunningAttempt Attempt)> ReadAsync(
        NpgsqlConnection connection, long attemptId, long workerId, StepOutcome reported, CancellationToken cancellationToken)
    {
        await using var select = new NpgsqlCommand(
            """
            SELECT a.state, s.id, s.state, s.current_attempt_id, s.tries, s.output_paths
            FROM step_attempts a JOIN steps s ON s.id = a.step_id
            WHERE a.id = @attempt AND a.worker_id = @worker
            """, connection);
        select.Parameters.Add(new NpgsqlParameter<long>("attempt", attemptId));
        select.Parameters.Add(new NpgsqlParameter<long>("worker", workerId));
        await select.PrepareAsync(cancellationToken);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return (FinishResult.Stale, default);
        }
        var attemptState = (AttemptState)reader.GetInt16(0);
        var attempt = new RunningAttempt(attemptId, reader.GetInt64(1), reader.GetInt32(4), reader.GetFieldValue<string[]>(5));
        var stepState = (StepState)reader.GetInt16(2);
        var current = reader.IsDBNull(3) ? (long?)null : reader.GetInt64(3);
        if (attemptState != AttemptState.Running)
        {
            return (attemptState == ToAttemptState(reported) ? FinishResult.Duplicate : FinishResult.Stale, attempt);
        }
        return current != attemptId || stepState != StepState.Running ? (FinishResult.Stale, attempt) : (null, attempt);
    }

    /// <summary>
    /// One statement for a report that is not a success (successes go to <see cref="SuccessReports"/>): lock step and
    /// attempt while the attempt still holds the step (the fencing token), record the attempt and run the step's
    /// transition. Returns the step and when the attempt started, or null when nothing was applied.
    /// </summary>
    private async Task<AppliedReport?> ApplyAsync(NpgsqlConnection connection, RunningAttempt attempt, long workerId, Transition transition,
        StepOutcome outcome, string? message, FinishRequest report, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(transition == Transition.Retry ? RetrySql : FailSql, connection);
        var parameters = command.Parameters;
        parameters.Add(new NpgsqlParameter<long>("attempt", attempt.AttemptId));
        parameters.Add(new NpgsqlParameter<long>("worker", workerId));
        parameters.Add(new NpgsqlParameter<short>("attempt_state", (short)ToAttemptState(outcome)));
        parameters.Add(new NpgsqlParameter("code", NpgsqlDbType.Integer) { Value = (object?)report.ExitCode ?? DBNull.Value });
        parameters.Add(new NpgsqlParameter("attempt_message", NpgsqlDbType.Text) { Value = (object?)message ?? DBNull.Value });
        if (transition == Transition.Retry)
        {
            parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now));
            parameters.Add(new NpgsqlParameter<DateTimeOffset>("after", now + options.Value.RetryDelay(attempt.Tries)));
            parameters.Add(new NpgsqlParameter("message", NpgsqlDbType.Text) { Value = (object?)message ?? DBNull.Value });
        }
        else
        {
            StepTransitions.AddCommon(command, now, outcome == StepOutcome.Aborted ? BuildStatus.Aborted : FailureStatus(outcome), message);
        }
        await command.PrepareAsync(cancellationToken);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        if (reader.IsDBNull(0))
        {
            return null;
        }
        if (reader.GetBoolean(2))
        {
            notifier.Pulse();
        }
        return new AppliedReport(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1));
    }

    private enum Transition
    {
        Succeed,
        Retry,
        Fail,
    }

    /// <summary>The compare-and-set every report statement starts with, and the attempt's own record.</summary>
    private const string LockAndRecord =
        """
        target AS (
            SELECT s.id FROM steps s JOIN step_attempts a ON a.id = s.current_attempt_id
            WHERE s.id = (SELECT step_id FROM step_attempts WHERE id = @attempt) AND s.state = 2
              AND a.id = @attempt AND a.worker_id = @worker AND a.state = 0
            FOR UPDATE OF s, a
        ), recorded AS (
            UPDATE step_attempts a SET state = @attempt_state, finished_at = @now, exit_code = @code, error_message = @attempt_message
            FROM target WHERE a.id = @attempt
            RETURNING a.step_id, a.started_at
        )
        """;

    /// <summary>
    /// The statements of a retry and of a failure; each returns the step and the attempt's start (nulls when it changed
    /// nothing), and whether waiting claims should wake (<see cref="RunnableNotifier"/>, after the commit).
    /// </summary>
    private const string RetrySql =
        $"WITH {LockAndRecord}, {StepTransitions.RetryCtes} SELECT (SELECT step_id FROM recorded), (SELECT started_at FROM recorded), EXISTS (SELECT 1 FROM retried)";

    private static readonly string FailSql =
        $"WITH RECURSIVE {LockAndRecord}, {StepTransitions.FailCtes} SELECT (SELECT step_id FROM recorded), (SELECT started_at FROM recorded), false";

    private readonly record struct RunningAttempt(long AttemptId, long StepId, int Tries, string[] OutputPaths);

    /// <summary>
    /// A success counts only once every output is in the farm's cache: otherwise dependents on other machines
    /// could not fetch it, so it becomes an infrastructure failure. Outputs above the size limit fail the step
    /// even when the worker did not check.
    /// </summary>
    private async Task<(StepOutcome, string?)> CheckOutputsAsync(
        long stepId, long attemptId, string[] outputPaths, FinishRequest report, StepOutcome outcome, string? message, CancellationToken cancellationToken)
    {
        var missing = new List<string>();
        foreach (var path in outputPaths)
        {
            if (!await storage.HasAsync(path, cancellationToken))
            {
                missing.Add(path);
            }
        }
        if (missing.Count > 0)
        {
            var problem = $"worker reported success but the binary cache lacks: {string.Join(", ", missing)}";
            LogOutputsMissing(stepId, attemptId, problem);
            return (StepOutcome.Aborted, problem);
        }
        var limit = options.Value.MaxOutputSize;
        var narSize = report.Outputs.Sum(o => o.NarSize ?? 0);
        return limit > 0 && narSize > limit
            ? (StepOutcome.OutputLimitExceeded, $"The outputs are {narSize} bytes (NAR size), more than the limit of {limit} bytes.")
            : (outcome, message);
    }

    /// <summary>The step has ended for good: no worker appends to its log any more, so it is compressed.</summary>
    private async Task CompressLogAsync(long stepId, CancellationToken cancellationToken)
    {
        try
        {
            await logs.CompressAsync(stepId, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The plain log stays readable; only disk space is lost.
            LogCompressionFailed(e, stepId);
        }
    }

    private static int FailureStatus(StepOutcome outcome) => outcome switch
    {
        StepOutcome.TimedOut => BuildStatus.TimedOut,
        StepOutcome.LogLimitExceeded => BuildStatus.LogLimitExceeded,
        StepOutcome.OutputLimitExceeded => BuildStatus.OutputLimitExceeded,
        _ => BuildStatus.Failed,
    };

    private static AttemptState ToAttemptState(StepOutcome outcome) => outcome switch
    {
        StepOutcome.Succeeded or StepOutcome.FailedWithOutput => AttemptState.Succeeded,
        StepOutcome.Aborted => AttemptState.Aborted,
        _ => AttemptState.Failed,
    };

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Step {StepId} attempt {AttemptId} finished: {Outcome}")]
    private partial void LogStepFinished(long stepId, long attemptId, StepOutcome outcome);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Step {StepId} attempt {AttemptId}: {Problem}")]
    private partial void LogOutputsMissing(long stepId, long attemptId, string problem);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "Compressing the log of step {StepId} failed; it stays uncompressed")]
    private partial void LogCompressionFailed(Exception exception, long stepId);
}
