using Hydra.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Api.Evals;

/// <summary>Reads evaluations in their JSON shape, a page at a time.</summary>
internal static class EvalQueries
{
    public const int PageSize = 20;

    /// <summary>The evaluations with these ids, in the order given.</summary>
    public static async Task<List<EvalJson>> LoadAsync(HydraDbContext db, IReadOnlyCollection<long> ids, CancellationToken cancellationToken)
    {
        var evals = await db.Evaluations.AsNoTracking().Where(e => ids.Contains(e.Id))
            .Select(e => new { e.Id, e.CreatedAt, e.CheckoutSeconds, e.EvalSeconds, e.HasNewBuilds })
            .ToDictionaryAsync(e => e.Id, cancellationToken);
        var builds = (await db.EvaluationMembers.AsNoTracking().Where(m => ids.Contains(m.EvaluationId))
                .OrderBy(m => m.BuildId).Select(m => new { m.EvaluationId, m.BuildId }).ToListAsync(cancellationToken))
            .ToLookup(m => m.EvaluationId, m => m.BuildId);
        var inputs = (await db.EvaluationInputs.AsNoTracking().Where(i => ids.Contains(i.EvaluationId))
                .ToListAsync(cancellationToken))
            .ToLookup(i => i.EvaluationId);

        return ids.Where(evals.ContainsKey).Select(id =>
        {
            var e = evals[id];
            return new EvalJson(
                e.Id,
                HydraJson.Unix(e.CreatedAt),
                (long)Math.Round(e.CheckoutSeconds),
                (long)Math.Round(e.EvalSeconds),
                e.HasNewBuilds ? 1 : 0,
                Flake: null,
                builds[id].ToList(),
                inputs[id].ToDictionary(i => i.Name, i => new EvalInputJson(i.Uri, i.Revision, i.Type, i.Value, null)));
        }).ToList();
    }

    /// <summary>
    /// Page <paramref name="page"/> (1-based) of a jobset's evaluations, newest first. Like Hydra, the
    /// JSON list leaves out evaluations that produced no new builds.
    /// </summary>
    public static async Task<EvalListJson> ListAsync(HydraDbContext db, long jobsetId, int page, CancellationToken cancellationToken)
    {
        var query = db.Evaluations.AsNoTracking().Where(e => e.JobsetId == jobsetId && e.HasNewBuilds);
        var total = await query.CountAsync(cancellationToken);
        var last = Math.Max(1, (total + PageSize - 1) / PageSize);
        page = Math.Clamp(page, 1, last);
        var ids = await query.OrderByDescending(e => e.Id).Skip((page - 1) * PageSize).Take(PageSize)
            .Select(e => e.Id).ToListAsync(cancellationToken);
        return new EvalListJson(
            await LoadAsync(db, ids, cancellationToken),
            First: "?page=1",
            Previous: page > 1 ? $"?page={page - 1}" : null,
            Next: page < last ? $"?page={page + 1}" : null,
            Last: $"?page={last}");
    }
}
