namespace Hydra.Queue.Logs;

/// <summary>
/// A running attempt about to append a log batch, as <see cref="Leases.LeaseService.StartLogBatchAsync"/> found it:
/// which step's log to append to, and the attempt's header when this is its first batch.
/// </summary>
public sealed record LoggingAttempt(long StepId, int Tries, string DrvPath, string WorkerName, DateTimeOffset StartedAt, bool FirstBatch)
{
    /// <summary>The line that marks where the attempt starts in the step's log (after a blank line for a retry).</summary>
    public string Header => $"{(Tries > 1 ? "\n" : "")}=== attempt {Tries} of {DrvPath} on {WorkerName} at {StartedAt:u} ===\n";
}
