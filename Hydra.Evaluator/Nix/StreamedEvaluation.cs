using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hydra.Evaluator.Nix;

/// <summary>
/// One evaluation through eval-jobs.nix. First one cheap process lists the job attribute paths; the jobs
/// are then dealt round-robin to <c>Workers</c> long-running processes. Each process evaluates its jobs
/// in order and prints every record as a trace line the moment it is known ("stream" mode), so jobs
/// reach <c>emit</c> one by one while the process runs, and the shared part of the expression is
/// evaluated once per worker rather than once per batch.
/// <para>
/// Jobs whose evaluation threw (caught by tryEval) are evaluated again one per process with
/// <c>--show-trace</c>, so they get Nix's own message. When a process dies (out of memory, abort,
/// stack overflow, infinite recursion, time limit), the records it printed stand; the job it was on
/// (the next in its list) is evaluated alone, where it either fails with its own message or, if the
/// process only died of the memory it had piled up, succeeds; and a new process carries on after it.
/// That is how a worker over the memory limit is restarted. A listing that dies is narrowed down by bisection.
/// </para>
/// </summary>
/// <remarks>
/// With <paramref name="workerStores"/>, worker k evaluates in the store rooted at <c>workerStores[k]</c>
/// (see <see cref="EvalStores"/>), and the listing and single jobs in the first; without, all in the machine's store.
/// </remarks>
internal sealed class StreamedEvaluation(LimitedProcessRunner runner, string wrapperPath, EvalTarget target, int workers,
    IReadOnlyList<string>? workerStores = null) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(workers, workers);
    private readonly List<JobError> _errors = [];
    private readonly Lock _gate = new();

    /// <summary>Evaluates every job, handing records to <paramref name="emit"/> as they come (from several threads); returns the job errors.</summary>
    public async Task<IReadOnlyList<JobError>> RunAsync(Action<IReadOnlyList<JobRecord>> emit, CancellationToken cancellationToken)
    {
        var listing = await ListAsync([[]], cancellationToken);
        var healthy = listing.Where(l => !l.Suspect).Select(l => l.Path).ToList();
        var suspects = listing.Where(l => l.Suspect).Select(l => l.Path).ToList();

        var streams = Math.Max(1, Math.Min(workers, healthy.Count));
        var tasks = Enumerable.Range(0, streams)
            .Select(k => StreamAsync(k, healthy.Where((_, i) => i % streams == k).ToList(), emit, cancellationToken))
            .Append(EvaluateSinglesAsync(suspects, emit, cancellationToken))
            .ToList();
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
        var listed = await RunWrapperAsync("list", roots, catchErrors: true, cancellationToken);
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
        var node = await RunWrapperAsync("node", roots, catchErrors: false, cancellationToken);
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

    /// <summary>Evaluates <paramref name="paths"/> in one streaming process, restarted after the job it died on until all are done.</summary>
    private async Task StreamAsync(int worker, List<string[]> paths, Action<IReadOnlyList<JobRecord>> emit, CancellationToken cancellationToken)
    {
        var retry = new List<string[]>();
        var start = 0;
        while (start < paths.Count)
        {
            var slice = paths.GetRange(start, paths.Count - start);
            var marker = $"hydra-job-{Guid.NewGuid():N}";
            var prefix = $"trace: {marker} ";
            var received = 0;
            await RunWrapperAsync("stream", slice, catchErrors: true, cancellationToken, worker, marker, line =>
            {
                if (!line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return false;
                }
                var path = slice[received++];
                if (JsonNode.Parse(line.AsSpan(prefix.Length).ToString()) is JsonObject job && job["error"] is null)
                {
                    emit([ToRecord(path, job)]);
                }
                else
                {
                    retry.Add(path);
                }
                return true;
            });
            if (received == slice.Count)
            {
                // Every job was printed (if the process still failed, it was at exit: nothing is left to blame).
                break;
            }
            var culprit = slice[received];
            if (await EvaluateSingleAsync(culprit, cancellationToken) is { } record)
            {
                emit([record]);
            }
            start += received + 1;
        }
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
        var result = await RunWrapperAsync("eval", [path], catchErrors: false, cancellationToken, extra: "--show-trace");
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

    private async Task<ProcessResult> RunWrapperAsync(string mode, IReadOnlyList<string[]> paths, bool catchErrors,
        CancellationToken cancellationToken, int worker = 0, string? marker = null, Func<string, bool>? consume = null, string? extra = null)
    {
        // A worker's paths can exceed the kernel's limit for one argument, so they travel in a file.
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
                .. marker is null ? Array.Empty<string>() : ["--argstr", "marker", marker],
                .. target.FlakeUrl is null ? Array.Empty<string>() : ["--extra-experimental-features", "nix-command flakes"],
                .. extra is null ? Array.Empty<string>() : [extra],
            ];
            var environment = workerStores is null
                ? NixEvaluator.Environment
                : new Dictionary<string, string>(NixEvaluator.Environment) { ["NIX_REMOTE"] = EvalStores.StoreUrl(workerStores[worker]) };
            return await runner.RunAsync("nix-instantiate", arguments, environment, limitMemory: true, cancellationToken, consume);
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
