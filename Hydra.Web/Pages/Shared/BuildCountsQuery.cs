using Hydra.Core.Data;
using Hydra.Core.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Pages.Shared;

/// <summary>Succeeded/failed/queued counts per evaluation, in one grouped query.</summary>
internal static class BuildCountsQuery
{
    /// <summary>How old the counts a page shows may be: counting a 100,000-build evaluation is not done per view.</summary>
    public static readonly TimeSpan SharedLifetime = TimeSpan.FromSeconds(10);

    /// <summary>The counts, shared by every viewer of the same evaluations (<see cref="SharedResults"/>).</summary>
    public static Task<Dictionary<long, BuildCounts>> LoadSharedAsync(SharedResults shared, IReadOnlyCollection<long> evalIds, CancellationToken cancellationToken) =>
        evalIds.Count == 0
            ? Task.FromResult(new Dictionary<long, BuildCounts>())
            : shared.GetAsync(
                $"hydra:eval-counts:{string.Join(',', evalIds.Order())}", SharedLifetime,
                (services, ct) => LoadAsync(services.GetRequiredService<HydraDbContext>(), evalIds, ct), cancellationToken);

    public static async Task<Dictionary<long, BuildCounts>> LoadAsync(HydraDbContext db, IReadOnlyCollection<long> evalIds, CancellationToken cancellationToken)
    {
        if (evalIds.Count == 0)
        {
            return [];
        }
        return await CountAsync(
            from m in db.EvaluationMembers
            where evalIds.Contains(m.EvaluationId)
            join b in db.Builds on m.BuildId equals b.Id
            group b by m.EvaluationId,
            cancellationToken);
    }

    /// <summary>Succeeded/failed/queued per group of builds, counted in the database (one grouped query).</summary>
    public static async Task<Dictionary<long, BuildCounts>> CountAsync(IQueryable<IGrouping<long, Build>> groups, CancellationToken cancellationToken)
    {
        var rows = await groups.Select(g => new
        {
            g.Key,
            Total = g.Count(),
            Succeeded = g.Count(b => b.Finished && b.BuildStatus == 0),
            Failed = g.Count(b => b.Finished && b.BuildStatus != 0),
            Queued = g.Count(b => !b.Finished),
        }).AsNoTracking().ToListAsync(cancellationToken);
        return rows.ToDictionary(r => r.Key, r => new BuildCounts(r.Total, r.Succeeded, r.Failed, r.Queued));
    }

    public static BuildCounts For(this Dictionary<long, BuildCounts> counts, long? evalId) =>
        evalId is { } id && counts.TryGetValue(id, out var c) ? c : BuildCounts.None;
}
