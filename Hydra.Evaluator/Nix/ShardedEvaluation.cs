using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hydra.Evaluator.Nix;

/// <summary>
/// One evaluation through eval-jobs.nix. First one cheap process lists the job attribute paths; the jobs
/// are then cut into shards of at most <c>ShardSize</c> jobs (and at least <c>Workers</c> shards), evaluated
/// by <c>Workers</c> processes at a time. Each shard's jobs are handed to <c>emit</c> as soon as its process
/// ends, so they can be ingested while later shards evaluate. Jobs whose evaluation threw, and every job
/// of a shard whose process died (out of memory, abort, stack overflow, time limit), are evaluated again
/// one per process, so exactly the guilty jobs get errors (with Nix's own message and trace) and the
/// others still build. A listing that dies is narrowed down by bisection.
/// </summary>
internal sealed class ShardedEvaluation(LimitedProcessRunner runner, string wrapperPath, EvalTarget target, int workers, int shardSize) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(workers, workers);
    private readonly List<JobError> _errors = [];
    private readonly Lock _gate = new();

    /// <summary>Evaluates every job, handing each shard's records to <paramref name="emit"/> (called from several threads); returns the job errors.</summary>
    public async Task<IReadOnlyList<JobError>> RunAsync(Action<IReadOnlyList<JobRecord>> emit, CancellationToken cancellationToken)
    {
        var listing = await ListAsync([[]], cancellationToken);
        var healthy = listing.Where(l => !l.Suspect).Select(l => l.Path).ToList();
        var suspects = listing.Where(l => l.Suspect).Select(l => l.Path).ToList();

        var size = Math.Max(1, Math.Min(Math.Max(1, shardSize), (healthy.Count + workers - 1) / workers));
        var tasks = healthy.Chunk(size).Select(shard => EvaluateShardAsync(shard, emit, cancellationToken)).ToList();
        tasks.Add(EvaluateSinglesAsync(suspects, emit, cancellationToken));
        await Task.WhenAll(tasks);
        lock (_gate)
        {
            return [.. _errors];
        }
    }

    private sealed record Listed(string[] Path, bool Suspect);

    /// <summary>Lists the jobs under <paramref name="roots"/>; when the process dies, halves the roots (or descends one level) and tries again.</summary>
    private async Task<List<Listed>> ListAsync(IReadOnlyList<string[]> roots, CancellationToken cancellationToken)
    {
        var listed = await RunWrapperAsync("list", roots, catchErrors: true, limitMemory: true, cancellationToken);
        if (listed.Succeeded)
        {
            return JsonNode.Parse(listed.Output)!.AsArray()
                .Select(entry => new Listed(PathOf(entry!["path"]!), entry!["error"] is not null))
                .ToList();
        }
        if (roots.Count > 1)
        {
            var half = roots.Count / 2;
            var parts = await Task.WhenAll(ListAsync(roots.Take(half).ToList(), cancellationToken), ListAsync(roots.Skip(half).ToList(), cancellationToken));
            return [.. parts[0], .. parts[1]];
        }

        var root = roots[0];
        var node = await RunWrapperAsync("node", roots, catchErrors: false, limitMemory: true, cancellationToken);
        if (!node.Succeeded)
        {
            if (root.Length == 0)
            {
                throw new EvaluationFailedException($"Evaluating {target.Describe} failed:\n{node.Errors}");
            }
            AddError(root, node.Errors);
            return [];
        }
        var info = JsonNode.Parse(node.Output)![0]!;
        return (string?)info["kind"] switch
        {
            "set" => await ListAsync(info["names"]!.AsArray().Select(n => (string[])[.. root, (string)n!]).ToList(), cancellationToken),
            "job" => [new Listed(root, Suspect: true)],
            _ => [],
        };
    }

    private async Task EvaluateShardAsync(string[][] shard, Action<IReadOnlyList<JobRecord>> emit, CancellationToken cancellationToken)
    {
        var result = await RunWrapperAsync("eval", shard, catchErrors: true, limitMemory: true, cancellationToken);
        if (!result.Succeeded)
        {
            await EvaluateSinglesAsync(shard, emit, cancellationToken);
            return;
        }
        var jobs = new List<JobRecord>(shard.Length);
        var retry = new List<string[]>();
        foreach (var (path, record) in shard.Zip(JsonNode.Parse(result.Output)!.AsArray()))
        {
            if (record is JsonObject job && job["error"] is null)
            {
                jobs.Add(ToRecord(path, job));
            }
            else
            {
                retry.Add(path);
            }
        }
        emit(jobs);
        await EvaluateSinglesAsync(retry, emit, cancellationToken);
    }

    private async Task EvaluateSinglesAsync(IReadOnlyList<string[]> paths, Action<IReadOnlyList<JobRecord>> emit, CancellationToken cancellationToken)
    {
        if (paths.Count == 0)
        {
            return;
        }
        var singles = await Task.WhenAll(paths.Select(path => EvaluateSingleAsync(path, cancellationToken)));
        emit(singles.OfType<JobRecord>().ToList());
    }

    private async Task<JobRecord?> EvaluateSingleAsync(string[] path, CancellationToken cancellationToken)
    {
        var result = await RunWrapperAsync("eval", [path], catchErrors: false, limitMemory: true, cancellationToken, "--show-trace");
        if (result.Succeeded && JsonNode.Parse(result.Output)![0] is JsonObject job)
        {
            return ToRecord(path, job);
        }
        AddError(path, result.Succeeded ? "the job did not evaluate to a derivation" : result.Errors);
        return null;
    }

    private static JobRecord ToRecord(string[] path, JsonObject job)
    {
        var aggregate = job["aggregate"] as JsonObject;
        var glob = aggregate?["glob"] is JsonValue g && (bool)g;
        var constituents = aggregate?["constituents"]?.AsArray()
            .Select(c => c!["drvPath"] is { } drv
                ? new ConstituentRef(null, (string)drv!, false)
                : new ConstituentRef((string)c["name"]!, null, glob))
            .ToList();
        return new JobRecord(JobRecordReader.Read(NameOf(path), job), constituents);
    }

    private void AddError(string[] path, string message)
    {
        lock (_gate)
        {
            _errors.Add(new JobError(NameOf(path), message));
        }
    }

    private async Task<ProcessResult> RunWrapperAsync(string mode, IReadOnlyList<string[]> paths, bool catchErrors, bool limitMemory,
        CancellationToken cancellationToken, params string[] extra)
    {
        // A shard's paths can exceed the kernel's limit for one argument, so they travel in a file.
        var pathsFile = Path.Combine(Path.GetTempPath(), $"hydra-eval-paths-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(pathsFile, JsonSerializer.Serialize(paths), cancellationToken);
        await _slots.WaitAsync(cancellationToken);
        try
        {
            string[] arguments =
            [
                "--eval", "--strict", "--json", "--read-write-mode", wrapperPath,
                .. target.WrapperArguments,
                "--argstr", "mode", mode, "--argstr", "pathsFile", pathsFile,
                "--arg", "catchErrors", catchErrors ? "true" : "false",
                .. target.FlakeUrl is null ? Array.Empty<string>() : ["--extra-experimental-features", "nix-command flakes"],
                .. extra,
            ];
            return await runner.RunAsync("nix-instantiate", arguments, NixEvaluator.Environment, limitMemory, cancellationToken);
        }
        finally
        {
            _slots.Release();
            File.Delete(pathsFile);
        }
    }

    private static string[] PathOf(JsonNode node) => node.AsArray().Select(n => (string)n!).ToArray();

    public static string NameOf(string[] path) => string.Join('.', path);

    public void Dispose() => _slots.Dispose();
}
