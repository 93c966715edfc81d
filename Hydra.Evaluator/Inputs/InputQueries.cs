using Hydra.Core;
using Hydra.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hydra.Evaluator.Inputs;

/// <summary>
/// What inputs read from the database: other jobsets' builds and evaluations (<c>build</c> and
/// <c>eval</c> inputs) and stored git credentials. A singleton, so each call opens its own scope.
/// </summary>
public sealed class InputQueries(IServiceScopeFactory scopes)
{
    /// <summary>Credentials of a jobset's inputs by input name; empty for a jobset that is not stored.</summary>
    public async Task<IReadOnlyDictionary<string, GitCredential>> CredentialsAsync(long jobsetId, CancellationToken cancellationToken)
    {
        if (jobsetId == 0)
        {
            return new Dictionary<string, GitCredential>();
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HydraDbContext>();
        return await db.InputSecrets.AsNoTracking().Where(s => s.JobsetId == jobsetId)
            .ToDictionaryAsync(s => s.InputName, s => new GitCredential(s.Kind, s.Secret), cancellationToken);
    }

    /// <summary>The latest successful build of project:jobset:job, or null when there is none.</summary>
    public async Task<LatestBuild?> LatestSuccessfulBuildAsync(string project, string jobset, string job, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HydraDbContext>();
        var build = await db.Builds.AsNoTracking()
            .Where(b => b.Jobset!.Project!.Name == project && b.Jobset.Name == jobset && b.Job == job
                && b.Finished && b.BuildStatus == BuildStatus.Succeeded)
            .OrderByDescending(b => b.Id)
            .Select(b => new { b.Id, Outputs = b.Outputs.Select(o => new { o.Name, o.Path }).ToList() })
            .FirstOrDefaultAsync(cancellationToken);
        return build is null ? null : new LatestBuild(build.Id, build.Outputs.ToDictionary(o => o.Name, o => o.Path, StringComparer.Ordinal));
    }

    /// <summary>
    /// The newest evaluation of project:jobset whose builds have all finished, with the out path of
    /// each successful build; null when there is none.
    /// </summary>
    public async Task<LatestEvaluation?> LatestFinishedEvaluationAsync(string project, string jobset, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HydraDbContext>();
        var members = db.EvaluationMembers;
        var evaluationId = await db.Evaluations.AsNoTracking()
            .Where(e => e.Jobset!.Project!.Name == project && e.Jobset.Name == jobset
                && members.Any(m => m.EvaluationId == e.Id)
                && !members.Any(m => m.EvaluationId == e.Id && !m.Build!.Finished))
            .OrderByDescending(e => e.Id)
            .Select(e => (long?)e.Id)
            .FirstOrDefaultAsync(cancellationToken);
        if (evaluationId is null)
        {
            return null;
        }
        var jobs = await members.AsNoTracking()
            .Where(m => m.EvaluationId == evaluationId && m.Build!.BuildStatus == BuildStatus.Succeeded)
            .SelectMany(m => m.Build!.Outputs.Where(o => o.Name == "out").Select(o => new { m.Build!.Job, o.Path }))
            .ToListAsync(cancellationToken);
        return new LatestEvaluation(evaluationId.Value, jobs.ToDictionary(j => j.Job, j => j.Path, StringComparer.Ordinal));
    }
}
