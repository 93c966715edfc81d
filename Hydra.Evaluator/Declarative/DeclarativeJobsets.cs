using Hydra.Core.Data;
using Hydra.Core.Data.Entities;
using Hydra.Evaluator.Inputs;
using Hydra.Evaluator.Jobsets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hydra.Evaluator.Declarative;

/// <summary>
/// Checks a declarative project's <c>.jobsets</c> jobset before the evaluation runner would evaluate
/// it: fetch the project's declarative input and read its spec file (Hydra's declfile). In the static
/// form the spec lists the jobsets, which are made to match it, and the check ends there. In the
/// generated form the spec configures <c>.jobsets</c> itself, which is then evaluated like any jobset
/// with two more inputs, <c>declInput</c> and <c>projectName</c>; its <c>jobsets</c> build is applied
/// by <see cref="GeneratedSpecApplier"/> once it has finished. New and changed jobsets are triggered.
/// Failures are exceptions the runner already records on the jobset: <see cref="InputFetchException"/>
/// when the input cannot be fetched, <see cref="DeclarativeSpecException"/> (a <see cref="FormatException"/>)
/// when the spec is missing or malformed; in both cases no jobset is changed.
/// </summary>
public sealed partial class DeclarativeJobsets(
    IServiceScopeFactory scopes,
    GitFetcher git,
    InputQueries queries,
    TimeProvider clock,
    ILogger<DeclarativeJobsets> logger)
{
    /// <summary>
    /// The jobset to evaluate: <paramref name="jobset"/> itself (loaded with its inputs and project)
    /// when it is not a <c>.jobsets</c> jobset; <c>.jobsets</c> as a generated spec configured it; or
    /// null when a static spec has been applied and there is nothing to evaluate.
    /// </summary>
    public async Task<Jobset?> PrepareAsync(Jobset jobset, CancellationToken cancellationToken)
    {
        if (jobset.Name != DeclarativeProject.JobsetName)
        {
            return jobset;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HydraDbContext>();
        var project = await db.Projects.SingleAsync(p => p.Id == jobset.ProjectId, cancellationToken);
        if (project.DeclFile is null || project.DeclType is null || project.DeclValue is null)
        {
            throw new DeclarativeSpecException($"Project '{project.Name}' is not declarative (any more), so {DeclarativeProject.JobsetName} has no spec to read.");
        }
        var declInput = new DeclarativeInput(project.DeclFile, project.DeclType, project.DeclValue);
        if (!DeclarativeInput.Types.Contains(declInput.Type))
        {
            throw new InputFetchException($"A declarative spec can only be read from a {string.Join(" or ", DeclarativeInput.Types)} input, not {declInput.Type}.");
        }
        if (!DeclarativeSpecParser.IsRelativePath(declInput.File))
        {
            throw new DeclarativeSpecException($"The declarative spec file '{declInput.File}' must be a relative path inside the input, without '..'.");
        }

        var credentials = await queries.CredentialsAsync(jobset.Id, cancellationToken);
        var checkout = await git.FetchAsync(declInput.Value, credentials.GetValueOrDefault(DeclarativeProject.InputName), cancellationToken);
        var path = Path.Combine(checkout.Path, declInput.File);
        if (!File.Exists(path))
        {
            throw new DeclarativeSpecException($"The declarative spec file '{declInput.File}' does not exist in {checkout.Url} at revision {checkout.Revision}.");
        }
        var spec = DeclarativeSpecParser.Read(await File.ReadAllTextAsync(path, cancellationToken), declInput.File);

        if (spec.Generator is { } generator)
        {
            await ConfigureGeneratorAsync(db, project, jobset.Id, generator, cancellationToken);
            LogGenerated(declInput.File, checkout.Revision);
            return await db.Jobsets.AsNoTracking().Include(j => j.Inputs).Include(j => j.Project)
                .SingleAsync(j => j.Id == jobset.Id, cancellationToken);
        }

        DeclarativeChanges changes;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            // Back to the static shape (one input, the spec file) in case the spec was generated before.
            await DeclarativeProject.ApplyAsync(db, project, declInput, clock.GetUtcNow(), cancellationToken);
            changes = await DeclarativeSpecWriter.ApplyAsync(db, project.Id, spec.Jobsets!, clock.GetUtcNow(), cancellationToken);
            await GeneratedSpecApplier.ForgetPendingBuildsAsync(db, jobset.Id, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        LogApplied(declInput.File, checkout.Revision, changes.Created.Count, changes.Updated.Count, changes.Removed.Count);
        await scope.ServiceProvider.GetRequiredService<JobsetTrigger>()
            .TriggerAsync(changes.ToTrigger.Select(name => (project.Name, name)), force: false, cancellationToken);
        return null;
    }

    /// <summary>True for the <c>.jobsets</c> jobset of a project whose spec is in the generated form (as <see cref="PrepareAsync"/> returned it).</summary>
    public static bool IsGenerator(Jobset jobset) =>
        jobset.Name == DeclarativeProject.JobsetName && jobset.Project?.DeclFile is not null;

    /// <summary>
    /// Configures <c>.jobsets</c> from the spec, plus Hydra's two extra inputs: the declarative input
    /// itself (the same value as a git input would have) and the project's name.
    /// </summary>
    private static async Task ConfigureGeneratorAsync(HydraDbContext db, Project project, long jobsetId, JobsetSpec generator, CancellationToken cancellationToken)
    {
        var jobset = await db.Jobsets.Include(j => j.Inputs).SingleAsync(j => j.Id == jobsetId, cancellationToken);
        DeclarativeSpecWriter.Configure(jobset, generator with
        {
            Inputs =
            [
                .. generator.Inputs,
                new JobsetSpecInput(DeclarativeProject.InputName, project.DeclType!, project.DeclValue!, EmailResponsible: false),
                new JobsetSpecInput(DeclarativeProject.ProjectNameInput, "string", project.Name, EmailResponsible: false),
            ],
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information,
        Message = "Declarative spec {File} at {Revision} applied: {Created} jobsets created, {Updated} updated, {Removed} disabled")]
    private partial void LogApplied(string file, string revision, int created, int updated, int removed);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Information,
        Message = "Declarative spec {File} at {Revision} is generated: evaluating .jobsets, whose jobsets build lists the jobsets")]
    private partial void LogGenerated(string file, string revision);
}
