using Hydra.Builder.Configuration;
using Hydra.Builder.Execution;
using Hydra.Builder.Nix;
using Hydra.Builder.Nix.Daemon;
using Hydra.Builder.Transport;
using Hydra.Core.Protocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Hydra.Builder.Worker;

/// <summary>
/// The worker loop: fetch the server's info, give back what a previous run of this worker held, then run
/// <see cref="BuilderOptions.MaxJobs"/> slots, each long-polling for a step and running it. Slots do not claim
/// while the store's disk is nearly full (<see cref="DiskSpaceGate"/>). On shutdown (SIGTERM) slots stop
/// claiming and running steps get <see cref="BuilderOptions.DrainTimeout"/> to finish before Nix is killed
/// and they are reported Aborted.
/// </summary>
public sealed class WorkerService(
    WorkerClient client,
    StepExecutor executor,
    DiskSpaceGate diskSpace,
    BuilderOptions options,
    TimeProvider timeProvider,
    ILogger<WorkerService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        BuilderLog.Starting(logger, options.Name, options.Server, string.Join(',', options.Systems), string.Join(',', options.Features),
            string.Join(',', options.MandatoryFeatures), options.SpeedFactor, options.MaxJobs);
        var info = await RetryWhileUnreachableAsync<WorkerInfo>("worker info", async ct => await client.GetInfoAsync(ct), stoppingToken);
        if (info is null)
        {
            return;
        }

        // Steps a crashed or killed previous run held would otherwise wait out their leases.
        var released = await RetryWhileUnreachableAsync<ReleaseResponse>("release", async ct => await client.ReleaseAsync(ct), stoppingToken);
        if (released is null)
        {
            return;
        }
        if (released.Released > 0)
        {
            BuilderLog.ReleasedPreviousAttempts(logger, released.Released);
        }

        BuilderLog.Connected(logger, info.WorkerName, info.CacheUrl, info.HeartbeatSeconds);
        var session = new WorkerSession(
            info, DeclineBuildHook.Write(options.WorkDir), DaemonNetrc.Write(options.WorkDir, info.CacheUrl, options.Token));

        using var drain = new CancellationTokenSource(Timeout.InfiniteTimeSpan, timeProvider);
        await using (stoppingToken.Register(() =>
        {
            BuilderLog.Draining(logger, options.DrainTimeout);
            drain.CancelAfter(options.DrainTimeout);
        }))
        {
            var slots = Enumerable.Range(0, options.MaxJobs).Select(slot => RunSlotAsync(slot, session, stoppingToken, drain.Token));
            await Task.WhenAll(slots);
        }

        BuilderLog.Stopped(logger);
    }

    private async Task RunSlotAsync(int slot, WorkerSession session, CancellationToken stoppingToken, CancellationToken abortToken)
    {
        var request = new ClaimRequest(options.Systems, options.Features, (int)options.ClaimWait.TotalSeconds,
            MandatoryFeatures: options.MandatoryFeatures, MaxJobs: options.MaxJobs, SpeedFactor: options.SpeedFactor);
        while (!stoppingToken.IsCancellationRequested)
        {
            if (!await diskSpace.WaitForSpaceAsync(stoppingToken))
            {
                break;
            }

            // A claim cut short by shutdown may have been granted without us hearing the answer; that attempt's
            // lease simply expires and the server's reaper hands the step out again.
            var claim = await RetryWhileUnreachableAsync("claim", ct => client.ClaimAsync(request, ct), stoppingToken);
            if (claim is null)
            {
                continue;
            }

            try
            {
                await executor.RunAsync(claim, session, abortToken);
            }
            catch (Exception e)
            {
                BuilderLog.SlotIterationFailed(logger, slot, e);
            }
        }
    }

    /// <summary>
    /// Calls the server until it answers, backing off with jitter (1 s doubling to 30 s) and logging once per
    /// failure streak. This is how the worker reconnects after the server or the network went away. Returns <c>null</c> when stopping (or when the call itself returned null).
    /// </summary>
    private async Task<T?> RetryWhileUnreachableAsync<T>(
        string operation, Func<CancellationToken, Task<T?>> call, CancellationToken stoppingToken)
        where T : class
    {
        var backoff = Backoff.Default();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var result = await call(stoppingToken);
                if (backoff.Failures > 0)
                {
                    BuilderLog.ServerReachable(logger, operation, backoff.Failures);
                }

                return result;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return null;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                var first = backoff.Failures == 0;
                var delay = backoff.NextDelay();
                if (first)
                {
                    BuilderLog.ServerUnreachable(logger, operation, e.Message);
                }
                else
                {
                    BuilderLog.ServerStillUnreachable(logger, operation, delay);
                }

                try
                {
                    await Task.Delay(delay, timeProvider, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
            }
        }

        return null;
    }
}
