using Hydra.Queue.Completion;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Queue.Leases;

/// <summary>
/// Periodically takes back expired leases (the attempt becomes Aborted and the step is retried)
/// and repairs what a crash between two transactions could leave behind.
/// </summary>
public sealed partial class LeaseReaper(QueueMaintenance maintenance, IOptions<QueueOptions> options, ILogger<LeaseReaper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var delay = options.Value.ReaperInterval;
            try
            {
                var reaped = await maintenance.ReapExpiredLeasesAsync(stoppingToken);
                if (reaped > 0)
                {
                    LogReaped(reaped);
                }
                await maintenance.RepairAsync(stoppingToken);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                failures++;
                delay = TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, failures)) * (0.5 + Random.Shared.NextDouble() / 2));
                LogFailed(exception, delay);
            }
            await Task.Delay(delay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    [LoggerMessage(EventId = 2201, Level = LogLevel.Warning, Message = "Took back {Count} expired step leases")]
    private partial void LogReaped(int count);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Error, Message = "Lease reaper failed; next try in {Delay}")]
    private partial void LogFailed(Exception exception, TimeSpan delay);
}
