namespace Hydra.Core.Data.Entities;

/// <summary>Where a step is in the queue. Stored as smallint; values are part of the SQL.</summary>
public enum StepState : short
{
    /// <summary>Waits for a dependency to succeed.</summary>
    Pending = 0,
    /// <summary>All dependencies succeeded; a worker may claim it.</summary>
    Runnable = 1,
    /// <summary>Claimed by a worker under a lease.</summary>
    Running = 2,
    Succeeded = 3,
    Failed = 4,
    Cancelled = 5,
}
