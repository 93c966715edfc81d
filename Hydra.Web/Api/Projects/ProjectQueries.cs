using Hydra.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Api.Projects;

/// <summary>Reads projects in their JSON shape.</summary>
internal static class ProjectQueries
{
    public static Task<List<ProjectJson>> ListAsync(HydraDbContext db, CancellationToken cancellationToken) =>
        Project(db.Projects.AsNoTracking().OrderBy(p => p.Name)).ToListAsync(cancellationToken);

    public static Task<ProjectJson?> FindAsync(HydraDbContext db, string name, CancellationToken cancellationToken) =>
        Project(db.Projects.AsNoTracking().Where(p => p.Name == name)).SingleOrDefaultAsync(cancellationToken);

    public static IQueryable<ProjectJson> Project(IQueryable<Core.Data.Entities.Project> projects) =>
        projects.Select(p => new ProjectJson(
            p.Name, p.DisplayName, p.Description, p.Homepage, p.Owner, p.Enabled, p.Hidden, false,
            p.Jobsets.OrderBy(j => j.Name).Select(j => j.Name).ToList(),
            p.DeclFile == null ? null : new DeclarativeJson(p.DeclFile, p.DeclType!, p.DeclValue!)));
}
