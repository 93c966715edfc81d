using Hydra.Core.Data;
using Hydra.Core.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Api.Legacy;

/// <summary>
/// Hydra's older <c>/api/*</c> calls, which answer JSON whatever was asked (<c>nrqueue</c> a bare number):
/// <c>jobsets?project=</c>, <c>queue?nr=</c>, <c>nrqueue</c>, <c>latestbuilds?nr=&amp;project=&amp;jobset=&amp;job=&amp;system=</c>
/// and <c>nrbuilds?nr=&amp;period=hour|day&amp;...</c> (finished builds per period, the newest
/// <c>nr</c> periods that had any, oldest first). <c>nr</c> is required and at most <see cref="MaxRows"/>.
/// </summary>
internal static class LegacyApiEndpoints
{
    public const int MaxRows = 1000;

    public static RouteGroupBuilder MapLegacyApiEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapGet("/api/jobsets", JobsetsAsync);
        routes.MapGet("/api/queue", QueueAsync);
        routes.MapGet("/api/nrqueue", async (HydraDbContext db, CancellationToken cancellationToken) =>
            Results.Text((await db.Builds.CountAsync(b => !b.Finished, cancellationToken)).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        routes.MapGet("/api/latestbuilds", LatestBuildsAsync);
        routes.MapGet("/api/nrbuilds", NrBuildsAsync);
        return routes;
    }

    private static async Task<IResult> JobsetsAsync(string? project, HydraDbContext db, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(project))
        {
            return HydraJson.Error(StatusCodes.Status400BadRequest, "Say which project: /api/jobsets?project=NAME");
        }
        if (!await db.Projects.AnyAsync(p => p.Name == project, cancellationToken))
        {
            return HydraJson.NotFound($"Project '{project}' doesn't exist.");
        }
        var rows = await db.Jobsets.AsNoTracking().Where(j => j.Project!.Name == project).OrderBy(j => j.Name)
            .Select(j => new
            {
                Jobset = j,
                Scheduled = db.Builds.Count(b => b.JobsetId == j.Id && b.IsCurrent && !b.Finished),
                Succeeded = db.Builds.Count(b => b.JobsetId == j.Id && b.IsCurrent && b.Finished && b.BuildStatus == 0),
                Failed = db.Builds.Count(b => b.JobsetId == j.Id && b.IsCurrent && b.Finished && b.BuildStatus != 0),
                Total = db.Builds.Count(b => b.JobsetId == j.Id && b.IsCurrent),
            })
            .ToListAsync(cancellationToken);
        return HydraJson.Ok(rows.Select(r => new JobsetOverviewJson(
            r.Jobset.Name, project, r.Scheduled, r.Succeeded, r.Failed, r.Total,
            HydraJson.Unix(r.Jobset.LastCheckedAt), HydraJson.Unix(r.Jobset.EvalStartedAt), r.Jobset.CheckInterval,
            HydraJson.Unix(r.Jobset.TriggerTime), FetchErrorMsg: null, HydraJson.Unix(r.Jobset.ErrorTime),
            HasErrorMsg: !string.IsNullOrEmpty(r.Jobset.ErrorMessage))).ToList());
    }

    private static async Task<IResult> QueueAsync(int? nr, HydraDbContext db, CancellationToken cancellationToken)
    {
        if (Rows(nr) is not { } rows)
        {
            return NrRequired("queue");
        }
        var builds = db.Builds.AsNoTracking().Where(b => !b.Finished)
            .OrderByDescending(b => b.GlobalPriority).ThenByDescending(b => b.Priority).ThenBy(b => b.Id).Take(rows);
        return HydraJson.Ok(await SummariesAsync(builds, cancellationToken));
    }

    private static async Task<IResult> LatestBuildsAsync(
        int? nr, string? project, string? jobset, string? job, string? system, HydraDbContext db, CancellationToken cancellationToken)
    {
        if (Rows(nr) is not { } rows)
        {
            return NrRequired("latestbuilds");
        }
        var builds = Filter(db, project, jobset, job, system).OrderByDescending(b => b.Id).Take(rows);
        return HydraJson.Ok(await SummariesAsync(builds, cancellationToken));
    }

    private static async Task<IResult> NrBuildsAsync(
        int? nr, string? period, string? project, string? jobset, string? job, string? system, HydraDbContext db, CancellationToken cancellationToken)
    {
        if (Rows(nr) is not { } rows)
        {
            return NrRequired("nrbuilds");
        }
        int? seconds = period switch { "hour" => 3600, "day" => 86400, _ => null };
        if (seconds is not { } width)
        {
            return HydraJson.Error(StatusCodes.Status400BadRequest, "period must be 'hour' or 'day'.");
        }
        // Grouped on the queue time in whole periods since the epoch, as Hydra groups "timestamp - timestamp % base".
        var counts = await db.Database.SqlQuery<int>($"""
            SELECT count(*)::int AS "Value"
            FROM (SELECT floor(extract(epoch FROM b.queued_at) / {width}) AS period
                  FROM builds b JOIN jobsets j ON j.id = b.jobset_id JOIN projects p ON p.id = j.project_id
                  WHERE b.finished
                    AND ({project ?? ""} = '' OR p.name = {project ?? ""}) AND ({jobset ?? ""} = '' OR j.name = {jobset ?? ""})
                    AND ({job ?? ""} = '' OR b.job = {job ?? ""}) AND ({system ?? ""} = '' OR b.system = {system ?? ""})) AS finished
            GROUP BY period
            ORDER BY period DESC
            LIMIT {rows}
            """).ToListAsync(cancellationToken);
        counts.Reverse();
        return HydraJson.Ok(counts);
    }

    private static IQueryable<Build> Filter(HydraDbContext db, string? project, string? jobset, string? job, string? system)
    {
        var builds = db.Builds.AsNoTracking().Where(b => b.Finished);
        if (!string.IsNullOrEmpty(project))
        {
            builds = builds.Where(b => b.Jobset!.Project!.Name == project);
        }
        if (!string.IsNullOrEmpty(jobset))
        {
            builds = builds.Where(b => b.Jobset!.Name == jobset);
        }
        if (!string.IsNullOrEmpty(job))
        {
            builds = builds.Where(b => b.Job == job);
        }
        if (!string.IsNullOrEmpty(system))
        {
            builds = builds.Where(b => b.System == system);
        }
        return builds;
    }

    private static async Task<List<LegacyBuildJson>> SummariesAsync(IQueryable<Build> builds, CancellationToken cancellationToken)
    {
        var rows = await builds.Select(b => new
        {
            b.Id, Project = b.Jobset!.Project!.Name, Jobset = b.Jobset.Name, b.Job, b.System, b.NixName, b.Finished, b.QueuedAt, b.BuildStatus, b.Priority,
        }).ToListAsync(cancellationToken);
        return rows.Select(b => new LegacyBuildJson(
            b.Id, b.Project, b.Jobset, b.Job, b.System, b.NixName, b.Finished ? 1 : 0, HydraJson.Unix(b.QueuedAt),
            BuildStatus: b.Finished ? b.BuildStatus : null,
            Priority: b.Finished ? null : b.Priority)).ToList();
    }

    private static int? Rows(int? nr) => nr is > 0 ? Math.Min(nr.Value, MaxRows) : null;

    private static IResult NrRequired(string call) =>
        HydraJson.Error(StatusCodes.Status400BadRequest, $"Say how many builds: /api/{call}?nr=N (1 to {MaxRows}).");
}
