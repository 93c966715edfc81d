using Hydra.Core.Data;
using Hydra.Core.Data.Entities;
using Hydra.Web.Pages.Shared;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Pages.Jobsets;

/// <summary>
/// Loads <see cref="JobsetPageModel"/>: evaluations newest first in keyset pages (<c>?before=ID</c>, through
/// <c>evaluations_jobset (jobset_id, id DESC)</c>), never an offset or a count of them all.
/// </summary>
internal static class JobsetPageQuery
{
    public const int PageSize = 20;

    public static async Task<JobsetPageModel?> LoadAsync(HydraDbContext db, SharedResults shared, string project, string name, long? before, CancellationToken cancellationToken)
    {
        var jobset = await db.Jobsets.AsNoTracking().Include(j => j.Inputs).Include(j => j.Project)
            .SingleOrDefaultAsync(j => j.Project!.Name == project && j.Name == name, cancellationToken);
        if (jobset is null)
        {
            return null;
        }
        var evals = db.Evaluations.AsNoTracking().Where(e => e.JobsetId == jobset.Id);
        if (before is { } beforeId)
        {
            evals = evals.Where(e => e.Id < beforeId);
        }
        var page = await evals.OrderByDescending(e => e.Id).Take(PageSize + 1)
            .Select(e => new { e.Id, e.CreatedAt, e.NrErrors, e.NixExprInput }).ToListAsync(cancellationToken);
        long? next = page.Count > PageSize ? page[PageSize - 1].Id : null;
        var rows = page.Take(PageSize).ToList();
        var ids = rows.Select(r => r.Id).ToList();
        var counts = await BuildCountsQuery.LoadSharedAsync(shared, ids, cancellationToken);
        var inputs = (await db.EvaluationInputs.AsNoTracking().Where(i => ids.Contains(i.EvaluationId)).ToListAsync(cancellationToken))
            .ToLookup(i => i.EvaluationId);

        return new JobsetPageModel(
            project, jobset.Project!.Owner, jobset.Project.Enabled, jobset.Name, jobset.Description, jobset.NixExprInput, jobset.NixExprPath, jobset.Enabled, jobset.Hidden,
            jobset.CheckInterval, jobset.SchedulingShares, jobset.KeepNr, jobset.LastCheckedAt, jobset.TriggerTime,
            jobset.EvalStartedAt, jobset.EvalPhase, jobset.EvalPhaseSince, jobset.ErrorMessage, jobset.ErrorTime,
            jobset.Inputs.OrderBy(i => i.Name).Select(i => new JobsetPageModel.InputRow(i.Name, i.Type, i.Value)).ToList(),
            rows.Select(r => new JobsetPageModel.EvalRow(
                r.Id, r.CreatedAt, MainRevision(inputs[r.Id], r.NixExprInput), r.NrErrors, counts.For(r.Id))).ToList(),
            before, next);
    }

    /// <summary>The input holding the Nix expression says most about an evaluation; else the first one with a revision.</summary>
    private static string? MainRevision(IEnumerable<EvaluationInput> inputs, string nixExprInput)
    {
        var list = inputs.OrderBy(i => i.Name, StringComparer.Ordinal).ToList();
        var main = list.FirstOrDefault(i => i.Name == nixExprInput && i.Revision is not null)
            ?? list.FirstOrDefault(i => i.Revision is not null)
            ?? list.FirstOrDefault(i => i.Name == nixExprInput);
        if (main is null)
        {
            return null;
        }
        return main.Revision is { } revision ? $"{main.Name} {Formatting.ShortRevision(revision)}" : $"{main.Name} = {main.Value}";
    }
}
