using Hydra.Core;
using Hydra.Core.Data.Entities;
using Hydra.Core.Protocol;
using Hydra.Queue.Logs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Queue.Completion;

/// <summary>
/// Records a worker's report. The report is a compare-and-set: it applies only while the step is
/// running under this very attempt (the fencing token), so a late report from a worker whose lease
/// was taken back cannot overwrite the result of the attempt that replaced it.
/// </summary>
public sealed partial class StepResults(
    NpgsqlDataSource dataSource,
    IOptions<QueueOptions> options,
    IOptions<HydraOptions> hydraOptions,
    StepLogStore logs,
    TimeProvider clock,
    ILogger<StepResults> logger)
{
    public async Task<FinishResult> FinishAsync(long attemptId, long workerId, FinishRequest report, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        long stepId;
        int tries;
        string[] outputPaths;
        await using (var select = new NpgsqlCommand(
            """
            SELECT a.state, s.id, s.state, s.current_attempt_id, s.tries, s.output_paths
            FROM step_attempts a JOIN steps s ON s.id = a.step_id
            WHERE a.id = @attempt AND a.worker_id = @worker
            FOR UPDATE OF s, a
            """, connection, transaction))
        {
            select.Parameters.AddWithValue("attempt", attemptId);
            select.Parameters.AddWithValue("worker", workerId);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return FinishResult.Stale;
            }
            var attemptState = (AttemptState)reader.GetInt16(0);
            stepId = reader.GetInt64(1);
            var stepState = (StepState)reader.GetInt16(2);
            var current = reader.IsDBNull(3) ? (long?)null : reader.GetInt64(3);
            tries = reader.GetInt32(4);
            outputPaths = reader.GetFieldValue<string[]>(5);
            if (attemptState != AttemptState.Running)
            {
                return attemptState == ToAttemptState(report.Outcome) ? FinishResult.Duplicate : FinishResult.Stale;
            }
            if (current != attemptId || stepState != StepState.Running)
            {
                return FinishResult.Stale;
            }
        }

        var outcome = report.Outcome;
        var message = report.ErrorMessage;
        if (outcome is StepOutcome.Succeeded or StepOutcome.FailedWithOutput)
        {
            (outcome, message) = CheckOutputs(stepId, attemptId, outputPaths, report, outcome, message);
        }

        await using (var update = new NpgsqlCommand(
            "UPDATE step_attempts SET state = @state, finished_at = @now, exit_code = @code, error_message = @message WHERE id = @attempt",
            connection, transaction))
        {
            update.Parameters.AddWithValue("state", (short)ToAttemptState(outcome));
            update.Parameters.AddWithValue("now", now);
            update.Parameters.AddWithValue("code", (object?)report.ExitCode ?? DBNull.Value);
            update.Parameters.AddWithValue("message", (object?)message ?? DBNull.Value);
            update.Parameters.AddWithValue("attempt", attemptId);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        var ended = true;
        switch (outcome)
        {
            case StepOutcome.Succeeded or StepOutcome.FailedWithOutput:
                IReadOnlyCollection<string> outputs = outputPaths.Length > 0 ? outputPaths : [.. report.Outputs.Select(o => o.Path)];
                await BuildResultWriter.RecordAsync(connection, transaction, stepId,
                    NixSupportRules.ValidProducts(report.Products, outputs), NixSupportRules.ValidMetrics(report.Metrics),
                    NixSupportRules.ValidReleaseName(report.ReleaseName), cancellationToken);
                var failedWithOutput = outcome == StepOutcome.FailedWithOutput;
                await StepTransitions.SucceedAsync(connection, transaction, stepId,
                    failedWithOutput ? BuildStatus.FailedWithOutput : BuildStatus.Succeeded, failedWithOutput ? message : null, now, cancellationToken);
                break;
            case StepOutcome.Aborted:
                ended = await StepTransitions.AbortAsync(connection, transaction, stepId, tries, message, options.Value, now, cancellationToken);
                break;
            default:
                await StepTransitions.FailAsync(connection, transaction, stepId, FailureStatus(outcome), message, now, cancellationToken);
                break;
        }
        await transaction.CommitAsync(cancellationToken);
        LogStepFinished(stepId, attemptId, outcome);
        if (ended)
        {
            // The result is committed: finish the (bounded) compression even if the worker hangs up meanwhile.
            await CompressLogAsync(stepId, CancellationToken.None);
        }
        return FinishResult.Accepted;
    }

    /// <summary>
    /// A success counts only once every output is in the farm's cache: otherwise dependents on other machines
    /// could not fetch it, so it becomes an infrastructure failure. Outputs above the size limit fail the step
    /// even when the worker did not check.
    /// </summary>
    private (StepOutcome, string?) CheckOutputs(long stepId, long attemptId, string[] outputPaths, FinishRequest report, StepOutcome outcome, string? message)
    {
        var missing = outputPaths.Where(p => !CacheHasPath(p)).ToList();
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

    private bool CacheHasPath(string storePath)
    {
        var baseName = Path.GetFileName(storePath);
        return baseName.Length >= 32 && File.Exists(Path.Combine(hydraOptions.Value.CacheDir, baseName[..32] + ".narinfo"));
    }

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
