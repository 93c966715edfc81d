using System.Text.RegularExpressions;
using Hydra.Core.Data;
using Hydra.Core.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Pages.Search;

/// <summary>
/// Runs a search. Every part is an index look-up: names of projects and jobsets (small tables), jobs through
/// <c>builds_current_job_trgm</c> (a trigram GIN index over the current builds), paths through
/// <c>build_outputs_path</c> and <c>builds_drv</c> by equality. Hidden projects and jobsets are left out.
/// </summary>
internal static partial class SearchQuery
{
    private const char LikeEscape = '\\';

    public static async Task<SearchModel> RunAsync(HydraDbContext db, string? query, int? limit, CancellationToken cancellationToken)
    {
        var q = (query ?? "").Trim();
        var take = Math.Clamp(limit ?? SearchModel.DefaultLimit, 1, SearchModel.MaxLimit);
        if (Validate(q) is { } error)
        {
            return SearchModel.Empty(q, error, take);
        }

        var pattern = $"%{EscapeLike(q)}%";
        var projects = await db.Projects.AsNoTracking()
            .Where(p => !p.Hidden && (EF.Functions.ILike(p.Name, pattern, LikeEscape.ToString()) || EF.Functions.ILike(p.DisplayName, pattern, LikeEscape.ToString())))
            .OrderBy(p => p.Name).Take(take)
            .Select(p => new SearchModel.ProjectHit(p.Name, p.DisplayName, p.Description))
            .ToListAsync(cancellationToken);
        var jobsets = await db.Jobsets.AsNoTracking()
            .Where(j => !j.Hidden && !j.Project!.Hidden && EF.Functions.ILike(j.Name, pattern, LikeEscape.ToString()))
            .OrderBy(j => j.Project!.Name).ThenBy(j => j.Name).Take(take)
            .Select(j => new SearchModel.JobsetHit(j.Project!.Name, j.Name, j.Description))
            .ToListAsync(cancellationToken);

        List<SearchModel.BuildHit> jobs = [];
        if (q.Length >= SearchModel.MinJobQueryLength)
        {
            // Ordered by name, not id: ORDER BY id would tempt the planner to walk the primary key backwards and
            // filter every build, where the trigram index finds the few matching ones directly.
            jobs = await Hits(
                db.Builds.Where(b => b.IsCurrent && EF.Functions.ILike(b.Job, pattern, LikeEscape.ToString())).OrderBy(b => b.Job).ThenBy(b => b.JobsetId),
                take, cancellationToken);
        }

        List<SearchModel.BuildHit> byOutput = [], byDerivation = [];
        if (q.StartsWith("/nix/store/", StringComparison.Ordinal))
        {
            var withOutput = db.BuildOutputs.Where(o => o.Path == q).Select(o => o.BuildId);
            byOutput = await Hits(db.Builds.Where(b => withOutput.Contains(b.Id)).OrderByDescending(b => b.Id), take, cancellationToken);
            byDerivation = await Hits(db.Builds.Where(b => b.DrvPath == q).OrderByDescending(b => b.Id), take, cancellationToken);
        }

        return new SearchModel(q, null, projects, jobsets, jobs, byOutput, byDerivation, take);
    }

    /// <summary>Null when <paramref name="query"/> may be searched, else what is wrong with it.</summary>
    public static string? Validate(string query)
    {
        if (query.Length == 0)
        {
            return "Type a project, jobset or job name, or a full store path (/nix/store/...) of an output or derivation.";
        }
        if (query.Length > SearchModel.MaxQueryLength)
        {
            return $"The query is longer than {SearchModel.MaxQueryLength} characters.";
        }
        return Allowed().IsMatch(query)
            ? null
            : "Search for letters, digits and the characters _ - . / + only (names and store paths).";
    }

    private static Task<List<SearchModel.BuildHit>> Hits(IOrderedQueryable<Build> builds, int take, CancellationToken cancellationToken) =>
        builds.AsNoTracking()
            .Where(b => !b.Jobset!.Hidden && !b.Jobset.Project!.Hidden)
            .Take(take)
            .Select(b => new SearchModel.BuildHit(
                b.Id, b.Jobset!.Project!.Name, b.Jobset.Name, b.Job, b.System, b.Finished, b.BuildStatus, b.QueuedAt))
            .ToListAsync(cancellationToken);

    private static string EscapeLike(string value) =>
        value.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);

    [GeneratedRegex(@"^[A-Za-z0-9_\-./+]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Allowed();
}
