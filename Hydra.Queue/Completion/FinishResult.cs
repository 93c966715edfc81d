namespace Hydra.Queue.Completion;

/// <summary>What became of a worker's report.</summary>
public enum FinishResult
{
    /// <summary>Recorded; the step and its builds moved on.</summary>
    Accepted,
    /// <summary>The same report arrived again (a retry after a lost answer); nothing changed.</summary>
    Duplicate,
    /// <summary>The attempt no longer holds the step (lease expired, step finished elsewhere): rejected.</summary>
    Stale,
}
