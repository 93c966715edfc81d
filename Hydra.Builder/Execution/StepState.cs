namespace Hydra.Builder.Execution;

/// <summary>Shared between a step's build and its heartbeat: what it is doing, and whether the lease is gone.</summary>
internal sealed class StepState
{
    private volatile string _phase = "starting";
    private volatile string? _leaseLostReason;

    /// <summary>Free text sent with heartbeats and shown on the dashboard.</summary>
    public string Phase
    {
        get => _phase;
        set => _phase = value;
    }

    /// <summary>
    /// The log's batches on their way, started once nothing more will be written (before the upload); its result is the
    /// last batch, for the report to carry (null when there is none, or when the server does not take one).
    /// </summary>
    public Task<string?>? LogFlush { get; set; }

    /// <summary>Set once the server took the lease back (409 or cancel); the step then reports nothing.</summary>
    public string? LeaseLostReason
    {
        get => _leaseLostReason;
        set => _leaseLostReason = value;
    }
}
