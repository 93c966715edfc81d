using Hydra.Core.Data;
using Hydra.Web.Pages.Shared;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Pages.Projects;

/// <summary>Loads <see cref="ProjectPageModel"/>.</summary>
internal static class ProjectPageQuery
{
    public static async Task<ProjectPageModel?> LoadAsync(HydraDbContext db, string name, CancellationToken cancellationToken)
    {
        var project = await db.Projects.AsNoTracking().Where(p => p.Name == name).SingleOrDefaultAsync(cancellationToken);
        if (project is null)
        {
            return null;
        }
        var jobsets = await db.Jobsets.AsNoTracking().Where(j => j.ProjectId == project.Id).OrderBy(j => j.Name)
            .Select(j => new
            {
                j.Name, j.Description, j.Enabled, j.Hidden, j.LastCheckedAt,
                HasError = j.ErrorMessage != null && j.ErrorMessage != "",
                LatestEvalId = db.Evaluations.Where(e => e.JobsetId == j.Id).Max(e => (long?)e.Id),
            })
            .ToListAsync(cancellationToken);
        var counts = await BuildCountsQuery.LoadAsync(
            db, jobsets.Where(j => j.LatestEvalId is not null).Select(j => j.LatestEvalId!.Value).ToList(), cancellationToken);

        return new ProjectPageModel(
            project.Name, project.DisplayName, project.Description, project.Homepage, project.Owner, project.Enabled, project.Hidden,
            jobsets.Select(j => new ProjectPageModel.JobsetRow(
                j.Name, j.Description, j.Enabled, j.Hidden, j.LastCheckedAt, j.HasError, j.LatestEvalId, counts.For(j.LatestEvalId))).ToList());
    }
}
