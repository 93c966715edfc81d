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
    /// <summary>The build ran past its time limit.</summary>
    TimedOut,
    /// <summary>Infrastructure trouble (fetch, upload, disk, shutdown): not the derivation's fault; retried.</summary>
    Aborted,
}
