namespace Hydra.Web.Pages.Admin;

/// <summary>
/// What the background loops leave in the database, read in one statement for the admin page. The loops keep no
/// run log of their own, so this is their traces: the evaluator's checks and errors, the queue's steps, leases the
/// reaper has not taken back yet (a growing number means no reaper runs), the failure cache and live workers.
/// </summary>
public sealed record BackgroundWork(
    int Evaluating,
    int Triggered,
    DateTimeOffset? LastChecked,
    DateTimeOffset? LastEvaluation,
    int FailingJobsets,
    int RunnableSteps,
    int UnsupportedSteps,
    int RunningAttempts,
    int ExpiredLeases,
    DateTimeOffset? OldestExpiredLease,
    int FailureCacheEntries,
    int WorkersOnline,
    IReadOnlyList<BackgroundWork.JobsetError> RecentErrors)
{
    /// <summary>A jobset whose last evaluation failed, with when and the first line of why.</summary>
    public sealed record JobsetError(string Project, string Jobset, DateTimeOffset? Time, string Message);
}
