using Hydra.Core.Data;
using Hydra.Web.Pages.Shared;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Pages.Home;

/// <summary>Loads <see cref="HomeModel"/>.</summary>
internal static class HomeQuery
{
    public static readonly TimeSpan CountsLifetime = TimeSpan.FromSeconds(10);

    public static async Task<HomeModel> LoadAsync(HydraDbContext db, SharedResults shared, CancellationToken cancellationToken)
    {
        var rows = await db.Projects.AsNoTracking().OrderBy(p => p.Name)
            .Select(p => new
            {
                p.Id, p.Name, p.DisplayName, p.Description, p.Owner, p.Enabled, p.Hidden,
                Jobsets = p.Jobsets.Count,
                WithErrors = p.Jobsets.Count(j => j.ErrorMessage != null && j.ErrorMessage != ""),
                LastEvaluatedAt = p.Jobsets.Max(j => j.LastCheckedAt),
            })
            .ToListAsync(cancellationToken);
        // Current builds per project, through builds_current (jobset_id, job) WHERE is_current.
        var counts = await shared.GetAsync("hydra:home-counts", CountsLifetime, (services, ct) => BuildCountsQuery.CountAsync(
            from b in services.GetRequiredService<HydraDbContext>().Builds
            where b.IsCurrent
            group b by b.Jobset!.ProjectId,
            ct), cancellationToken);
        return new HomeModel(rows.Select(p => new HomeModel.ProjectRow(
            p.Name, p.DisplayName, p.Description, p.Owner, p.Enabled, p.Hidden, p.Jobsets, p.WithErrors, p.LastEvaluatedAt,
            counts.GetValueOrDefault(p.Id, BuildCounts.None))).ToList());
    }
}
