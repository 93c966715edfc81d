using Hydra.Core.Nix;

namespace Hydra.Evaluator.Ingestion;

/// <summary>
/// Walks the derivation graph from each job's top-level <c>.drv</c>, parsing the ATerm files, and
/// keeps the derivations that must be built: those whose outputs the farm's cache does not have.
/// The walk stops at derivations already in the cache, so a graph is only as deep as what changed.
/// Each level of the walk is parsed in parallel; the order is still deterministic.
/// </summary>
/// <remarks><paramref name="read"/> reads a <c>.drv</c> by store path (the evaluation may have written it into a worker store,
/// see <see cref="DrvCachePusher.ReadDerivation"/>); without it, the machine's store.</remarks>
public sealed class StepGraphPlanner(
    Func<string, CancellationToken, ValueTask<bool>> cacheHas, int parallelism = 0, Func<string, DerivationFile>? read = null)
{
    // null = seen, but its outputs are all in the cache: not a step.
    private readonly Dictionary<string, Derivation?> _needed = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private readonly HashSet<string> _ordered = new(StringComparer.Ordinal);
    // Every file read since the last TakeFiles: the cache push builds its NARs from them instead of reading them again.
    private Dictionary<string, DerivationFile> _files = new(StringComparer.Ordinal);

    /// <summary><c>.drv</c> files parsed at once; the ingester lowers it while evaluation processes need the cores.</summary>
    public int Parallelism { get; set; } = parallelism > 0 ? parallelism : Environment.ProcessorCount;

    /// <summary>Derivations to build, dependencies before dependents.</summary>
    public IReadOnlyList<string> Order => _order;

    /// <summary>Whether <paramref name="drvPath"/> was planned as a step.</summary>
    public bool IsPlanned(string drvPath) => _needed.GetValueOrDefault(drvPath) is not null;

    /// <summary>The parsed derivation of a planned step.</summary>
    public Derivation DerivationOf(string drvPath) => _needed[drvPath]!;

    /// <summary>Planned dependencies of a planned step.</summary>
    public IEnumerable<string> DependenciesOf(string drvPath) =>
        _needed[drvPath]!.InputDrvs.Keys.Where(d => _needed.GetValueOrDefault(d) is not null);

    /// <summary>The files read (and parsed) since the last call, by store path; the planner forgets them.</summary>
    public IReadOnlyDictionary<string, DerivationFile> TakeFiles()
    {
        var files = _files;
        _files = new Dictionary<string, DerivationFile>(StringComparer.Ordinal);
        return files;
    }

    /// <summary>Plans <paramref name="drvPath"/> and its graph; returns whether it must be built.</summary>
    public async Task<bool> AddAsync(string drvPath, CancellationToken cancellationToken)
    {
        await AddAllAsync([drvPath], cancellationToken);
        return IsPlanned(drvPath);
    }

    /// <summary>Plans every root and its graph, parsing each breadth-first level in parallel.</summary>
    public async Task AddAllAsync(IEnumerable<string> drvPaths, CancellationToken cancellationToken)
    {
        var roots = drvPaths.Distinct(StringComparer.Ordinal).ToList();
        var frontier = roots.Where(p => !_needed.ContainsKey(p)).ToList();
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Parallelism), CancellationToken = cancellationToken };
        while (frontier.Count > 0)
        {
            var level = frontier;
            var files = new DerivationFile[level.Count];
            var parsed = new Derivation?[level.Count];
            await Parallel.ForEachAsync(Enumerable.Range(0, level.Count), options, async (i, token) =>
            {
                files[i] = read?.Invoke(level[i]) ?? DerivationFile.Read(level[i]);
                parsed[i] = await AllCachedAsync(files[i].Derivation.OutputPaths, token) ? null : files[i].Derivation;
            });
            var next = new List<string>();
            var queued = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < level.Count; i++)
            {
                _needed[level[i]] = parsed[i];
                _files[level[i]] = files[i];
            }
            foreach (var derivation in parsed)
            {
                foreach (var input in derivation?.InputDrvs.Keys ?? Enumerable.Empty<string>())
                {
                    if (!_needed.ContainsKey(input) && queued.Add(input))
                    {
                        next.Add(input);
                    }
                }
            }
            frontier = next;
        }
        foreach (var root in roots)
        {
            AppendPostOrder(root);
        }
    }

    private async Task<bool> AllCachedAsync(IReadOnlyCollection<string> outputs, CancellationToken cancellationToken)
    {
        foreach (var output in outputs)
        {
            if (!await cacheHas(output, cancellationToken))
            {
                return false;
            }
        }
        return outputs.Count > 0;
    }

    /// <summary>All planned steps reachable from <paramref name="drvPath"/>, itself included.</summary>
    public IReadOnlyCollection<string> ClosureOf(string drvPath)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>();
        if (IsPlanned(drvPath))
        {
            pending.Push(drvPath);
        }
        while (pending.TryPop(out var current))
        {
            if (seen.Add(current))
            {
                foreach (var dependency in DependenciesOf(current))
                {
                    pending.Push(dependency);
                }
            }
        }
        return seen;
    }

    // Iterative post-order walk: deep graphs (nixpkgs bootstrap chains) must not overflow the stack.
    private void AppendPostOrder(string root)
    {
        var stack = new Stack<(string Path, bool Expanded)>();
        stack.Push((root, false));
        while (stack.TryPop(out var entry))
        {
            var (path, expanded) = entry;
            if (!IsPlanned(path) || _ordered.Contains(path))
            {
                continue;
            }
            if (expanded)
            {
                _ordered.Add(path);
                _order.Add(path);
                continue;
            }
            stack.Push((path, true));
            foreach (var dependency in DependenciesOf(path))
            {
                if (!_ordered.Contains(dependency))
                {
                    stack.Push((dependency, false));
                }
            }
        }
    }
}
