using Hydra.Core.Notifications;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Evaluator.Declarative;

/// <summary>
/// Runs <see cref="GeneratedSpecApplier"/> passes: when a step succeeds or an evaluation queues steps
/// (NOTIFY <c>hydra_steps_runnable</c>), after an evaluation of a generated <c>.jobsets</c>
/// (<see cref="GeneratedSpecApplier.Channel"/>), and every <see cref="EvaluatorOptions.PollInterval"/>,
/// which also covers failed builds (no NOTIFY) and lost notifications. What has been handled is in
/// the database, so a restart resumes where the last committed pass ended.
/// </summary>
public sealed partial class GeneratedSpecWatcher(
    NpgsqlDataSource dataSource,
    GeneratedSpecApplier applier,
    IOptions<EvaluatorOptions> options,
    TimeProvider clock,
    ILogger<GeneratedSpecWatcher> logger) : BackgroundService
{
    /// <summary>The queue's channel (Hydra.Queue's QueueChannels.StepsRunnable), NOTIFYed in the transaction that finishes a step successfully.</summary>
    private const string StepsRunnableChannel = "hydra_steps_runnable";

    private readonly AsyncSignal _wake = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _ = PostgresListener.ListenAsync(dataSource, [StepsRunnableChannel, GeneratedSpecApplier.Channel], _wake, stoppingToken);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wake = _wake.Current;
            var delay = options.Value.PollInterval;
            try
            {
                await applier.ApplyFinishedBuildsAsync(stoppingToken);
                failures = 0;
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The database or the cache is unavailable, or a bug: nothing was claimed, so the next pass retries.
                failures++;
                delay = TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, failures)) * (0.5 + Random.Shared.NextDouble()));
                LogPassFailed(exception, delay);
            }
            // A failed pass waits out its backoff; notifications wake only a healthy loop.
            Task wait = failures == 0 ? Task.WhenAny(wake, Task.Delay(delay, clock, stoppingToken)) : Task.Delay(delay, clock, stoppingToken);
            await wait.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    [LoggerMessage(EventId = 1213, Level = LogLevel.Error, Message = "Applying declarative jobsets builds failed; retrying in {Delay}")]
    private partial void LogPassFailed(Exception exception, TimeSpan delay);
}
