using System.Diagnostics;
using Hydra.Core.Nix;
using Hydra.Evaluator.Nix;

namespace Hydra.Bench.Ingest;

/// <summary>
/// A jobset of N /bin/sh jobs over a shared base: B base derivations, each job depending on two or
/// three of them. One nix-instantiate call writes every .drv; its wall time is the baseline.
/// </summary>
internal static class JobsetGenerator
{
    public static string Expression(int jobs, int bases, string salt) =>
        $$"""
        let
          salt = "{{salt}}";
          mod = a: b: a - (a / b) * b;
          mk = name: script: deps: derivation {
            inherit name salt deps;
            system = builtins.currentSystem;
            builder = "/bin/sh";
            args = [ "-c" script ];
            PATH = "/bin:/usr/bin";
          };
          bases = builtins.genList (i: mk "base-${toString i}" "echo ${toString i} > $out" [ ]) {{bases}};
          pick = i: builtins.elemAt bases (mod i {{bases}});
          job = i: mk "job-${toString i}" "cat $deps > $out"
            ([ (pick i) (pick (i * 7 + 3)) ] ++ (if mod i 2 == 0 then [ (pick (i * 13 + 5)) ] else [ ]));
        in builtins.listToAttrs (builtins.genList (i: { name = "job${toString i}"; value = job i; }) {{jobs}})
        """;

    /// <summary>Writes the expression, instantiates it, and returns the drv paths and the wall time of nix-instantiate.</summary>
    public static async Task<(string[] DrvPaths, TimeSpan Elapsed)> InstantiateAsync(string directory, int jobs, int bases, string salt)
    {
        var file = Path.Combine(directory, $"release-{salt}.nix");
        await File.WriteAllTextAsync(file, Expression(jobs, bases, salt));
        var start = new ProcessStartInfo("nix-instantiate", [file]) { RedirectStandardOutput = true, RedirectStandardError = true };
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var elapsed = clock.Elapsed;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"nix-instantiate failed: {await stderr}");
        }
        return ((await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries), elapsed);
    }

    /// <summary>The jobs as the evaluator would report them (parsed outside the timed ingestion).</summary>
    public static async Task<List<EvaluatedJob>> JobsAsync(string[] drvPaths)
    {
        var jobs = new EvaluatedJob[drvPaths.Length];
        await Parallel.ForEachAsync(Enumerable.Range(0, drvPaths.Length), async (i, token) =>
        {
            var derivation = await DerivationParser.ParseFileAsync(drvPaths[i], token);
            jobs[i] = new EvaluatedJob(derivation.Name.Replace("-", "", StringComparison.Ordinal), drvPaths[i], derivation.Name, derivation.System,
                derivation.Outputs.ToDictionary(o => o.Key, o => o.Value.Path), Description: null);
        });
        return [.. jobs];
    }
}
