using Hydra.Core.Data;
using Hydra.Evaluator.Declarative;
using Hydra.Web.Pages.Shared;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Pages.Projects;

/// <summary>Loads <see cref="ProjectPageModel"/>.</summary>
internal static class ProjectPageQuery
{
    public static async Task<ProjectPageModel?> LoadAsync(HydraDbContext db, SharedResults shared, string name, CancellationToken cancellationToken)
    {
        var project = await db.Projects.AsNoTracking().Where(p => p.Name == name).SingleOrDefaultAsync(cancellationToken);
        if (project is null)
        {
            return null;
        }
        // .jobsets only reads the declarative spec; it is described above the list instead of in it.
        var jobsets = await db.Jobsets.AsNoTracking().Where(j => j.ProjectId == project.Id && j.Name != DeclarativeProject.JobsetName).OrderBy(j => j.Name)
            .Select(j => new
            {
                j.Name, j.Description, j.Enabled, j.Hidden, j.LastCheckedAt,
                HasError = j.ErrorMessage != null && j.ErrorMessage != "",
                LatestEvalId = db.Evaluations.Where(e => e.JobsetId == j.Id).Max(e => (long?)e.Id),
            })
            .ToListAsync(cancellationToken);
        var counts = await BuildCountsQuery.LoadSharedAsync(
            shared, jobsets.Where(j => j.LatestEvalId is not null).Select(j => j.LatestEvalId!.Value).ToList(), cancellationToken);

        ProjectPageModel.DeclarativeSpec? declarative = null;
        if (project.DeclFile is not null)
        {
            var spec = await db.Jobsets.AsNoTracking().Where(j => j.ProjectId == project.Id && j.Name == DeclarativeProject.JobsetName)
                .Select(j => new { j.LastCheckedAt, j.ErrorMessage }).SingleOrDefaultAsync(cancellationToken);
            declarative = new ProjectPageModel.DeclarativeSpec(
                project.DeclFile, project.DeclType!, project.DeclValue!, spec?.LastCheckedAt, string.IsNullOrEmpty(spec?.ErrorMessage) ? null : spec.ErrorMessage);
        }

        return new ProjectPageModel(
            project.Name, project.DisplayName, project.Description, project.Homepage, project.Owner, project.Enabled, project.Hidden,
            jobsets.Select(j => new ProjectPageModel.JobsetRow(
                j.Name, j.Description, j.Enabled, j.Hidden, j.LastCheckedAt, j.HasError, j.LatestEvalId, counts.For(j.LatestEvalId))).ToList(),
            declarative);
    }
}
