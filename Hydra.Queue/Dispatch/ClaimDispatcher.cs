using Hydra.Core.Notifications;
using Hydra.Core.Protocol;
using Hydra.Queue.Workers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Queue.Dispatch;

/// <summary>
/// Serves long-polling claims. A claim first tries at once; if nothing fits it waits here, and on every
/// wake-up (a NOTIFY through <see cref="QueueSignal"/>, or the poll interval in case one was lost) a
/// round offers work to the waiting workers one after the other in Hydra's machine order: least busy
/// for its speed first (running steps / speed factor, rounded), then the faster, then the busier. So
/// when several workers wait, the fastest free one gets the best step; a worker at its slot limit gets
/// nothing. Consecutive claims of workers with the same capabilities go out together and share one statement
/// (<see cref="StepClaimer"/>), which pairs them with the steps in that order.
/// </summary>
/// <remarks>
/// The round claims on behalf of a waiting request and hands the claim over through the request's
/// completion source. Whoever completes that source first wins: if the request timed out or went away
/// first, the claim is released at once (<see cref="StepClaimer.ReleaseAsync"/>) rather than left to
/// expire. The order holds among the workers waiting on this process; with several web processes
/// each orders its own.
/// </remarks>
public sealed partial class ClaimDispatcher(
    StepClaimer claimer, QueueSignal signal, NpgsqlDataSource dataSource, IOptions<QueueOptions> options, TimeProvider clock, ILogger<ClaimDispatcher> logger)
    : BackgroundService
{
    private readonly Lock _lock = new();
    private readonly List<WaitingClaim> _waiting = [];
    private readonly AsyncSignal _wake = new();

    /// <summary>Claims a step for <paramref name="worker"/>, waiting up to <paramref name="wait"/>; null when nothing came.</summary>
    public async Task<ClaimResponse?> ClaimAsync(WorkerIdentity worker, ClaimRequest request, TimeSpan wait, CancellationToken cancellationToken)
    {
        var pulse = signal.Current;
        var claim = await claimer.TryClaimAsync(worker.Id, worker.Name, request, cancellationToken);
        if (claim is not null || wait <= TimeSpan.Zero)
        {
            return claim;
        }
        var waiting = new WaitingClaim(worker, request);
        lock (_lock)
        {
            _waiting.Add(waiting);
        }
        if (pulse.IsCompleted)
        {
            // Something became runnable between the first try and joining the queue: don't sit out a poll interval.
            _wake.Pulse();
        }
        try
        {
            return await waiting.Result.WaitAsync(wait, cancellationToken);
        }
        catch (TimeoutException)
        {
            return waiting.TryComplete(null) ? null : await waiting.Result;
        }
        catch (OperationCanceledException) when (!waiting.TryComplete(null))
        {
            if (await waiting.Result is { } orphan)
            {
                await claimer.ReleaseAsync(orphan, CancellationToken.None);
            }
            throw;
        }
        finally
        {
            lock (_lock)
            {
                _waiting.Remove(waiting);
            }
        }
    }

    /// <summary>Workers waiting on this process right now.</summary>
    public int WaitingCount
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>One dispatch round over the waiting claims (the loop runs it on every wake-up; tests call it directly).</summary>
    public async Task RunRoundAsync(CancellationToken cancellationToken)
    {
        WaitingClaim[] waiting;
        lock (_lock)
        {
            waiting = _waiting.Where(w => !w.Result.IsCompleted).ToArray();
        }
        if (waiting.Length == 0)
        {
            return;
        }
        var (running, blocked) = await RunningStepsAsync(waiting.Select(w => w.Worker.Id).Distinct().ToArray(), cancellationToken);
        int Running(WaitingClaim w) => running.GetValueOrDefault(w.Worker.Id);
        // Disabled or quarantined since they started waiting: answer them empty now. Left in the round, their
        // empty claims would mark their capabilities exhausted and starve healthy workers like them.
        foreach (var gone in waiting.Where(w => blocked.Contains(w.Worker.Id)))
        {
            gone.TryComplete(null);
        }
        var order = waiting.Where(w => !blocked.Contains(w.Worker.Id))
            .OrderBy(w => Math.Round(Running(w) / w.Capabilities.SpeedFactor))
            .ThenByDescending(w => w.Capabilities.SpeedFactor)
            .ThenByDescending(Running)
            .ToList();
        // Consecutive claims with the same capabilities are queued together: they share statements (StepClaimer's group
        // commit), which hand the best step to the first of them, the next best to the second, and so on. When the
        // capabilities change, those claims end first, so the order holds across kinds of workers too.
        var run = new List<(WaitingClaim Request, Task<ClaimResponse?> Claim)>();
        foreach (var next in order)
        {
            if (next.Result.IsCompleted || Running(next) >= next.Capabilities.MaxJobs)
            {
                continue;
            }
            if (run.Count > 0 && run[0].Request.Capabilities.Key != next.Capabilities.Key)
            {
                await HandOverAsync(run);
                run.Clear();
            }
            // The slot is counted for the worker's further requests in this round; the statement checks it again.
            running[next.Worker.Id] = Running(next) + 1;
            run.Add((next, claimer.TryClaimAsync(next.Worker.Id, next.Worker.Name, next.Request, cancellationToken)));
        }
        await HandOverAsync(run);
    }

    /// <summary>Waits for the claims and gives each to its request, or back to the queue when the request has gone.</summary>
    private async Task HandOverAsync(List<(WaitingClaim Request, Task<ClaimResponse?> Claim)> claims)
    {
        try
        {
            await Task.WhenAll(claims.Select(c => c.Claim));
        }
        finally
        {
            // Even when one failed, every claim that was made goes to its request or back to the queue.
            foreach (var (request, claim) in claims)
            {
                if (claim.IsCompletedSuccessfully && claim.Result is { } made && !request.TryComplete(made))
                {
                    await claimer.ReleaseAsync(made, CancellationToken.None);
                }
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var pulse = signal.Current;
            var wake = _wake.Current;
            try
            {
                await RunRoundAsync(stoppingToken);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException or InvalidOperationException or IOException)
            {
                failures++;
                var backoff = TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, failures)) * (0.5 + Random.Shared.NextDouble() / 2));
                LogRoundFailed(exception, backoff);
                await Task.Delay(backoff, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }
            await Task.WhenAny(pulse, wake, Task.Delay(options.Value.ClaimPollInterval, stoppingToken));
        }
    }

    /// <summary>Running attempts per waiting worker, and which of them may not claim now (disabled or quarantined).</summary>
    private async Task<(Dictionary<long, int> Running, HashSet<long> Blocked)> RunningStepsAsync(long[] workers, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT w.id, (SELECT count(*)::int FROM step_attempts a WHERE a.state = 0 AND a.worker_id = w.id AND a.lease_expires_at > @now),
                   NOT w.enabled OR COALESCE(w.quarantined_until > @now, false)
            FROM workers w WHERE w.id = ANY(@workers)
            """);
        command.Parameters.AddWithValue("workers", workers);
        command.Parameters.AddWithValue("now", clock.GetUtcNow());
        var running = new Dictionary<long, int>();
        var blocked = new HashSet<long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            running[reader.GetInt64(0)] = reader.GetInt32(1);
            if (reader.GetBoolean(2))
            {
                blocked.Add(reader.GetInt64(0));
            }
        }
        return (running, blocked);
    }

    [LoggerMessage(EventId = 2011, Level = LogLevel.Error, Message = "Dispatch round failed; next round in {Delay}")]
    private partial void LogRoundFailed(Exception exception, TimeSpan delay);

    /// <summary>A claim request waiting for work; its result is completed exactly once, by the round or by the request.</summary>
    private sealed class WaitingClaim(WorkerIdentity worker, ClaimRequest request)
    {
        private readonly TaskCompletionSource<ClaimResponse?> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public WorkerIdentity Worker { get; } = worker;
        public ClaimRequest Request { get; } = request;
        public WorkerCapabilities Capabilities { get; } = WorkerCapabilities.From(request);
        public Task<ClaimResponse?> Result => _result.Task;

        public bool TryComplete(ClaimResponse? claim) => _result.TrySetResult(claim);
    }
}
