using Hydra.Builder.Nix;
using Hydra.Builder.Nix.Daemon;
using Hydra.Builder.Nix.Serve;
using Hydra.Builder.NixSupport;
using Hydra.Builder.Upload;
using Hydra.Builder.Transport;
using Hydra.Builder.Worker;
using Hydra.Core.Protocol;
using Microsoft.Extensions.Logging;

namespace Hydra.Builder.Execution;

/// <summary>
/// Runs one claimed step: heartbeat, fetch the derivation, build it, push the outputs, report.
/// Never throws: every way a step can end becomes a report (or, when the lease is gone, deliberately none).
/// </summary>
public sealed class StepExecutor(
    WorkerClient client,
    NixDaemonPool daemons,
    NixServePool serve,
    CacheUploader uploader,
    TimeProvider timeProvider,
    ILogger<StepExecutor> logger)
{
    private const int UploadTries = 3;
    private static readonly TimeSpan ReportDeadline = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan LogFlushTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Batching limits for the step logs.</summary>
    public LogStreamerOptions LogOptions { get; init; } = new();

    /// <param name="abortToken">Fires when the worker stops draining: kill Nix and report Aborted.</param>
    public async Task RunAsync(ClaimResponse claim, WorkerSession session, CancellationToken abortToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["StepId"] = claim.StepId,
            ["AttemptId"] = claim.AttemptId,
            ["DrvPath"] = claim.DrvPath,
        });
        BuilderLog.StepClaimed(logger, claim.StepId, claim.AttemptId, claim.DrvPath, claim.System);

        var state = new StepState();
        var timings = new StepTimings(timeProvider);
        using var leaseLost = new CancellationTokenSource();
        using var build = CancellationTokenSource.CreateLinkedTokenSource(abortToken, leaseLost.Token);
        using var stopHeartbeat = new CancellationTokenSource();
        var streamer = new LogStreamer(
            (bytes, ct) => client.AppendLogAsync(claim.AttemptId, bytes, ct), LogOptions, timeProvider, logger);
        var heartbeat = HeartbeatLoopAsync(claim, session, state, leaseLost, stopHeartbeat.Token);
        try
        {
            FinishRequest result;
            try
            {
                result = await BuildAsync(claim, session, streamer, state, timings, build.Token);
            }
            catch (OperationCanceledException) when (build.IsCancellationRequested)
            {
                if (!leaseLost.IsCancellationRequested)
                {
                    BuilderLog.StepInterrupted(logger, claim.StepId);
                }

                result = new FinishRequest(StepOutcome.Aborted, null, "hydra-builder shut down before the step finished.", []);
            }
            catch (Exception e)
            {
                BuilderLog.StepCrashed(logger, claim.StepId, claim.DrvPath, e);
                result = new FinishRequest(StepOutcome.Aborted, null, $"hydra-builder: {e.Message}", []);
            }

            if (state.LeaseLostReason is { } reason)
            {
                // The server already took the step back and may have given it to someone else: say nothing.
                BuilderLog.LeaseLost(logger, claim.StepId, claim.AttemptId, reason);
                return;
            }

            // Usually under way since before the upload, which it overlapped.
            var logTail = await (state.LogFlush ?? FlushLogAsync(streamer, session));
            timings.Mark("log flush");

            if (streamer.DroppedBytes > 0)
            {
                BuilderLog.LogDropped(logger, claim.StepId, streamer.DroppedBytes);
            }

            state.Phase = "reporting";
            await ReportAsync(claim, result with { Log = logTail });
            timings.Mark("report");
            BuilderLog.StepTimings(logger, claim.StepId, timings.TotalMilliseconds, timings.ToString());
        }
        finally
        {
            await stopHeartbeat.CancelAsync();
            await heartbeat;
            await streamer.DisposeAsync();
        }
    }

    /// <summary>
    /// Builds, checks and uploads on one daemon session, held until the outputs are in the cache: the daemon keeps
    /// the paths it built alive (temporary GC roots) for as long as it runs, so they cannot be collected before.
    /// </summary>
    private Task<FinishRequest> BuildAsync(
        ClaimResponse claim, WorkerSession session, LogStreamer streamer, StepState state, StepTimings timings, CancellationToken cancellationToken) =>
        daemons.UseAsync(
            new NixDaemonSettings(session.Info.CacheUrl, session.Info.CachePublicKey, session.BuildHookPath, session.NetrcPath),
            nixDaemon => BuildOnAsync(nixDaemon, claim, session, streamer, state, timings, cancellationToken),
            cancellationToken);

    private async Task<FinishRequest> BuildOnAsync(
        NixDaemonSession nixDaemon, ClaimResponse claim, WorkerSession session, LogStreamer streamer, StepState state, StepTimings timings,
        CancellationToken cancellationToken)
    {
        var limits = claim.Limits ?? StepLimits.None;
        var tail = new LogTail();
        var budget = new LogBudget(limits.MaxLogBytes);
        using var overLimit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void OnLine(string line)
        {
            if (budget.TryConsume(line))
            {
                streamer.WriteLine(line);
                tail.Add(line);
            }
            else if (!overLimit.IsCancellationRequested)
            {
                streamer.WriteLine($"[hydra-builder: the log passed its limit of {budget.MaxBytes} bytes; stopping the build]");
                // Asynchronously: this runs inside the daemon session's read loop, which the kill then ends.
                _ = overLimit.CancelAsync();
            }
        }

        var info = session.Info;
        // The .drv (when missing here) and the inputs are substituted from the cache by the daemon itself, unless
        // all are here already: then Nix need not ask the cache about anything.
        var (derivation, allLocal) = await LocalInputs.CheckAsync(claim.DrvPath, nixDaemon, cancellationToken);
        timings.Mark("inputs");
        state.Phase = "building";
        int exitCode;
        try
        {
            var built = await nixDaemon.BuildAsync(
                claim.DrvPath, limits.TimeoutSeconds, limits.MaxSilentSeconds, OnLine, overLimit.Token, useSubstitutes: !allLocal);
            exitCode = built.ExitCode;
        }
        catch (OperationCanceledException) when (budget.Exceeded && !cancellationToken.IsCancellationRequested)
        {
            exitCode = -1;
        }

        if (budget.Exceeded)
        {
            return new FinishRequest(StepOutcome.LogLimitExceeded, exitCode, $"The build wrote more than {budget.MaxBytes} bytes of log and was stopped.", []);
        }

        var outcome = ExitCodeClassifier.Classify(exitCode);
        if (outcome != StepOutcome.Succeeded)
        {
            return new FinishRequest(outcome, exitCode, tail.ToString(), []);
        }

        timings.Mark("build");
        state.Phase = "checking outputs";
        var outputNames = derivation is null ? await DerivationOutputs.ReadAsync(claim.DrvPath, cancellationToken) : DerivationOutputs.Of(derivation);
        IReadOnlyList<string> paths = claim.OutputPaths.Count > 0 ? claim.OutputPaths : [.. outputNames.Keys];
        var pathInfos = await serve.UseAsync(session => session.QueryPathInfosAsync(paths, cancellationToken), cancellationToken);
        if (paths.FirstOrDefault(p => !pathInfos.Any(i => i.Path == p)) is { } absent)
        {
            throw new InvalidOperationException($"Nix built {claim.DrvPath}, but its output {absent} is not valid in the store.");
        }

        var outputs = pathInfos
            .Select(p => new StepOutputInfo(outputNames.GetValueOrDefault(p.Path, "out"), p.Path, SriHash(p.NarHash), p.NarSize))
            .ToList();
        var narSize = outputs.Sum(o => o.NarSize ?? 0);
        if (limits.MaxOutputBytes > 0 && narSize > limits.MaxOutputBytes)
        {
            // Not uploaded: the cache never holds what the farm refused.
            var message = $"The outputs are {narSize} bytes (NAR size), more than the limit of {limits.MaxOutputBytes} bytes.";
            streamer.WriteLine($"[hydra-builder: {message}]");
            return new FinishRequest(StepOutcome.OutputLimitExceeded, exitCode, message, outputs);
        }

        var support = await NixSupportReader.ReadAsync(
            outputs.DistinctBy(o => o.Name).ToDictionary(o => o.Name, o => o.Path), cancellationToken);

        timings.Mark("path info");
        // Nothing more goes into the log: its last batch travels while the outputs upload.
        state.LogFlush = FlushLogAsync(streamer, session);
        state.Phase = "uploading";
        // A step with one output is only handed out while that output is missing from the cache (the server finishes it as
        // cached otherwise), so the cache need not be asked again. With several outputs some may be cached: those are asked.
        var knownMissing = claim.OutputPaths.Count == 1 ? new HashSet<string>(claim.OutputPaths, StringComparer.Ordinal) : null;
        var backoff = Backoff.Default();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await uploader.UploadAsync(new Uri(info.CacheUrl), pathInfos, cancellationToken, knownMissing);
                break;
            }
            catch (Exception e) when (e is HttpRequestException or InvalidDataException or IOException
                                      || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                BuilderLog.UploadFailed(logger, claim.StepId, attempt, e);
                if (attempt == UploadTries)
                {
                    return new FinishRequest(StepOutcome.Aborted, exitCode, $"Uploading the outputs to the cache failed: {e.Message}", []);
                }
            }

            await Task.Delay(backoff.NextDelay(), timeProvider, cancellationToken);
        }

        timings.Mark("upload");

        // Nix succeeded; a build that wrote nix-support/failed still keeps (and ships) its outputs, as in Hydra.
        return new FinishRequest(
            support.Failed ? StepOutcome.FailedWithOutput : StepOutcome.Succeeded,
            exitCode,
            support.Failed ? $"The build marked itself failed (nix-support/failed).\n{tail}" : null,
            outputs,
            support.Products,
            support.Metrics,
            support.ReleaseName);
    }

    /// <summary>
    /// Sends what is left of the log, but for its last batch when the server takes that with the report (returned, as
    /// text); gives the rest up after <see cref="LogFlushTimeout"/> (the report matters more).
    /// </summary>
    private async Task<string?> FlushLogAsync(LogStreamer streamer, WorkerSession session)
    {
        using var flush = new CancellationTokenSource(LogFlushTimeout, timeProvider);
        if (!session.Info.FinishTakesLog)
        {
            await streamer.CompleteAsync(flush.Token);
            return null;
        }

        return await streamer.DetachAsync(flush.Token) is { } rest ? System.Text.Encoding.UTF8.GetString(rest) : null;
    }

    private async Task HeartbeatLoopAsync(
        ClaimResponse claim, WorkerSession session, StepState state, CancellationTokenSource leaseLost, CancellationToken cancellationToken)
    {
        var seconds = claim.HeartbeatSeconds > 0 ? claim.HeartbeatSeconds : Math.Max(1, session.Info.HeartbeatSeconds);
        var interval = TimeSpan.FromSeconds(seconds);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, timeProvider, cancellationToken);
                var answer = await client.HeartbeatAsync(claim.AttemptId, new HeartbeatRequest(state.Phase), cancellationToken);
                if (answer != HeartbeatResult.Renewed)
                {
                    state.LeaseLostReason = answer == HeartbeatResult.Cancelled ? "cancelled on the server" : "heartbeat answered 409";
                    await leaseLost.CancelAsync();
                    return;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Transient: the next beat is the retry. The lease outlives a few missed beats.
                BuilderLog.HeartbeatFailed(logger, claim.StepId, e);
            }
        }
    }

    /// <summary>
    /// Reports the result, retrying network errors and 5xx for up to <see cref="ReportDeadline"/>.
    /// At-least-once holds because a report is only dropped after the server answered it (2xx, 409, 4xx) or the
    /// deadline passed; in the latter case the lease expires and the server's reaper re-queues the step, so it is
    /// retried rather than lost. Duplicates are harmless: the server records a finish as a compare-and-set on the
    /// attempt id (the lease's fencing token), so a second report of the same attempt changes nothing and a report
    /// of an attempt whose lease was taken back is refused with 409.
    /// </summary>
    private async Task ReportAsync(ClaimResponse claim, FinishRequest result)
    {
        var started = timeProvider.GetTimestamp();
        var backoff = Backoff.Default();
        while (true)
        {
            try
            {
                switch (await client.FinishAsync(claim.AttemptId, result, CancellationToken.None))
                {
                    case FinishResult.Accepted:
                        BuilderLog.StepFinished(logger, claim.StepId, result.Outcome, result.ExitCode, claim.DrvPath);
                        return;
                    case FinishResult.LeaseLost:
                        BuilderLog.LeaseLost(logger, claim.StepId, claim.AttemptId, "finish answered 409");
                        return;
                    default:
                        BuilderLog.ReportRejected(logger, claim.StepId);
                        return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                var elapsed = timeProvider.GetElapsedTime(started);
                if (elapsed >= ReportDeadline)
                {
                    BuilderLog.ReportGivenUp(logger, claim.StepId, elapsed);
                    return;
                }

                BuilderLog.ReportFailed(logger, claim.StepId, e);
                await Task.Delay(backoff.NextDelay(), timeProvider);
            }
        }
    }

    /// <summary>Nix's serve protocol sends <c>sha256:&lt;nixbase32&gt;</c>; steps report SRI, as <c>nix path-info --json</c> printed it.</summary>
    private static string SriHash(string narHash) =>
        "sha256-" + Convert.ToBase64String(Hydra.Core.Nix.NixBase32.Decode(narHash["sha256:".Length..]));
}
