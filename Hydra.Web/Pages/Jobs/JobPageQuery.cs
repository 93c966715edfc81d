using Hydra.Core;
using Hydra.Core.Data;
using Hydra.Web.Cache;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Pages.Jobs;

/// <summary>Loads <see cref="JobPageModel"/> through <c>builds_jobset_job (jobset_id, job, id DESC)</c>.</summary>
internal static class JobPageQuery
{
    /// <summary>Null when the jobset does not exist or has never had a build of this job.</summary>
    public static async Task<JobPageModel?> LoadAsync(
        HydraDbContext db, ClosureSizes closures, string project, string jobset, string job, long? before, CancellationToken cancellationToken)
    {
        var jobsetId = await db.Jobsets.AsNoTracking().Where(j => j.Project!.Name == project && j.Name == jobset)
            .Select(j => (long?)j.Id).SingleOrDefaultAsync(cancellationToken);
        if (jobsetId is not { } id)
        {
            return null;
        }
        var builds = db.Builds.AsNoTracking().Where(b => b.JobsetId == id && b.Job == job);
        if (before is { } beforeId)
        {
            builds = builds.Where(b => b.Id < beforeId);
        }
        var rows = await builds.OrderByDescending(b => b.Id).Take(JobPageModel.PageSize + 1)
            .Select(b => new JobPageModel.BuildRow(
                b.Id, b.Finished, b.BuildStatus, b.IsCurrent, b.System, b.QueuedAt, b.StartTime, b.StopTime, b.ReleaseName))
            .ToListAsync(cancellationToken);
        if (rows.Count == 0 && before is null)
        {
            return null;
        }
        long? next = rows.Count > JobPageModel.PageSize ? rows[JobPageModel.PageSize - 1].Id : null;

        // The charts: the last successful builds that really ran (cached builds took no time here).
        var recent = await db.Builds.AsNoTracking()
            .Where(b => b.JobsetId == id && b.Job == job && b.Finished && b.BuildStatus == BuildStatus.Succeeded && !b.IsCachedBuild)
            .OrderByDescending(b => b.Id).Take(JobPageModel.ChartBuilds)
            .Select(b => new { b.Id, b.StartTime, b.StopTime, Outputs = b.Outputs.Select(o => o.Path).ToList() })
            .ToListAsync(cancellationToken);
        recent.Reverse();
        var times = recent.Where(b => b.StartTime is not null && b.StopTime is not null)
            .Select(b => new JobPageModel.ChartPoint(b.Id, b.StopTime!.Value, Math.Max(0, (b.StopTime.Value - b.StartTime!.Value).TotalSeconds)))
            .ToList();
        var sizes = new List<JobPageModel.ChartPoint>();
        foreach (var build in recent.Where(b => b.StopTime is not null && b.Outputs.Count > 0))
        {
            if (await closures.OfAsync(build.Outputs, cancellationToken) is { } size)
            {
                sizes.Add(new JobPageModel.ChartPoint(build.Id, build.StopTime!.Value, size));
            }
        }

        // Metrics: the newest values through build_metrics_job (jobset_id, job, name, timestamp DESC), one chart per name.
        var metrics = await db.BuildMetrics.AsNoTracking().Where(m => m.JobsetId == id && m.Job == job)
            .OrderByDescending(m => m.Timestamp).ThenByDescending(m => m.BuildId).Take(JobPageModel.ChartBuilds * 20)
            .Select(m => new { m.Name, m.Unit, m.BuildId, m.Timestamp, m.Value })
            .ToListAsync(cancellationToken);
        var series = metrics.GroupBy(m => m.Name).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new JobPageModel.MetricSeries(g.Key, g.First().Unit,
                [.. g.Take(JobPageModel.ChartBuilds).Reverse().Select(m => new JobPageModel.ChartPoint(m.BuildId, m.Timestamp, m.Value))]))
            .ToList();

        return new JobPageModel(project, jobset, job, rows.Take(JobPageModel.PageSize).ToList(), before, next, times, sizes) { Metrics = series };
    }
}
