using Hydra.Core.Data;
using Microsoft.EntityFrameworkCore;
using Hydra.Web.Pages.Shared;

namespace Hydra.Web.Pages.Status;

/// <summary>
/// Loads <see cref="QueuePageModel"/>. The summary counts every unfinished step and build, which on a farm with
/// hundreds of thousands of them is the expensive part; it is shared by every viewer and refreshed once it is
/// older than <see cref="SummaryLifetime"/> (<see cref="SharedResults"/>; the page says how old it is). The list is a keyset
/// page over <c>builds_unfinished</c>: <c>?after=ID</c>, never an offset.
/// </summary>
internal static class QueuePageQuery
{
    public static readonly TimeSpan SummaryLifetime = TimeSpan.FromSeconds(5);
    private const int JobsetRows = 100;
    private const string SummaryKey = "hydra:queue-summary";

    public static async Task<QueuePageModel> LoadAsync(
        HydraDbContext db, SharedResults shared, TimeProvider timeProvider, string? system, string? jobset, long? after,
        CancellationToken cancellationToken)
    {
        var summary = await shared.GetAsync(
            SummaryKey, SummaryLifetime, (services, ct) => SummaryAsync(services.GetRequiredService<HydraDbContext>(), timeProvider, ct), cancellationToken);

        var builds = db.Builds.AsNoTracking().Where(b => !b.Finished);
        if (!string.IsNullOrEmpty(system))
        {
            builds = builds.Where(b => b.System == system);
        }
        if (JobsetName.TryParse(jobset) is var (projectName, jobsetName))
        {
            builds = builds.Where(b => b.Jobset!.Name == jobsetName && b.Jobset.Project!.Name == projectName);
        }
        if (after is { } afterId)
        {
            builds = builds.Where(b => b.Id > afterId);
        }
        var rows = await builds.OrderBy(b => b.Id).Take(QueuePageModel.PageSize + 1)
            .Select(b => new QueuePageModel.BuildRow(
                b.Id, b.Jobset!.Project!.Name, b.Jobset.Name, b.Job, b.System, b.Priority, b.GlobalPriority, b.QueuedAt,
                db.Steps.Where(s => s.Id == b.TopStepId).Select(s => (Core.Data.Entities.StepState?)s.State).FirstOrDefault()))
            .ToListAsync(cancellationToken);
        long? next = rows.Count > QueuePageModel.PageSize ? rows[QueuePageModel.PageSize - 1].Id : null;
        return new QueuePageModel(summary, rows.Take(QueuePageModel.PageSize).ToList(), system, jobset, after, next);
    }

    private static async Task<QueueSummary> SummaryAsync(HydraDbContext db, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var systems = await db.Database.SqlQueryRaw<SystemCount>(
            """
            SELECT system AS "System",
                   count(*) FILTER (WHERE state = 0) AS "Waiting",
                   count(*) FILTER (WHERE state = 1) AS "Runnable",
                   count(*) FILTER (WHERE state = 2) AS "Running",
                   min(runnable_since) FILTER (WHERE state = 1) AS "OldestRunnableSince"
            FROM steps WHERE state < 3 GROUP BY system ORDER BY system
            """).ToListAsync(cancellationToken);
        var jobsets = await db.Database.SqlQueryRaw<JobsetCount>(
            $"""
            SELECT p.name AS "Project", j.name AS "Jobset", q.queued AS "Queued", q.oldest AS "OldestQueuedAt"
            FROM (SELECT jobset_id, count(*) AS queued, min(queued_at) AS oldest
                  FROM builds WHERE NOT finished GROUP BY jobset_id ORDER BY count(*) DESC LIMIT {JobsetRows}) q
            JOIN jobsets j ON j.id = q.jobset_id JOIN projects p ON p.id = j.project_id
            ORDER BY q.queued DESC, p.name, j.name
            """).ToListAsync(cancellationToken);
        return new QueueSummary(
            systems.Select(s => new QueueSummary.SystemRow(s.System, s.Waiting, s.Runnable, s.Running, s.OldestRunnableSince)).ToList(),
            jobsets.Select(j => new QueueSummary.JobsetRow(j.Project, j.Jobset, j.Queued, j.OldestQueuedAt)).ToList(),
            timeProvider.GetUtcNow());
    }

    private sealed record SystemCount(string System, long Waiting, long Runnable, long Running, DateTimeOffset? OldestRunnableSince);

    private sealed record JobsetCount(string Project, string Jobset, long Queued, DateTimeOffset OldestQueuedAt);
}

/// <summary>"project:jobset" as the queue and search filters take it.</summary>
internal static class JobsetName
{
    public static (string Project, string Jobset)? TryParse(string? value)
    {
        var colon = value?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        return colon > 0 && colon < value!.Length - 1 ? (value[..colon], value[(colon + 1)..]) : null;
    }
}
