using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Hydra.Queue.Dispatch;

/// <summary>
/// Holds one connection LISTENing on <see cref="QueueChannels.StepsRunnable"/> and pulses
/// <see cref="QueueSignal"/>. On connection loss it reconnects with jittered backoff; claims keep
/// polling meanwhile, so a lost notification only costs latency.
/// </summary>
public sealed partial class QueueListener(NpgsqlDataSource dataSource, QueueSignal signal, ILogger<QueueListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, _) => signal.Pulse();
                await using (var listen = new NpgsqlCommand($"LISTEN {QueueChannels.StepsRunnable}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                failures = 0;
                signal.Pulse();
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or IOException)
            {
                failures++;
                var delay = TimeSpan.FromMilliseconds(Math.Min(30_000, 500 * Math.Pow(2, failures)) * (0.5 + Random.Shared.NextDouble() / 2));
                LogListenFailed(exception, delay);
                await Task.Delay(delay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Queue LISTEN connection failed; reconnecting in {Delay}")]
    private partial void LogListenFailed(Exception exception, TimeSpan delay);
}
