using Hydra.Core.Data.Entities;

namespace Hydra.Web.Pages.Status;

/// <summary>
/// <c>GET /queue</c>: unfinished steps by system, queued builds by jobset (both a few seconds old at most, see
/// <see cref="QueueSummary"/>), and one page of the queued builds, oldest first, optionally of one system or jobset.
/// </summary>
public sealed record QueuePageModel(
    QueueSummary Summary,
    IReadOnlyList<QueuePageModel.BuildRow> Builds,
    string? System,
    string? Jobset,
    long? After,
    long? NextAfter)
{
    public const int PageSize = 50;

    public sealed record BuildRow(
        long Id, string Project, string Jobset, string Job, string System, int Priority, int GlobalPriority,
        DateTimeOffset QueuedAt, StepState? TopStepState);
}

/// <summary>Counts over the whole queue, computed at <see cref="ComputedAt"/>.</summary>
public sealed record QueueSummary(
    IReadOnlyList<QueueSummary.SystemRow> Systems,
    IReadOnlyList<QueueSummary.JobsetRow> Jobsets,
    DateTimeOffset ComputedAt)
{
    /// <summary>Unfinished steps of one system: waiting for dependencies, runnable (waiting for a worker), running.</summary>
    public sealed record SystemRow(string System, long Waiting, long Runnable, long Running, DateTimeOffset? OldestRunnableSince);

    public sealed record JobsetRow(string Project, string Jobset, long Queued, DateTimeOffset OldestQueuedAt);
}
