using System.Text;
using System.Text.Json.Nodes;
using Hydra.Core;
using Hydra.Core.Processes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Hydra.Evaluator.Nix;

/// <summary>
/// Evaluates a jobset with real Nix. With <c>nix-eval-jobs</c> available (on PATH, or
/// <see cref="EvaluatorOptions.NixEvalJobsPath"/>) it runs that; otherwise the wrapper <c>eval-jobs.nix</c>
/// through <c>nix-instantiate</c>, listed once and evaluated by <see cref="EvaluatorOptions.Workers"/> streaming
/// processes (<see cref="StreamedEvaluation"/>). Either way each process is limited in time and memory, a failing job
/// becomes a <see cref="JobError"/> while the others build, and aggregates are resolved to job names.
/// </summary>
/// <remarks>Given <paramref name="hydraOptions"/> (as the server does), it evaluates in stores of the workers' own (<see cref="EvalStores"/>).</remarks>
public sealed partial class NixEvaluator(
    INixProcessRunner runner, IOptions<EvaluatorOptions> options, ILogger<NixEvaluator>? logger = null, IOptions<HydraOptions>? hydraOptions = null)
{
    /// <summary>NIX_PATH is cleared so an expression cannot depend on the server's channels by accident.</summary>
    internal static readonly IReadOnlyDictionary<string, string> Environment = new Dictionary<string, string> { ["NIX_PATH"] = "" };

    private static readonly Lazy<string> WrapperPath = new(WriteWrapper);
    private static readonly Lazy<string?> NixEvalJobsOnPath = new(() => ExecutableSearch.Find("nix-eval-jobs"));

    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    /// <summary>Evaluates the jobset expression at <paramref name="exprPath"/>, called with the inputs (see eval-jobs.nix for their shape).</summary>
    public Task<JobsetEvaluation> EvaluateAsync(string exprPath, JsonObject inputs, CancellationToken cancellationToken)
    {
        if (!File.Exists(exprPath))
        {
            throw new EvaluationFailedException($"The Nix file {exprPath} does not exist in the input. Check the jobset's Nix expression path.");
        }
        return EvaluateAsync(new EvalTarget(exprPath, inputs.ToJsonString(), null), cancellationToken);
    }

    /// <summary>Evaluates <c>hydraJobs</c> of a locked flake, or its <c>checks</c> (checks.&lt;system&gt;.&lt;name&gt;) when it has none.</summary>
    public Task<JobsetEvaluation> EvaluateFlakeAsync(string lockedFlakeUrl, CancellationToken cancellationToken) =>
        EvaluateAsync(new EvalTarget(null, "{}", lockedFlakeUrl), cancellationToken);

    /// <summary>
    /// Starts evaluating the jobset expression at <paramref name="exprPath"/> and streams its jobs as
    /// they are evaluated (see <see cref="EvaluationStream"/>); <see cref="EvaluateAsync(string, JsonObject, CancellationToken)"/>
    /// gives the same jobs and errors at once.
    /// </summary>
    public EvaluationStream EvaluateStreaming(string exprPath, JsonObject inputs, CancellationToken cancellationToken)
    {
        if (!File.Exists(exprPath))
        {
            throw new EvaluationFailedException($"The Nix file {exprPath} does not exist in the input. Check the jobset's Nix expression path.");
        }
        return Stream(new EvalTarget(exprPath, inputs.ToJsonString(), null), cancellationToken);
    }

    /// <summary>The streaming form of <see cref="EvaluateFlakeAsync"/>.</summary>
    public EvaluationStream EvaluateFlakeStreaming(string lockedFlakeUrl, CancellationToken cancellationToken) =>
        Stream(new EvalTarget(null, "{}", lockedFlakeUrl), cancellationToken);

    private async Task<JobsetEvaluation> EvaluateAsync(EvalTarget target, CancellationToken cancellationToken)
    {
        var records = new List<JobRecord>();
        var errors = await RunEngineAsync(target, batch =>
        {
            lock (records)
            {
                records.AddRange(batch);
            }
        }, cancellationToken);
        return AggregateResolver.Resolve(records, errors);
    }

    private EvaluationStream Stream(EvalTarget target, CancellationToken cancellationToken) =>
        new(async (writer, token) =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var records = new List<JobRecord>();
            var aggregates = false;
            var errors = await RunEngineAsync(target, batch =>
            {
                lock (records)
                {
                    records.AddRange(batch);
                    aggregates |= batch.Any(r => r.Constituents is not null);
                }
                // Aggregates wait for every job; nothing else can fail after evaluating.
                foreach (var record in batch.Where(r => r.Constituents is null))
                {
                    writer.TryWrite(record.Job);
                }
            }, token);
            if (!aggregates)
            {
                // Nothing to resolve: the evaluation ends with its last job (this sits between the last job and ingestion's tail).
                return new EvaluationCompletion([], [.. errors.OrderBy(e => e.Name, StringComparer.Ordinal)], clock.Elapsed);
            }
            var resolved = AggregateResolver.Resolve(records, errors);
            return new EvaluationCompletion(resolved.Jobs.Where(j => j.Constituents is not null).ToList(), resolved.Errors, clock.Elapsed);
        }, cancellationToken);

    /// <summary>Runs the engine, handing job records to <paramref name="emit"/> as they are known; returns the job errors.</summary>
    private async Task<IReadOnlyList<JobError>> RunEngineAsync(EvalTarget target, Action<IReadOnlyList<JobRecord>> emit, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var limited = new LimitedProcessRunner(runner, settings, _logger);
        var workers = Math.Max(1, settings.Workers);
        if (NixEvalJobs(settings) is { } nixEvalJobs)
        {
            LogEngine(_logger, target.Describe, nixEvalJobs, workers);
            var (jobs, errors) = await new NixEvalJobsRunner(limited, nixEvalJobs, settings, target).RunAsync(cancellationToken);
            emit(jobs);
            return errors;
        }
        LogEngine(_logger, target.Describe, "nix-instantiate", workers);
        var leases = new List<IDisposable>();
        try
        {
            List<string>? stores = null;
            if (settings.WorkerStores && hydraOptions is not null && target.AllowsWorkerStores)
            {
                var dataDir = hydraOptions.Value.DataDir;
                stores = [.. Enumerable.Range(0, workers).Select(k => EvalStores.Root(dataDir, k))];
                leases.AddRange(Enumerable.Range(0, workers).Select(k => EvalStores.Use(dataDir, k, settings.WorkerStoreMaxMiB)));
            }
            using var streamed = new StreamedEvaluation(limited, WrapperPath.Value, target, workers, stores);
            return await streamed.RunAsync(emit, cancellationToken);
        }
        finally
        {
            leases.ForEach(lease => lease.Dispose());
        }
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Debug, Message = "Evaluating {Target} with {Engine} and {Workers} workers")]
    private static partial void LogEngine(ILogger logger, string target, string engine, int workers);

    private static string? NixEvalJobs(EvaluatorOptions settings) => settings.NixEvalJobsPath switch
    {
        null => NixEvalJobsOnPath.Value,
        "" => null,
        var path => path,
    };

    private static string WriteWrapper()
    {
        using var stream = typeof(NixEvaluator).Assembly.GetManifestResourceStream("Hydra.Evaluator.Nix.eval-jobs.nix")
            ?? throw new InvalidOperationException("eval-jobs.nix is not embedded in Hydra.Evaluator.");
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        var directory = Path.Combine(Path.GetTempPath(), "hydra-evaluator");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"eval-jobs-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12]}.nix");
        if (!File.Exists(path))
        {
            var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
            File.WriteAllText(temporary, text);
            File.Move(temporary, path, overwrite: true);
        }
        return path;
    }
}
