using Hydra.Core.Nix;

namespace Hydra.Evaluator.Ingestion;

/// <summary>
/// Cuts a set of derivations into levels, dependencies first: a derivation's level is one above the
/// highest level of its inputs within the set (inputs outside the set do not count), so each level
/// depends only on earlier ones and can be written to the cache all at once.
/// </summary>
public static class DerivationLevels
{
    /// <summary>The levels of <paramref name="derivations"/> (by store path), lowest first; each level in the order its paths were finished.</summary>
    public static List<List<string>> Of(IReadOnlyDictionary<string, Derivation> derivations)
    {
        var level = new Dictionary<string, int>(derivations.Count, StringComparer.Ordinal);
        var levels = new List<List<string>>();
        // Iterative post-order walk (deep graphs must not overflow the stack); no derivation graph has a cycle.
        var stack = new Stack<(string Path, bool Expanded)>();
        foreach (var start in derivations.Keys)
        {
            stack.Push((start, false));
            while (stack.TryPop(out var entry))
            {
                if (level.ContainsKey(entry.Path))
                {
                    continue;
                }
                var inputs = InputsOf(derivations[entry.Path]).Where(derivations.ContainsKey);
                if (!entry.Expanded)
                {
                    stack.Push((entry.Path, true));
                    foreach (var input in inputs.Where(i => !level.ContainsKey(i)))
                    {
                        stack.Push((input, false));
                    }
                    continue;
                }
                var own = inputs.Select(i => level[i]).DefaultIfEmpty(-1).Max() + 1;
                level[entry.Path] = own;
                if (own == levels.Count)
                {
                    levels.Add([]);
                }
                levels[own].Add(entry.Path);
            }
        }
        return levels;
    }

    /// <summary>The derivations a derivation refers to: its input derivations and any <c>.drv</c> among its input sources.</summary>
    public static IEnumerable<string> InputsOf(Derivation derivation) =>
        derivation.InputDrvs.Keys.Concat(derivation.InputSrcs.Where(s => s.EndsWith(".drv", StringComparison.Ordinal)));
}
