using Hydra.Core.Notifications;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Queue.Dispatch;

/// <summary>
/// Wakes waiting claims after a worker's report made steps runnable (or finished builds): at once in this
/// process (<see cref="QueueSignal"/>), and in every other process through one NOTIFY on
/// <see cref="QueueChannels.StepsRunnable"/>, sent after the report committed and coalesced with the
/// reports of the next few milliseconds.
/// </summary>
/// <remarks>
/// A transaction that NOTIFYs holds a database-wide lock while it commits (so notifications keep commit
/// order); with one NOTIFY in every report, reports queued behind each other on that lock and throughput
/// fell by a third. NOTIFY is only a hint here: a NOTIFY lost with a crash costs waiting claims at most
/// one <see cref="QueueOptions.ClaimPollInterval"/>. With <see cref="QueueOptions.UseNotify"/> off nothing
/// is sent.
/// </remarks>
public sealed partial class RunnableNotifier(NpgsqlDataSource dataSource, QueueSignal signal, IOptions<QueueOptions> options, ILogger<RunnableNotifier> logger)
    : BackgroundService
{
    /// <summary>At most one NOTIFY per this interval; the reports in between share it.</summary>
    private static readonly TimeSpan Spacing = TimeSpan.FromMilliseconds(10);

    private readonly AsyncSignal _requested = new();

    /// <summary>Called after a report committed that made work for waiting claims.</summary>
    public void Pulse()
    {
        signal.Pulse();
        _requested.Pulse();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.UseNotify)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _requested.Current.WaitAsync(stoppingToken);
                await using (var notify = dataSource.CreateCommand($"SELECT pg_notify('{QueueChannels.StepsRunnable}', '')"))
                {
                    await notify.ExecuteNonQueryAsync(stoppingToken);
                }
                await Task.Delay(Spacing, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                // Other processes fall back to polling until the database answers again.
                LogNotifyFailed(exception);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    [LoggerMessage(EventId = 2012, Level = LogLevel.Warning, Message = "Sending the queue's NOTIFY failed; other processes poll meanwhile")]
    private partial void LogNotifyFailed(Exception exception);
}
