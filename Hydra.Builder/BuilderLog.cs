using Hydra.Core.Protocol;
using Microsoft.Extensions.Logging;

namespace Hydra.Builder;

/// <summary>Source-generated log messages of the builder. Event ids are stable: dashboards and alerts key on them.</summary>
internal static partial class BuilderLog
{
    [LoggerMessage(1, LogLevel.Information,
        "Worker {Worker} starting: server {Server}, systems {Systems}, features {Features}, mandatory features {MandatoryFeatures}, speed factor {SpeedFactor}, {MaxJobs} job slot(s)")]
    public static partial void Starting(ILogger logger, string worker, Uri server, string systems, string features, string mandatoryFeatures, double speedFactor, int maxJobs);

    // The reason, not the exception: an unreachable server is expected, and a stack trace per outage is noise.
    [LoggerMessage(2, LogLevel.Warning, "Server unreachable ({Operation}): {Reason}; retrying with backoff until it answers")]
    public static partial void ServerUnreachable(ILogger logger, string operation, string reason);

    [LoggerMessage(3, LogLevel.Debug, "Server still unreachable ({Operation}), next try in {Delay}")]
    public static partial void ServerStillUnreachable(ILogger logger, string operation, TimeSpan delay);

    [LoggerMessage(4, LogLevel.Information, "Server reachable again ({Operation}) after {Failures} failure(s)")]
    public static partial void ServerReachable(ILogger logger, string operation, int failures);

    [LoggerMessage(5, LogLevel.Information, "Connected as {Worker}: cache {CacheUrl}, heartbeat every {HeartbeatSeconds} s")]
    public static partial void Connected(ILogger logger, string worker, string cacheUrl, int heartbeatSeconds);

    [LoggerMessage(6, LogLevel.Information, "Draining: no new claims; running steps get {DrainTimeout} to finish")]
    public static partial void Draining(ILogger logger, TimeSpan drainTimeout);

    [LoggerMessage(7, LogLevel.Error, "Job slot {Slot} failed unexpectedly; continuing")]
    public static partial void SlotIterationFailed(ILogger logger, int slot, Exception exception);

    [LoggerMessage(8, LogLevel.Warning, "Low disk space: {StoreDir} has {FreeMiB} MiB free, less than --min-free-disk {MinFreeMiB} MiB; not claiming steps until space returns")]
    public static partial void DiskSpaceLow(ILogger logger, string storeDir, long freeMiB, long minFreeMiB);

    [LoggerMessage(9, LogLevel.Information, "Disk space is back: {StoreDir} has {FreeMiB} MiB free; claiming steps again")]
    public static partial void DiskSpaceBack(ILogger logger, string storeDir, long freeMiB);

    [LoggerMessage(24, LogLevel.Information, "Released {Count} attempt(s) left running by a previous run of this worker; the server queues their steps again")]
    public static partial void ReleasedPreviousAttempts(ILogger logger, int count);

    [LoggerMessage(10, LogLevel.Information, "Claimed step {StepId} (attempt {AttemptId}): {DrvPath} for {System}")]
    public static partial void StepClaimed(ILogger logger, long stepId, long attemptId, string drvPath, string system);

    [LoggerMessage(11, LogLevel.Information, "Step {StepId} {Outcome} (exit code {ExitCode}): {DrvPath}")]
    public static partial void StepFinished(ILogger logger, long stepId, StepOutcome outcome, int? exitCode, string drvPath);

    [LoggerMessage(12, LogLevel.Warning, "Step {StepId} (attempt {AttemptId}) lost its lease ({Reason}); stopped without reporting")]
    public static partial void LeaseLost(ILogger logger, long stepId, long attemptId, string reason);

    [LoggerMessage(13, LogLevel.Warning, "Heartbeat for step {StepId} failed; will retry")]
    public static partial void HeartbeatFailed(ILogger logger, long stepId, Exception exception);

    [LoggerMessage(15, LogLevel.Warning, "Uploading the outputs of step {StepId} failed (try {Try})")]
    public static partial void UploadFailed(ILogger logger, long stepId, int @try, Exception exception);

    [LoggerMessage(16, LogLevel.Warning, "Reporting step {StepId} failed; retrying")]
    public static partial void ReportFailed(ILogger logger, long stepId, Exception exception);

    [LoggerMessage(17, LogLevel.Error, "Gave up reporting step {StepId} after {Elapsed}; its lease will expire and the server retries it")]
    public static partial void ReportGivenUp(ILogger logger, long stepId, TimeSpan elapsed);

    [LoggerMessage(18, LogLevel.Error, "The server rejected the report of step {StepId}")]
    public static partial void ReportRejected(ILogger logger, long stepId);

    [LoggerMessage(19, LogLevel.Error, "Step {StepId} failed inside the builder: {DrvPath}")]
    public static partial void StepCrashed(ILogger logger, long stepId, string drvPath, Exception exception);

    [LoggerMessage(20, LogLevel.Warning, "Drain timeout reached: killing Nix for step {StepId}")]
    public static partial void StepInterrupted(ILogger logger, long stepId);

    [LoggerMessage(21, LogLevel.Debug, "Sending a log batch failed; will retry")]
    public static partial void LogBatchFailed(ILogger logger, Exception exception);

    [LoggerMessage(22, LogLevel.Warning, "Step {StepId}: {Bytes} bytes of log dropped because the server was slow")]
    public static partial void LogDropped(ILogger logger, long stepId, long bytes);

    [LoggerMessage(23, LogLevel.Information, "Stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(25, LogLevel.Debug, "Step {StepId} held {TotalMs:F1} ms: {Phases}")]
    public static partial void StepTimings(ILogger logger, long stepId, double totalMs, string phases);

    [LoggerMessage(26, LogLevel.Debug, "nix-store --serve: {Line}")]
    public static partial void ServeMessage(ILogger logger, string line);

    [LoggerMessage(27, LogLevel.Debug, "{StorePath} is in the cache already; not uploading it")]
    public static partial void AlreadyCached(ILogger logger, string storePath);

    [LoggerMessage(28, LogLevel.Debug, "Uploaded {StorePath}: NAR {NarSize} bytes, {FileSize} bytes as {Compression}")]
    public static partial void Uploaded(ILogger logger, string storePath, long narSize, long fileSize, string compression);

    [LoggerMessage(29, LogLevel.Debug, "nix-daemon --stdio: {Line}")]
    public static partial void DaemonMessage(ILogger logger, string line);
}
