namespace Hydra.Builder.Transport;

/// <summary>The server's answer to a finish report.</summary>
public enum FinishResult
{
    /// <summary>Recorded (or already recorded: the report is idempotent per attempt).</summary>
    Accepted,
    /// <summary>409: the attempt no longer holds the lease, so the result was discarded.</summary>
    LeaseLost,
    /// <summary>Another 4xx: the server will never accept this report; retrying is pointless.</summary>
    Rejected,
}
