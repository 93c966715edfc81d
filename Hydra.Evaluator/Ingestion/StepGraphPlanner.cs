using Hydra.Core.Nix;

namespace Hydra.Evaluator.Ingestion;

/// <summary>
/// Walks the derivation graph from each job's top-level <c>.drv</c>, parsing the ATerm files, and
/// keeps the derivations that must be built: those whose outputs the farm's cache does not have.
/// The walk stops at derivations already in the cache, so a graph is only as deep as what changed.
/// </summary>
public sealed class StepGraphPlanner(Func<string, bool> cacheHas)
{
    private readonly Dictionary<string, Derivation?> _needed = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    /// <summary>Derivations to build, dependencies before dependents.</summary>
    public IReadOnlyList<string> Order => _order;

    /// <summary>The parsed derivation of a planned step.</summary>
    public Derivation DerivationOf(string drvPath) => _needed[drvPath]!;

    /// <summary>Planned dependencies of a planned step.</summary>
    public IEnumerable<string> DependenciesOf(string drvPath) =>
        _needed[drvPath]!.InputDrvs.Keys.Where(d => _needed.GetValueOrDefault(d) is not null);

    /// <summary>Plans <paramref name="drvPath"/> and its graph; returns whether it must be built.</summary>
    public async Task<bool> AddAsync(string drvPath, CancellationToken cancellationToken)
    {
        // Iterative post-order walk: deep graphs (nixpkgs bootstrap chains) must not overflow the stack.
        var stack = new Stack<(string Path, Derivation? Drv, bool Expanded)>();
        stack.Push((drvPath, null, false));
        while (stack.Count > 0)
        {
            var (path, drv, expanded) = stack.Pop();
            if (_needed.ContainsKey(path))
            {
                continue;
            }
            if (expanded)
            {
                _needed[path] = drv;
                _order.Add(path);
                continue;
            }
            var derivation = await DerivationParser.ParseFileAsync(path, cancellationToken);
            var outputs = derivation.OutputPaths;
            if (outputs.Count > 0 && outputs.All(cacheHas))
            {
                _needed[path] = null;
                continue;
            }
            stack.Push((path, derivation, true));
            foreach (var input in derivation.InputDrvs.Keys)
            {
                if (!_needed.ContainsKey(input))
                {
                    stack.Push((input, null, false));
                }
            }
        }
        return _needed[drvPath] is not null;
    }

    /// <summary>All planned steps reachable from <paramref name="drvPath"/>, itself included.</summary>
    public IReadOnlyCollection<string> ClosureOf(string drvPath)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>();
        if (_needed.GetValueOrDefault(drvPath) is not null)
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
}
