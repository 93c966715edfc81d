using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Hydra.Core.Data;
using Hydra.Core.Data.Entities;
using Hydra.Evaluator.Declarative;
using Hydra.Evaluator.Inputs;
using Hydra.Evaluator.Ingestion;
using Hydra.Evaluator.Nix;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hydra.Evaluator.Jobsets;

/// <summary>
/// Checks one jobset: fetch its inputs, skip when they hash the same as last time (unless forced),
/// evaluate with Nix, push the derivations to the cache, and ingest builds and steps. Any failure
/// is recorded on the jobset with a message meant for its maintainer; nothing else is touched.
/// The current step is written to <c>jobsets.eval_phase</c> as it goes, for the status pages.
/// A one-shot jobset (enabled = 2) is disabled once a check succeeds (evaluated or unchanged);
/// a failed fetch or evaluation leaves it enabled so it is tried again.
/// </summary>
public sealed partial class EvaluationRunner(
    IServiceScopeFactory scopes,
    InputResolver inputResolver,
    NixEvaluator evaluator,
    BuildIngester ingester,
    DeclarativeJobsets declarative,
    GeneratedSpecApplier generatedSpecs,
    TimeProvider clock,
    ILogger<EvaluationRunner> logger)
{
    public async Task<EvaluationOutcome> RunAsync(long jobsetId, CancellationToken cancellationToken)
    {
        var startedAt = clock.GetUtcNow();
        Jobset jobset;
        string? lastHash;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HydraDbContext>();
            jobset = await db.Jobsets.AsNoTracking().Include(j => j.Inputs).Include(j => j.Project).SingleAsync(j => j.Id == jobsetId, cancellationToken);
            lastHash = await db.Evaluations.Where(e => e.JobsetId == jobsetId).OrderByDescending(e => e.Id).Select(e => e.InputsHash).FirstOrDefaultAsync(cancellationToken);
        }
        using var logScope = logger.BeginScope(new Dictionary<string, object> { ["Jobset"] = $"{jobset.Project!.Name}:{jobset.Name}" });

        try
        {
            // A declarative project's ".jobsets" jobset reads its spec: a static one updates the other
            // jobsets and ends the check; a generated one configures .jobsets, evaluated next.
            if (await declarative.PrepareAsync(jobset, cancellationToken) is not { } target)
            {
                await RecordCheckAsync(jobsetId, startedAt, error: null, cancellationToken);
                return EvaluationOutcome.Evaluated;
            }
            jobset = target;
            await SetPhaseAsync(jobsetId, EvaluationPhase.FetchingInputs, cancellationToken);
            var fetchClock = Stopwatch.StartNew();
            var resolved = await inputResolver.ResolveAsync(jobset, cancellationToken);
            var checkoutSeconds = fetchClock.Elapsed.TotalSeconds;
            var hash = HashInputs(jobset, resolved.Inputs);
            if (hash == lastHash && !jobset.ForceEval)
            {
                LogUnchanged();
                await RecordCheckAsync(jobsetId, startedAt, error: null, cancellationToken);
                return EvaluationOutcome.Unchanged;
            }

            // Evaluation and ingestion overlap: each finished shard's builds are written while later shards
            // evaluate; the phase says Ingesting once the last shard is done.
            await SetPhaseAsync(jobsetId, EvaluationPhase.Evaluating, cancellationToken);
            await using var evaluation = resolved.FlakeUrl is { } flake
                ? evaluator.EvaluateFlakeStreaming(flake, cancellationToken)
                : evaluator.EvaluateStreaming(Path.Combine(resolved.ExpressionRoot, jobset.NixExprPath), resolved.Arguments, cancellationToken);
            var ingesting = ingester.IngestAsync(jobsetId, evaluation,
                completion => new EvaluationRecord(hash, jobset.NixExprInput, jobset.NixExprPath, resolved.Inputs, checkoutSeconds,
                    completion.Elapsed.TotalSeconds, startedAt) { Flake = resolved.FlakeUrl },
                progress: null, cancellationToken);
            if (await Task.WhenAny(evaluation.Completion, ingesting) == evaluation.Completion && evaluation.Completion.IsCompletedSuccessfully)
            {
                await SetPhaseAsync(jobsetId, EvaluationPhase.Ingesting, cancellationToken);
            }
            var result = await ingesting;
            LogEvaluated(result.EvaluationId, result.NewBuilds, result.ReusedBuilds, result.NewSteps, result.Errors);
            if (DeclarativeJobsets.IsGenerator(jobset))
            {
                // Its "jobsets" build is applied when it finishes (GeneratedSpecWatcher); without the job there is nothing to wait for.
                await generatedSpecs.CheckEvaluationAsync(jobsetId, result.EvaluationId, cancellationToken);
            }
            await RecordCheckAsync(jobsetId, startedAt, error: null, cancellationToken);
            return EvaluationOutcome.Evaluated;
        }
        catch (Exception exception) when (exception is InputFetchException or EvaluationFailedException or IOException or FormatException)
        {
            var message = exception switch
            {
                InputFetchException => $"Fetching inputs failed:\n{exception.Message}",
                EvaluationFailedException => $"Evaluation of {jobset.NixExprInput}/{jobset.NixExprPath} failed:\n{exception.Message}",
                _ => $"Evaluation failed:\n{exception.Message}",
            };
            LogFailed(message);
            await RecordCheckAsync(jobsetId, startedAt, message, cancellationToken);
            return EvaluationOutcome.Failed;
        }
    }

    /// <summary>Same expression + same resolved inputs = same hash = nothing to evaluate.</summary>
    private static string HashInputs(Jobset jobset, IReadOnlyList<EvaluationInput> inputs)
    {
        var text = new StringBuilder().Append(jobset.NixExprInput).Append('\n').Append(jobset.NixExprPath).Append('\n');
        foreach (var input in inputs)
        {
            text.Append(input.Name).Append('\t').Append(input.Type).Append('\t').Append(input.Uri).Append('\t').Append(input.Revision).Append('\t').Append(input.Value).Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>One cheap single-row UPDATE per phase, so the status page can say where an evaluation is.</summary>
    private async Task SetPhaseAsync(long jobsetId, string phase, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HydraDbContext>();
        var now = clock.GetUtcNow();
        await db.Jobsets.Where(j => j.Id == jobsetId).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.EvalPhase, phase)
            .SetProperty(j => j.EvalPhaseSince, now), cancellationToken);
    }

    /// <summary>
    /// Records the check and releases the jobset (clearing its phase). A trigger that arrived while
    /// this evaluation ran is kept, so it causes another evaluation. A successful check of a
    /// one-shot jobset disables it, as Hydra's hydra-eval-jobset does. A successful check leaves a
    /// generated declarative project's error (decl_error: its last jobsets build could not be applied)
    /// on the jobset, since that is still true.
    /// </summary>
    private async Task RecordCheckAsync(long jobsetId, DateTimeOffset startedAt, string? error, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HydraDbContext>();
        var now = clock.GetUtcNow();
        DateTimeOffset? errorTime = error is null ? null : now;
        var succeeded = error is null;
        await db.Jobsets.Where(j => j.Id == jobsetId).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.LastCheckedAt, now)
            .SetProperty(j => j.EvalStartedAt, (DateTimeOffset?)null)
            .SetProperty(j => j.EvalPhase, (string?)null)
            .SetProperty(j => j.EvalPhaseSince, (DateTimeOffset?)null)
            .SetProperty(j => j.Enabled, j => succeeded && j.Enabled == OneShot ? (short)0 : j.Enabled)
            .SetProperty(j => j.TriggerTime, j => j.TriggerTime <= startedAt ? null : j.TriggerTime)
            .SetProperty(j => j.ForceEval, j => j.TriggerTime <= startedAt ? false : j.ForceEval)
            .SetProperty(j => j.ErrorMessage, j => error ?? j.DeclError)
            .SetProperty(j => j.ErrorTime, j => errorTime ?? (j.DeclError == null ? null : j.ErrorTime ?? now)), CancellationToken.None);
    }

    /// <summary>Hydra's <c>enabled</c> code for a jobset evaluated once and then disabled.</summary>
    private const short OneShot = 2;

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Inputs unchanged; no new evaluation")]
    private partial void LogUnchanged();

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Evaluation {EvaluationId}: {NewBuilds} new builds, {ReusedBuilds} reused, {NewSteps} new steps, {Errors} job errors")]
    private partial void LogEvaluated(long evaluationId, int newBuilds, int reusedBuilds, int newSteps, int errors);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Jobset check failed: {Error}")]
    private partial void LogFailed(string error);
}
