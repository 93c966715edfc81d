using Hydra.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Pages.Jobsets;

/// <summary>
/// Loads <see cref="JobMatrixModel"/> without touching the whole of a big evaluation: the page's job names come from
/// <c>builds_current (jobset_id, job)</c>, their builds from <c>builds_jobset_job</c>, and their evaluations from
/// <c>evaluation_members_build</c>; so a page costs the same for a jobset of 100 jobs or of 100,000.
/// </summary>
internal static class JobMatrixQuery
{
    public static async Task<JobMatrixModel?> LoadAsync(HydraDbContext db, string project, string jobset, string? after, CancellationToken cancellationToken)
    {
        var jobsetId = await db.Jobsets.AsNoTracking().Where(j => j.Project!.Name == project && j.Name == jobset)
            .Select(j => (long?)j.Id).SingleOrDefaultAsync(cancellationToken);
        if (jobsetId is not { } id)
        {
            return null;
        }
        var evals = await db.Evaluations.AsNoTracking().Where(e => e.JobsetId == id).OrderByDescending(e => e.Id)
            .Take(JobMatrixModel.Columns).Select(e => new JobMatrixModel.EvalColumn(e.Id, e.CreatedAt)).ToListAsync(cancellationToken);

        var names = db.Builds.AsNoTracking().Where(b => b.JobsetId == id && b.IsCurrent);
        if (after is not null)
        {
            names = names.Where(b => string.Compare(b.Job, after) > 0);
        }
        var jobs = await names.Select(b => b.Job).Distinct().OrderBy(j => j).Take(JobMatrixModel.PageSize + 1).ToListAsync(cancellationToken);
        var next = jobs.Count > JobMatrixModel.PageSize ? jobs[JobMatrixModel.PageSize - 1] : null;
        jobs = [.. jobs.Take(JobMatrixModel.PageSize)];

        var evalIds = evals.Select(e => e.Id).ToList();
        var cells = await (
            from b in db.Builds
            where b.JobsetId == id && jobs.Contains(b.Job)
            join m in db.EvaluationMembers on b.Id equals m.BuildId
            where evalIds.Contains(m.EvaluationId)
            select new { b.Job, m.EvaluationId, b.Id, b.Finished, b.BuildStatus })
            .AsNoTracking().ToListAsync(cancellationToken);
        var byJob = cells.ToLookup(c => c.Job, StringComparer.Ordinal);
        var rows = jobs.Select(job =>
        {
            var mine = byJob[job].ToDictionary(c => c.EvaluationId);
            return new JobMatrixModel.JobRow(job, [.. evals.Select(e => mine.TryGetValue(e.Id, out var c)
                ? new JobMatrixModel.Cell(c.Id, c.Finished, c.Finished ? c.BuildStatus : null)
                : null)]);
        }).ToList();
        return new JobMatrixModel(project, jobset, evals, rows, after, next);
    }
}
