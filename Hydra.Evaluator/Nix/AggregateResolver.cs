using System.Text.RegularExpressions;

namespace Hydra.Evaluator.Nix;

/// <summary>
/// Resolves aggregate jobs' constituents to job names, as Hydra does: names as given, derivations by
/// .drv path (the shortest job name wins when several jobs share a derivation), globs ("pkgs.*") against
/// all job names. An aggregate with a constituent that matches no job, that failed to evaluate, or that
/// is part of a cycle of aggregates becomes a job error; the other jobs are untouched.
/// </summary>
internal static class AggregateResolver
{
    public static JobsetEvaluation Resolve(IReadOnlyList<JobRecord> records, IReadOnlyList<JobError> evaluationErrors)
    {
        var byName = records.ToDictionary(r => r.Job.Name, StringComparer.Ordinal);
        var failed = evaluationErrors.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        var byDrv = records
            .GroupBy(r => r.Job.DrvPath, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(r => r.Job.Name).OrderBy(n => n.Length).ThenBy(n => n, StringComparer.Ordinal).First(), StringComparer.Ordinal);
        var names = byName.Keys.Order(StringComparer.Ordinal).ToList();

        var resolved = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var record in records.Where(r => r.Constituents is not null))
        {
            var self = record.Job.Name;
            var members = new List<string>();
            var problems = new List<string>();
            foreach (var reference in record.Constituents!)
            {
                if (reference.DrvPath is { } drvPath)
                {
                    if (byDrv.TryGetValue(drvPath, out var match))
                    {
                        members.Add(match);
                    }
                    else
                    {
                        problems.Add($"the derivation {drvPath} is not a job of this jobset");
                    }
                }
                else if (reference.IsGlob && reference.JobName!.IndexOfAny(['*', '?']) >= 0)
                {
                    var pattern = Glob(reference.JobName);
                    var matches = names.Where(n => n != self && pattern.IsMatch(n)).ToList();
                    members.AddRange(matches);
                    if (matches.Count == 0)
                    {
                        problems.Add($"the pattern '{reference.JobName}' matches no job");
                    }
                }
                else if (byName.ContainsKey(reference.JobName!))
                {
                    members.Add(reference.JobName!);
                }
                else
                {
                    problems.Add(failed.Contains(reference.JobName!)
                        ? $"the constituent '{reference.JobName}' failed to evaluate"
                        : $"the constituent '{reference.JobName}' does not exist");
                }
            }
            if (problems.Count > 0)
            {
                errors[self] = $"aggregate job '{self}' has broken constituents: {string.Join("; ", problems)}";
            }
            resolved[self] = members.Distinct(StringComparer.Ordinal).ToList();
        }

        foreach (var cycle in FindCycles(resolved))
        {
            foreach (var member in cycle)
            {
                errors.TryAdd(member, $"aggregate job '{member}' is part of a cycle of constituents: {string.Join(" -> ", [.. cycle, cycle[0]])}");
            }
        }

        // An aggregate is only as good as its constituents: one whose aggregate constituent failed fails too.
        bool changed;
        do
        {
            changed = false;
            foreach (var (aggregate, members) in resolved)
            {
                if (!errors.ContainsKey(aggregate) && members.FirstOrDefault(errors.ContainsKey) is { } broken)
                {
                    errors[aggregate] = $"aggregate job '{aggregate}' has broken constituents: the constituent '{broken}' is a failed aggregate";
                    changed = true;
                }
            }
        }
        while (changed);

        var jobs = records
            .Where(r => !errors.ContainsKey(r.Job.Name))
            .Select(r => r.Constituents is null ? r.Job : r.Job with { Constituents = resolved[r.Job.Name] })
            .OrderBy(j => j.Name, StringComparer.Ordinal)
            .ToList();
        var allErrors = evaluationErrors
            .Concat(errors.Select(e => new JobError(e.Key, e.Value)))
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .ToList();
        return new JobsetEvaluation(jobs, allErrors);
    }

    /// <summary>Cycles among aggregates (depth-first search, each cycle reported once from its first member found).</summary>
    private static List<List<string>> FindCycles(Dictionary<string, List<string>> graph)
    {
        var cycles = new List<List<string>>();
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 = on the stack, 2 = done
        var stack = new List<string>();
        foreach (var start in graph.Keys.Order(StringComparer.Ordinal))
        {
            Visit(start);
        }
        return cycles;

        void Visit(string node)
        {
            if (state.GetValueOrDefault(node) == 2)
            {
                return;
            }
            state[node] = 1;
            stack.Add(node);
            foreach (var next in graph.GetValueOrDefault(node) ?? [])
            {
                if (!graph.ContainsKey(next))
                {
                    continue;
                }
                if (state.GetValueOrDefault(next) == 1)
                {
                    cycles.Add(stack[stack.IndexOf(next)..]);
                }
                else
                {
                    Visit(next);
                }
            }
            stack.RemoveAt(stack.Count - 1);
            state[node] = 2;
        }
    }

    private static Regex Glob(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$",
            RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}
