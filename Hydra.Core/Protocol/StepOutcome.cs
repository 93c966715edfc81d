using System.Text.Json.Serialization;

namespace Hydra.Core.Protocol;

/// <summary>How an attempt ended, as the worker saw it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<StepOutcome>))]
public enum StepOutcome
{
    /// <summary>Built, and the outputs are in the binary cache.</summary>
    Succeeded,
    /// <summary>The builder failed: permanent, dependents fail too.</summary>
    Failed,
    /// <summary>The build ran past its time limit, or was silent for too long (status 7).</summary>
    TimedOut,
    /// <summary>Infrastructure trouble (fetch, upload, disk, shutdown): not the derivation's fault; retried.</summary>
    Aborted,
    /// <summary>
    /// Nix built it, but an output holds <c>nix-support/failed</c> (status 6). The outputs are in the cache, like a
    /// success: dependents still build, only the builds of this very derivation count as failed.
    /// </summary>
    FailedWithOutput,
    /// <summary>The build wrote more log than allowed and was stopped (status 10).</summary>
    LogLimitExceeded,
    /// <summary>The outputs' NAR size is above the limit; they were not uploaded (status 11).</summary>
    OutputLimitExceeded,
}
