using Hydra.Core.Data;
using Hydra.Core.Data.Entities;
using Hydra.Evaluator.Inputs;
using Hydra.Evaluator.Jobsets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hydra.Evaluator.Declarative;

/// <summary>
/// Checks a declarative project's <c>.jobsets</c> jobset instead of evaluating it: fetch the spec's
/// git input, read the spec file, and make the project's jobsets match it (Hydra's static form).
/// New and changed jobsets are triggered. The evaluation runner calls this first for every jobset.
/// Failures are exceptions the runner already records on the jobset: <see cref="InputFetchException"/>
/// when the input cannot be fetched, <see cref="DeclarativeSpecException"/> (a <see cref="FormatException"/>)
/// when the spec is missing or malformed; in both cases no jobset is changed.
/// Hydra's generated form (a jobset spec whose build writes the jobsets) is not supported.
/// </summary>
public sealed partial class DeclarativeJobsets(
    IServiceScopeFactory scopes,
    GitFetcher git,
    InputQueries queries,
    TimeProvider clock,
    ILogger<DeclarativeJobsets> logger)
{
    /// <summary>
    /// False, doing nothing, when <paramref name="jobset"/> (loaded with its inputs) is not a
    /// <c>.jobsets</c> jobset; true once its spec has been applied.
    /// </summary>
    public async Task<bool> TryRunAsync(Jobset jobset, CancellationToken cancellationToken)
    {
        if (jobset.Name != DeclarativeProject.JobsetName)
        {
            return false;
        }
        var input = jobset.Inputs.SingleOrDefault(i => i.Name == jobset.NixExprInput)
            ?? throw new InputFetchException($"The {DeclarativeProject.JobsetName} jobset has no input '{jobset.NixExprInput}'; set the project's declarative input again.");
        if (!DeclarativeInput.Types.Contains(input.Type))
        {
            throw new InputFetchException($"A declarative spec can only be read from a {string.Join(" or ", DeclarativeInput.Types)} input, not {input.Type}.");
        }
        var file = jobset.NixExprPath;
        if (!DeclarativeSpecParser.IsRelativePath(file))
        {
            throw new DeclarativeSpecException($"The declarative spec file '{file}' must be a relative path inside the input, without '..'.");
        }

        var credentials = await queries.CredentialsAsync(jobset.Id, cancellationToken);
        var checkout = await git.FetchAsync(input.Value, credentials.GetValueOrDefault(input.Name), cancellationToken);
        var path = Path.Combine(checkout.Path, file);
        if (!File.Exists(path))
        {
            throw new DeclarativeSpecException($"The declarative spec file '{file}' does not exist in {checkout.Url} at revision {checkout.Revision}.");
        }
        var specs = DeclarativeSpecParser.Parse(await File.ReadAllTextAsync(path, cancellationToken), file);

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HydraDbContext>();
        var changes = await DeclarativeSpecWriter.ApplyAsync(db, jobset.ProjectId, specs, clock.GetUtcNow(), cancellationToken);
        LogApplied(file, checkout.Revision, changes.Created.Count, changes.Updated.Count, changes.Removed.Count);
        if (changes.ToTrigger.Count > 0)
        {
            var project = jobset.Project?.Name
                ?? await db.Projects.Where(p => p.Id == jobset.ProjectId).Select(p => p.Name).SingleAsync(cancellationToken);
            var trigger = scope.ServiceProvider.GetRequiredService<JobsetTrigger>();
            await trigger.TriggerAsync(changes.ToTrigger.Select(name => (project, name)), force: false, cancellationToken);
        }
        return true;
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information,
        Message = "Declarative spec {File} at {Revision} applied: {Created} jobsets created, {Updated} updated, {Removed} disabled")]
    private partial void LogApplied(string file, string revision, int created, int updated, int removed);
}
