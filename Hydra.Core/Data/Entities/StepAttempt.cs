namespace Hydra.Core.Data.Entities;

/// <summary>One claim of a step by a worker. Its id is the fencing token of the lease.</summary>
public sealed class StepAttempt
{
    public long Id { get; set; }
    public long StepId { get; set; }
    public long WorkerId { get; set; }
    public Worker? Worker { get; set; }
    public AttemptState State { get; set; }
    public DateTimeOffset LeaseExpiresAt { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public int? ExitCode { get; set; }
    public string? ErrorMessage { get; set; }
}
