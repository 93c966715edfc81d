using Hydra.Core;
using Hydra.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Api.Evals;

/// <summary>
/// Compares the builds of two evaluations the way Hydra's <c>BuildDiff.pm buildDiff</c> does, matching
/// jobs by (job name, system).
/// </summary>
public static class EvaluationComparison
{
    /// <summary>Hydra counts these finished statuses as aborted: aborted, cancelled, timed out, log limit exceeded.</summary>
    private static readonly int[] AbortedStatuses = [BuildStatus.Aborted, BuildStatus.Cancelled, BuildStatus.TimedOut, BuildStatus.LogLimitExceeded];

    /// <summary>
    /// Which evaluation <c>?compare=</c> names, as in Hydra: an evaluation id; <c>-N</c>, the jobset's
    /// latest evaluation at least N seconds older than this one; or a jobset name of the same project,
    /// that jobset's latest evaluation. Empty or absent: the previous evaluation of the same jobset
    /// (null for the first one). <c>Found</c> is false when the value names nothing.
    /// </summary>
    public static async Task<(bool Found, long? Other)> ResolveAsync(HydraDbContext db, long evaluationId, string? compare, CancellationToken cancellationToken)
    {
        var eval = await db.Evaluations.AsNoTracking().Where(e => e.Id == evaluationId)
            .Select(e => new { e.JobsetId, e.Jobset!.ProjectId, e.CreatedAt }).SingleAsync(cancellationToken);
        var sameJobset = db.Evaluations.AsNoTracking().Where(e => e.JobsetId == eval.JobsetId);
        long? found;
        if (string.IsNullOrWhiteSpace(compare))
        {
            return (true, await Latest(sameJobset.Where(e => e.Id < evaluationId), cancellationToken));
        }
        if (long.TryParse(compare, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
        {
            found = await db.Evaluations.AnyAsync(e => e.Id == id, cancellationToken) ? id : null;
        }
        else if (compare.StartsWith('-') && int.TryParse(compare.AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
        {
            var before = eval.CreatedAt.AddSeconds(-seconds);
            found = await Latest(sameJobset.Where(e => e.CreatedAt <= before && e.Id != evaluationId), cancellationToken);
        }
        else
        {
            found = await Latest(db.Evaluations.AsNoTracking().Where(e => e.Jobset!.ProjectId == eval.ProjectId && e.Jobset.Name == compare), cancellationToken);
        }
        return (found is not null, found);
    }

    private static Task<long?> Latest(IQueryable<Core.Data.Entities.Evaluation> evaluations, CancellationToken cancellationToken) =>
        evaluations.OrderByDescending(e => e.Id).Select(e => (long?)e.Id).FirstOrDefaultAsync(cancellationToken);

    /// <summary>Loads both evaluations' builds and compares them; <paramref name="compareTo"/> null compares against nothing (all new).</summary>
    public static async Task<EvaluationDiff> CompareAsync(HydraDbContext db, long evaluationId, long? compareTo, CancellationToken cancellationToken)
    {
        var current = await LoadBuildsAsync(db, evaluationId, cancellationToken);
        var other = compareTo is { } id ? await LoadBuildsAsync(db, id, cancellationToken) : [];
        return Compare(current, other, compareTo);
    }

    /// <summary>The comparison itself, over builds already loaded.</summary>
    public static EvaluationDiff Compare(IReadOnlyList<ComparedBuild> current, IReadOnlyList<ComparedBuild> other, long? compareTo)
    {
        List<ComparedBuild> added = [], removed = [], nowFail = [], nowSucceed = [], stillFail = [], stillSucceed = [], unfinished = [], aborted = [];
        // Several builds may share a key (an alias); they pair up in id order.
        var previous = other.OrderBy(b => b.Id).GroupBy(Key).ToDictionary(g => g.Key, g => new Queue<ComparedBuild>(g));
        foreach (var build in Sorted(current))
        {
            var isAborted = build.Finished && build.BuildStatus is { } status && AbortedStatuses.Contains(status);
            ComparedBuild? match = previous.TryGetValue(Key(build), out var queue) && queue.Count > 0 ? queue.Dequeue() : null;
            if (isAborted)
            {
                aborted.Add(build);
            }
            else if (match is null)
            {
                added.Add(build);
            }
            else if (!build.Finished || !match.Finished)
            {
                unfinished.Add(build);
            }
            else
            {
                var succeeds = build.BuildStatus == BuildStatus.Succeeded;
                var succeeded = match.BuildStatus == BuildStatus.Succeeded;
                var list = (succeeds, succeeded) switch
                {
                    (true, true) => stillSucceed,
                    (false, false) => stillFail,
                    (true, false) => nowSucceed,
                    (false, true) => nowFail,
                };
                list.Add(build);
            }
        }
        removed.AddRange(Sorted(previous.Values.SelectMany(q => q)));
        return new EvaluationDiff(compareTo, added, removed, nowFail, nowSucceed, stillFail, stillSucceed, unfinished, aborted);
    }

    private static async Task<List<ComparedBuild>> LoadBuildsAsync(HydraDbContext db, long evaluationId, CancellationToken cancellationToken) =>
        await (
            from m in db.EvaluationMembers
            where m.EvaluationId == evaluationId
            join b in db.Builds on m.BuildId equals b.Id
            select new ComparedBuild(b.Id, b.Job, b.System, b.NixName, b.Finished, b.BuildStatus))
        .AsNoTracking().ToListAsync(cancellationToken);

    private static (string, string) Key(ComparedBuild build) => (build.Job, build.System);

    private static IEnumerable<ComparedBuild> Sorted(IEnumerable<ComparedBuild> builds) =>
        builds.OrderBy(b => b.Job, StringComparer.Ordinal).ThenBy(b => b.System, StringComparer.Ordinal).ThenBy(b => b.Id);
}
