namespace Hydra.Builder.Transport;

/// <summary>What a heartbeat told us about the lease.</summary>
public enum HeartbeatResult
{
    /// <summary>Lease renewed; keep building.</summary>
    Renewed,
    /// <summary>The step was cancelled on the server: stop building, report nothing.</summary>
    Cancelled,
    /// <summary>409: the server took the lease back (expired or reassigned): stop building, report nothing.</summary>
    LeaseLost,
}
