using Hydra.Core;
using Hydra.Core.Storage;
using Hydra.Queue.Completion;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Hydra.Queue.Dispatch;

/// <summary>
/// The last line of "never build what the cache has". Ingestion plans no step for a derivation whose
/// outputs are all in the cache, but outputs can arrive after that: the step for the same derivation
/// finished between planning and insertion, a fixed-output derivation with another .drv produced the
/// same path, or someone copied the path in. A claimed step whose outputs are all present is therefore
/// finished as a success without being handed out, and the builds whose top step it is count as cached.
/// </summary>
public sealed partial class CachedSteps(NpgsqlDataSource dataSource, ICacheStorage storage, TimeProvider clock, ILogger<CachedSteps> logger)
{
    /// <summary>Whether every output is in the farm's cache (a derivation without known outputs never is).</summary>
    public Task<bool> AllInCacheAsync(IReadOnlyList<string> outputPaths, CancellationToken cancellationToken) =>
        storage.HasAllAsync(outputPaths, cancellationToken);

    /// <summary>
    /// Finishes a step just claimed under <paramref name="attemptId"/> as succeeded, its attempt too, and
    /// marks the builds it completes as cached. Compare-and-set on the attempt, like a worker's report.
    /// </summary>
    public async Task FinishAsync(long stepId, long attemptId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand(
            """
            UPDATE step_attempts SET state = 1, finished_at = @now, error_message = 'outputs already in the binary cache; not built'
            WHERE id = @attempt AND state = 0;
            UPDATE builds SET is_cached_build = true
            WHERE top_step_id = @step AND NOT finished
              AND EXISTS (SELECT 1 FROM steps WHERE id = @step AND current_attempt_id = @attempt AND state = 2);
            """, connection, transaction))
        {
            command.Parameters.AddWithValue("now", now);
            command.Parameters.AddWithValue("attempt", attemptId);
            command.Parameters.AddWithValue("step", stepId);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await StepTransitions.SucceedAsync(connection, transaction, stepId, BuildStatus.Succeeded, null, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogCached(stepId);
    }

    [LoggerMessage(EventId = 2010, Level = LogLevel.Information, Message = "Step {StepId}: outputs already in the binary cache; finished without building")]
    private partial void LogCached(long stepId);
}
