using Hydra.Queue.Completion;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Queue.Dispatch;

/// <summary>
/// The dispatcher's periodic work, every <see cref="QueueOptions.DispatchMaintenanceInterval"/>: refresh
/// the jobsets' fair shares (and the steps whose share bucket moved), fail steps no worker could build
/// for <see cref="QueueOptions.MaxUnsupportedTime"/>, and once an hour prune share history.
/// </summary>
public sealed partial class DispatchMaintenance(
    FairShares shares, QueueMaintenance maintenance, IOptions<QueueOptions> options, TimeProvider clock, ILogger<DispatchMaintenance> logger)
    : BackgroundService
{
    private static readonly TimeSpan PruneInterval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        var lastPrune = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            var delay = options.Value.DispatchMaintenanceInterval;
            try
            {
                var moved = await shares.RefreshAsync(stoppingToken);
                if (moved > 0)
                {
                    LogSharesMoved(moved);
                }
                var unsupported = await maintenance.FailUnsupportedStepsAsync(stoppingToken);
                if (unsupported > 0)
                {
                    LogUnsupported(unsupported);
                }
                if (clock.GetUtcNow() - lastPrune >= PruneInterval)
                {
                    await shares.PruneAsync(stoppingToken);
                    lastPrune = clock.GetUtcNow();
                }
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                failures++;
                delay = TimeSpan.FromSeconds(Math.Min(300, 5 * Math.Pow(2, failures)) * (0.5 + Random.Shared.NextDouble() / 2));
                LogFailed(exception, delay);
            }
            await Task.Delay(delay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    [LoggerMessage(EventId = 2012, Level = LogLevel.Information, Message = "Fair shares refreshed; {Count} steps changed share bucket")]
    private partial void LogSharesMoved(int count);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Warning, Message = "{Count} steps failed as unsupported system: no worker can build them")]
    private partial void LogUnsupported(int count);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Error, Message = "Dispatch maintenance failed; next try in {Delay}")]
    private partial void LogFailed(Exception exception, TimeSpan delay);
}
