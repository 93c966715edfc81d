using Hydra.Core.Notifications;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Evaluator.Jobsets;

/// <summary>
/// Picks due jobsets (triggered first, then the longest unchecked) and evaluates them, up to
/// <see cref="EvaluatorOptions.MaxConcurrentEvaluations"/> at once. A jobset is claimed by setting
/// <c>eval_started_at</c> under <c>FOR UPDATE SKIP LOCKED</c>, so evaluators on several machines
/// share the work and never evaluate one jobset twice at once; a claim older than the evaluation
/// timeout is considered abandoned (its evaluator died) and may be taken again.
/// </summary>
public sealed partial class JobsetScheduler(
    NpgsqlDataSource dataSource,
    EvaluationRunner runner,
    IOptions<EvaluatorOptions> options,
    TimeProvider clock,
    ILogger<JobsetScheduler> logger) : BackgroundService
{
    private readonly AsyncSignal _wake = new();
    private readonly JobsetClaimer _claimer = new(dataSource, options, clock);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Wakes the loop on triggers; polling covers a lost connection.
        _ = PostgresListener.ListenAsync(dataSource, [JobsetTrigger.Channel], _wake, stoppingToken);
        var running = new List<Task>();
        while (!stoppingToken.IsCancellationRequested)
        {
            var wake = _wake.Current;
            try
            {
                running.RemoveAll(t => t.IsCompleted);
                while (running.Count < options.Value.MaxConcurrentEvaluations && await _claimer.ClaimDueJobsetAsync(stoppingToken) is { } jobsetId)
                {
                    running.Add(EvaluateAsync(jobsetId, stoppingToken));
                }
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                LogSchedulerFailed(exception);
            }
            var finished = running.Count > 0 ? Task.WhenAny(running) : Task.Delay(Timeout.Infinite, stoppingToken);
            await ((Task)Task.WhenAny(finished, wake, Task.Delay(options.Value.PollInterval, clock, stoppingToken)))
                .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        await Task.WhenAll(running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task EvaluateAsync(long jobsetId, CancellationToken cancellationToken)
    {
        try
        {
            await runner.RunAsync(jobsetId, cancellationToken);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            // A bug or a database outage: log it and release the jobset (and clear its phase) so it
            // is tried again. If even the release fails, the claim expires as abandoned.
            LogEvaluationCrashed(exception, jobsetId);
            await _claimer.ReleaseAsync(jobsetId, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down mid-evaluation: give the jobset back (trigger kept, phase cleared) now
            // rather than after the abandoned-claim timeout.
            await _claimer.ReleaseAsync(jobsetId, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Error, Message = "Jobset scheduler pass failed")]
    private partial void LogSchedulerFailed(Exception exception);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Error, Message = "Evaluation of jobset {JobsetId} crashed")]
    private partial void LogEvaluationCrashed(Exception exception, long jobsetId);
}
