using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Core.Notifications;

/// <summary>
/// Keeps the outbox from growing for ever (<see cref="NotificationOptions.RetentionSettings"/>): deletes delivered
/// deliveries after <c>Delivered</c>, failed ones after <c>Failed</c>, then events that were fanned out and have no
/// delivery left. Pending deliveries and events not yet fanned out are never touched. Each statement deletes at most
/// <c>BatchSize</c> rows and commits on its own, skipping rows a delivery worker or an administrator holds, so the
/// pruner never blocks delivery for long; several processes may prune at once.
/// </summary>
public sealed partial class NotificationPruner(
    NpgsqlDataSource dataSource, IOptions<NotificationOptions> options, TimeProvider clock, ILogger<NotificationPruner> logger)
{
    private DateTimeOffset _nextRun = DateTimeOffset.MinValue;

    /// <summary>What one pruning deleted.</summary>
    public sealed record Pruned(long Delivered, long Failed, long Events);

    /// <summary>Prunes when the last pruning of this process is <c>Interval</c> ago (or there was none); null when not due.</summary>
    public async Task<Pruned?> PruneIfDueAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var interval = options.Value.Retention.Interval;
        if (interval <= TimeSpan.Zero || now < _nextRun)
        {
            return null;
        }
        // Set before the work: a pruning that fails is tried again at the next interval, not in every round.
        _nextRun = now + interval;
        return await PruneAsync(cancellationToken);
    }

    public async Task<Pruned> PruneAsync(CancellationToken cancellationToken)
    {
        var retention = options.Value.Retention;
        var now = clock.GetUtcNow();
        var delivered = retention.Delivered > TimeSpan.Zero
            ? await DeleteInBatchesAsync(
                """
                DELETE FROM notification_deliveries WHERE id IN (
                    SELECT id FROM notification_deliveries WHERE state = 1 AND delivered_at < @cutoff LIMIT @batch FOR UPDATE SKIP LOCKED)
                """, now - retention.Delivered, cancellationToken)
            : 0;
        var failed = retention.Failed > TimeSpan.Zero
            ? await DeleteInBatchesAsync(
                """
                DELETE FROM notification_deliveries WHERE id IN (
                    SELECT id FROM notification_deliveries WHERE state = 2 AND last_attempt_at < @cutoff LIMIT @batch FOR UPDATE SKIP LOCKED)
                """, now - retention.Failed, cancellationToken)
            : 0;
        // An event goes with its last delivery (or, if it matched no sink, after the same time); one whose delivery is
        // kept (failed, pending) stays with it.
        var events = retention.Delivered > TimeSpan.Zero
            ? await DeleteInBatchesAsync(
                """
                DELETE FROM notification_events WHERE id IN (
                    SELECT e.id FROM notification_events e
                    WHERE e.fanned_out AND e.created_at < @cutoff
                      AND NOT EXISTS (SELECT 1 FROM notification_deliveries d WHERE d.event_id = e.id)
                    LIMIT @batch FOR UPDATE SKIP LOCKED)
                """, now - retention.Delivered, cancellationToken)
            : 0;
        if (delivered + failed + events > 0)
        {
            LogPruned(delivered, failed, events);
        }
        return new Pruned(delivered, failed, events);
    }

    /// <summary>Runs <paramref name="sql"/> (one batch per statement, its own transaction) until a batch comes back short.</summary>
    private async Task<long> DeleteInBatchesAsync(string sql, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var batch = options.Value.Retention.BatchSize;
        long total = 0;
        int deleted;
        do
        {
            await using var command = dataSource.CreateCommand(sql);
            command.Parameters.AddWithValue("cutoff", cutoff);
            command.Parameters.AddWithValue("batch", batch);
            deleted = await command.ExecuteNonQueryAsync(cancellationToken);
            total += deleted;
        }
        while (deleted == batch);
        return total;
    }

    [LoggerMessage(EventId = 7004, Level = LogLevel.Information,
        Message = "Pruned the notification outbox: {Delivered} delivered and {Failed} failed deliveries, {Events} events")]
    private partial void LogPruned(long delivered, long failed, long events);
}
