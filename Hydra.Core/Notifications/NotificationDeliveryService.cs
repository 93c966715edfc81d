using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Core.Notifications;

/// <summary>
/// The background loop of delivery: a round at once while there is work, otherwise every poll interval.
/// Several processes may run it; <c>SKIP LOCKED</c> shares the deliveries. Between rounds it prunes the outbox
/// once per retention interval (<see cref="NotificationPruner"/>).
/// </summary>
public sealed partial class NotificationDeliveryService(
    NotificationDeliverer deliverer, NotificationPruner pruner, IOptions<NotificationOptions> options, ILogger<NotificationDeliveryService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var delay = options.Value.PollInterval;
            try
            {
                if (await deliverer.RunOnceAsync(stoppingToken) > 0)
                {
                    delay = TimeSpan.Zero;
                }
                await pruner.PruneIfDueAsync(stoppingToken);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                failures++;
                delay = TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, failures)) * (0.5 + (Random.Shared.NextDouble() / 2)));
                LogFailed(exception, delay);
            }
            await Task.Delay(delay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    [LoggerMessage(EventId = 7003, Level = LogLevel.Error, Message = "Notification delivery round failed; next try in {Delay}")]
    private partial void LogFailed(Exception exception, TimeSpan delay);
}
