using System.Text;
using Hydra.Core;
using Hydra.Core.Data;
using Hydra.Core.Nix;
using Hydra.Core.Storage;
using Hydra.Evaluator.Jobsets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Hydra.Evaluator.Declarative;

/// <summary>
/// Applies the output of a generated declarative project's <c>jobsets</c> build, as Hydra's
/// DeclarativeJobsets plugin does when that build finishes: a file holding the static form's
/// object (jobset name to spec), read from the farm's binary cache and applied by
/// <see cref="DeclarativeSpecWriter"/>, exactly like a static spec file. A failed build, or an
/// output that cannot be read or parsed, leaves every jobset as it is and puts an error on
/// <c>.jobsets</c>.
/// <para>
/// Each pass takes, per <c>.jobsets</c>, its newest finished <c>jobsets</c> build newer than
/// <c>jobsets.decl_build_id</c>. Claiming it (moving <c>decl_build_id</c> up, compare-and-set) and
/// applying it are one transaction, so a build is handled exactly once even with several evaluator
/// processes, and a crash before the commit leaves it to the next pass. Builds are never reused
/// across different derivations, so build ids only grow and an older build never undoes a newer one.
/// </para>
/// </summary>
public sealed partial class GeneratedSpecApplier(
    IServiceScopeFactory scopes,
    NpgsqlDataSource dataSource,
    ICacheStorage cache,
    TimeProvider clock,
    ILogger<GeneratedSpecApplier> logger)
{
    /// <summary>NOTIFYed after an evaluation of a generated <c>.jobsets</c>, whose <c>jobsets</c> build may already be finished.</summary>
    public const string Channel = "hydra_declarative_build";

    /// <summary>The largest <c>jobsets</c> output (as a NAR) that is read; a spec is a few kilobytes.</summary>
    public const long MaxOutputBytes = 16 * 1024 * 1024;

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Called by the evaluation runner after it ingested an evaluation of a generated <c>.jobsets</c>:
    /// without a <c>jobsets</c> job there is nothing to apply, which becomes the jobset's error (and
    /// stays, through <c>decl_error</c>, until an evaluation has the job). With the job, an error kept
    /// from earlier makes way for that build's result, which the next pass applies (again, if the
    /// evaluation reused an already handled build).
    /// </summary>
    /// <exception cref="DeclarativeSpecException">The evaluation has no <c>jobsets</c> job.</exception>
    public async Task CheckEvaluationAsync(long jobsetId, long evaluationId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HydraDbContext>();
        var buildId = await db.EvaluationMembers.Where(m => m.EvaluationId == evaluationId && m.Build!.Job == DeclarativeProject.JobsetsJob)
            .Select(m => (long?)m.BuildId).SingleOrDefaultAsync(cancellationToken);
        if (buildId is { } id)
        {
            await db.Jobsets.Where(j => j.Id == jobsetId && j.DeclError != null).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.DeclError, (string?)null)
                .SetProperty(j => j.DeclBuildId, j => j.DeclBuildId < id ? j.DeclBuildId : (long?)(id - 1)), cancellationToken);
            await using var notify = dataSource.CreateCommand($"SELECT pg_notify('{Channel}', '')");
            await notify.ExecuteNonQueryAsync(cancellationToken);
            return;
        }

        var jobError = await db.EvaluationErrors.Where(e => e.EvaluationId == evaluationId && e.Job == DeclarativeProject.JobsetsJob)
            .Select(e => e.Message).SingleOrDefaultAsync(cancellationToken);
        var jobs = await db.EvaluationMembers.Where(m => m.EvaluationId == evaluationId)
            .Select(m => m.Build!.Job).OrderBy(j => j).Take(11).ToListAsync(cancellationToken);
        var message = jobError is not null
            ? $"The job '{DeclarativeProject.JobsetsJob}' of {DeclarativeProject.JobsetName} evaluation {evaluationId} failed to evaluate, so no jobsets were changed:\n{jobError}"
            : $"{DeclarativeProject.JobsetName} evaluation {evaluationId} has no job named '{DeclarativeProject.JobsetsJob}' " +
              $"({(jobs.Count == 0 ? "it has no jobs" : "its jobs: " + string.Join(", ", jobs.Take(10)) + (jobs.Count > 10 ? ", ..." : ""))}). " +
              $"A generated declarative spec's expression must have a job '{DeclarativeProject.JobsetsJob}' whose output lists the jobsets; no jobsets were changed.";
        await db.Jobsets.Where(j => j.Id == jobsetId).ExecuteUpdateAsync(s => s.SetProperty(j => j.DeclError, message), cancellationToken);
        throw new DeclarativeSpecException(message);
    }

    /// <summary>One pass over every generated project; returns how many builds it handled.</summary>
    public async Task<int> ApplyFinishedBuildsAsync(CancellationToken cancellationToken)
    {
        var handled = 0;
        foreach (var build in await FinishedBuildsAsync(cancellationToken))
        {
            try
            {
                if (await HandleAsync(build, cancellationToken))
                {
                    handled++;
                }
            }
            catch (IOException exception)
            {
                // The cache could not be read just now: the build stays unclaimed for the next pass,
                // and the other projects go on.
                LogReadFailed(exception, build.Project, build.BuildId);
            }
        }
        return handled;
    }

    /// <summary>
    /// Called when a static spec has been applied: <c>jobsets</c> builds queued while the spec was
    /// generated must not override it when they finish, and their errors no longer apply.
    /// </summary>
    internal static Task ForgetPendingBuildsAsync(HydraDbContext db, long jobsetId, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync(
            $"""
            UPDATE jobsets SET decl_error = NULL,
                decl_build_id = GREATEST(decl_build_id, (SELECT max(id) FROM builds WHERE jobset_id = {jobsetId} AND job = {DeclarativeProject.JobsetsJob}))
            WHERE id = {jobsetId}
            """, cancellationToken);

    private async Task<List<FinishedBuild>> FinishedBuildsAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT DISTINCT ON (j.id) j.id, j.project_id, p.name, b.id, b.build_status, o.path
            FROM jobsets j
            JOIN projects p ON p.id = j.project_id AND p.decl_file IS NOT NULL
            JOIN builds b ON b.jobset_id = j.id AND b.job = $2 AND b.finished AND b.id > COALESCE(j.decl_build_id, 0)
            LEFT JOIN build_outputs o ON o.build_id = b.id AND o.name = 'out'
            WHERE j.name = $1
            ORDER BY j.id, b.id DESC
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = DeclarativeProject.JobsetName });
        command.Parameters.Add(new NpgsqlParameter { Value = DeclarativeProject.JobsetsJob });
        var builds = new List<FinishedBuild>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            builds.Add(new FinishedBuild(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetInt64(3),
                reader.GetInt32(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
        }
        return builds;
    }

    /// <summary>Reads, claims and applies one build; false when another evaluator handled it first.</summary>
    private async Task<bool> HandleAsync(FinishedBuild build, CancellationToken cancellationToken)
    {
        // Read before the transaction, which then stays short. An IOException (the cache cannot be
        // read right now) escapes before the claim, so the next pass tries again.
        var (specs, error) = await ReadOutputAsync(build, cancellationToken);

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HydraDbContext>();
        var now = clock.GetUtcNow();
        DeclarativeChanges? changes = null;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var claimed = await db.Jobsets
                .Where(j => j.Id == build.JobsetId && (j.DeclBuildId == null || j.DeclBuildId < build.BuildId))
                .ExecuteUpdateAsync(s => s.SetProperty(j => j.DeclBuildId, build.BuildId), cancellationToken);
            if (claimed == 0)
            {
                return false;
            }
            if (specs is not null)
            {
                changes = await DeclarativeSpecWriter.ApplyAsync(db, build.ProjectId, specs, now, cancellationToken);
            }
            // The jobset shows this build's error; an earlier build's error (still shown) goes, a check's error stays.
            await db.Database.ExecuteSqlAsync(
                $"""
                UPDATE jobsets SET
                    error_message = CASE WHEN CAST({error} AS text) IS NOT NULL THEN CAST({error} AS text)
                                         WHEN error_message IS NOT DISTINCT FROM decl_error THEN NULL ELSE error_message END,
                    error_time = CASE WHEN CAST({error} AS text) IS NOT NULL THEN {now}
                                      WHEN error_message IS NOT DISTINCT FROM decl_error THEN NULL ELSE error_time END,
                    decl_error = CAST({error} AS text)
                WHERE id = {build.JobsetId}
                """, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        if (changes is null)
        {
            LogRejected(build.Project, build.BuildId, error!);
            return true;
        }
        LogApplied(build.Project, build.BuildId, changes.Created.Count, changes.Updated.Count, changes.Removed.Count);
        // A crash right here loses only the triggers: new jobsets are due at once anyway, changed ones at their next check.
        await scope.ServiceProvider.GetRequiredService<JobsetTrigger>()
            .TriggerAsync(changes.ToTrigger.Select(name => (build.Project, name)), force: false, cancellationToken);
        return true;
    }

    /// <summary>The jobsets the build's output lists, or why there are none to apply.</summary>
    private async Task<(IReadOnlyList<JobsetSpec>? Specs, string? Error)> ReadOutputAsync(FinishedBuild build, CancellationToken cancellationToken)
    {
        if (build.Status != BuildStatus.Succeeded)
        {
            return (null, $"Declarative jobset build {build.BuildId} failed ({BuildStatus.Describe(build.Status, finished: true)}); no jobsets were changed.");
        }
        if (build.OutPath is null)
        {
            return (null, $"Declarative jobset build {build.BuildId} has no output named 'out'; no jobsets were changed.");
        }
        var source = $"The output of declarative jobset build {build.BuildId} ({build.OutPath})";
        try
        {
            var contents = await CacheFileReader.ReadAsync(cache, build.OutPath, MaxOutputBytes, cancellationToken);
            string text;
            try
            {
                text = s_strictUtf8.GetString(contents.Span);
            }
            catch (DecoderFallbackException)
            {
                throw new DeclarativeSpecException($"{source} is not UTF-8 text, so it cannot be a JSON spec; no jobsets were changed.");
            }
            return (DeclarativeSpecParser.Parse(text, source), null);
        }
        catch (DeclarativeSpecException exception)
        {
            return (null, exception.Message);
        }
        catch (FormatException exception)
        {
            return (null, $"{source} cannot be read from the binary cache: {exception.Message} No jobsets were changed.");
        }
    }

    private sealed record FinishedBuild(long JobsetId, long ProjectId, string Project, long BuildId, int Status, string? OutPath);

    [LoggerMessage(EventId = 1211, Level = LogLevel.Information,
        Message = "Project {Project}: jobsets build {BuildId} applied: {Created} jobsets created, {Updated} updated, {Removed} disabled")]
    private partial void LogApplied(string project, long buildId, int created, int updated, int removed);

    [LoggerMessage(EventId = 1214, Level = LogLevel.Warning, Message = "Project {Project}: the output of jobsets build {BuildId} could not be read; trying again later")]
    private partial void LogReadFailed(Exception exception, string project, long buildId);

    [LoggerMessage(EventId = 1212, Level = LogLevel.Warning, Message = "Project {Project}: jobsets build {BuildId} not applied: {Error}")]
    private partial void LogRejected(string project, long buildId, string error);
}
