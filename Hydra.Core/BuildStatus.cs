namespace Hydra.Core;

/// <summary>Hydra's build and step status codes, kept as-is so existing clients read them.</summary>
public static class BuildStatus
{
    public const int Succeeded = 0;
    public const int Failed = 1;
    public const int DependencyFailed = 2;
    public const int Aborted = 3;
    public const int Cancelled = 4;
    public const int FailedWithOutput = 6;
    public const int TimedOut = 7;
    public const int CachedFailure = 8;
    public const int UnsupportedSystem = 9;
    public const int LogLimitExceeded = 10;
    public const int OutputLimitExceeded = 11;
    public const int NonDeterministic = 12;

    /// <summary>Human text for a status, as the dashboard shows it.</summary>
    public static string Describe(int? status, bool finished) => (finished, status) switch
    {
        (false, _) => "Queued",
        (_, Succeeded) => "Succeeded",
        (_, Failed) => "Failed",
        (_, DependencyFailed) => "Dependency failed",
        (_, Aborted) => "Aborted",
        (_, Cancelled) => "Cancelled",
        (_, FailedWithOutput) => "Failed with output",
        (_, TimedOut) => "Timed out",
        (_, CachedFailure) => "Cached failure",
        (_, UnsupportedSystem) => "Unsupported system type",
        (_, LogLimitExceeded) => "Log limit exceeded",
        (_, OutputLimitExceeded) => "Output limit exceeded",
        (_, NonDeterministic) => "Non-deterministic",
        _ => $"Unknown status {status}",
    };
}
