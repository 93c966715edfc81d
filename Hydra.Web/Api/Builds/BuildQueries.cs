using System.Globalization;
using Hydra.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Api.Builds;

/// <summary>Reads builds in their JSON shape.</summary>
internal static class BuildQueries
{
    /// <summary>The builds with these ids, in the order given (missing ids are skipped).</summary>
    public static async Task<List<BuildJson>> LoadAsync(HydraDbContext db, IReadOnlyCollection<long> ids, CancellationToken cancellationToken)
    {
        var builds = await db.Builds.AsNoTracking().Where(b => ids.Contains(b.Id))
            .Select(b => new
            {
                Build = b,
                Project = b.Jobset!.Project!.Name,
                Jobset = b.Jobset.Name,
                Outputs = b.Outputs.Select(o => new { o.Name, o.Path }).ToList(),
            })
            .ToDictionaryAsync(b => b.Build.Id, cancellationToken);
        var evals = (await db.EvaluationMembers.AsNoTracking().Where(m => ids.Contains(m.BuildId))
                .OrderBy(m => m.EvaluationId).Select(m => new { m.BuildId, m.EvaluationId }).ToListAsync(cancellationToken))
            .ToLookup(m => m.BuildId, m => m.EvaluationId);

        var products = (await db.BuildProducts.AsNoTracking().Where(p => ids.Contains(p.BuildId)).OrderBy(p => p.ProductNr).ToListAsync(cancellationToken))
            .ToLookup(p => p.BuildId);
        var metrics = (await db.BuildMetrics.AsNoTracking().Where(m => ids.Contains(m.BuildId)).OrderBy(m => m.Name).ToListAsync(cancellationToken))
            .ToLookup(m => m.BuildId);

        return ids.Where(builds.ContainsKey).Select(id =>
        {
            var row = builds[id];
            var b = row.Build;
            return new BuildJson(
                b.Id, b.Job, b.NixName, b.Description, row.Project, row.Jobset, b.System, b.DrvPath,
                Finished: b.Finished ? 1 : 0,
                BuildStatus: b.Finished ? b.BuildStatus : null,
                StartTime: HydraJson.Unix(b.StartTime),
                StopTime: HydraJson.Unix(b.StopTime),
                Timestamp: HydraJson.Unix(b.QueuedAt),
                Priority: b.Priority,
                IsCachedBuild: b.IsCachedBuild ? 1 : 0,
                ReleaseName: b.ReleaseName,
                BuildOutputs: row.Outputs.ToDictionary(o => o.Name, o => new BuildOutputJson(o.Path)),
                JobsetEvals: evals[id].ToList(),
                BuildMetrics: metrics[id].ToDictionary(m => m.Name, m => new BuildMetricJson(m.Name, m.Value, m.Unit)),
                BuildProducts: products[id].ToDictionary(
                    p => p.ProductNr.ToString(CultureInfo.InvariantCulture),
                    p => new BuildProductJson(p.Type, p.Subtype, p.Name, p.FileSize, p.Sha256hash, p.Path, p.DefaultPath)),
                Keep: b.Keep ? 1 : 0);
        }).ToList();
    }
}
