using Hydra.Core;
using Hydra.Core.Data.Entities;
using Hydra.Core.Protocol;
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
        if (outcome == StepOutcome.Succeeded)
        {
            // A success counts only once every output is in the farm's cache: otherwise dependents
            // on other machines could not fetch it. Treat it as an infrastructure failure instead.
            var missing = outputPaths.Where(p => !CacheHasPath(p)).ToList();
            if (missing.Count > 0)
            {
                outcome = StepOutcome.Aborted;
                message = $"worker reported success but the binary cache lacks: {string.Join(", ", missing)}";
                LogOutputsMissing(stepId, attemptId, message);
            }
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

        switch (outcome)
        {
            case StepOutcome.Succeeded:
                await StepTransitions.SucceedAsync(connection, transaction, stepId, now, cancellationToken);
                break;
            case StepOutcome.Failed:
                await StepTransitions.FailAsync(connection, transaction, stepId, BuildStatus.Failed, message, now, cancellationToken);
                break;
            case StepOutcome.TimedOut:
                await StepTransitions.FailAsync(connection, transaction, stepId, BuildStatus.TimedOut, message, now, cancellationToken);
                break;
            default:
                await StepTransitions.AbortAsync(connection, transaction, stepId, tries, message, options.Value, now, cancellationToken);
                break;
        }
        await transaction.CommitAsync(cancellationToken);
        LogStepFinished(stepId, attemptId, outcome);
        return FinishResult.Accepted;
    }

    private bool CacheHasPath(string storePath)
    {
        var baseName = Path.GetFileName(storePath);
        return baseName.Length >= 32 && File.Exists(Path.Combine(hydraOptions.Value.CacheDir, baseName[..32] + ".narinfo"));
    }

    private static AttemptState ToAttemptState(StepOutcome outcome) => outcome switch
    {
        StepOutcome.Succeeded => AttemptState.Succeeded,
        StepOutcome.Failed or StepOutcome.TimedOut => AttemptState.Failed,
        _ => AttemptState.Aborted,
    };

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Step {StepId} attempt {AttemptId} finished: {Outcome}")]
    private partial void LogStepFinished(long stepId, long attemptId, StepOutcome outcome);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Step {StepId} attempt {AttemptId}: {Problem}")]
    private partial void LogOutputsMissing(long stepId, long attemptId, string problem);
}
