using Hydra.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Pages.Home;

/// <summary>Loads <see cref="HomeModel"/>.</summary>
internal static class HomeQuery
{
    public static async Task<HomeModel> LoadAsync(HydraDbContext db, CancellationToken cancellationToken)
    {
        var rows = await db.Projects.AsNoTracking().OrderBy(p => p.Name)
            .Select(p => new HomeModel.ProjectRow(p.Name, p.DisplayName, p.Description, p.Owner, p.Enabled, p.Hidden, p.Jobsets.Count))
            .ToListAsync(cancellationToken);
        return new HomeModel(rows);
    }
}
