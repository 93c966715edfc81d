using System.Diagnostics;
using Hydra.Core.Nix;
using Hydra.Evaluator.Nix;
using Hydra.Testing;

namespace Hydra.Evaluator.Tests.Ingestion;

/// <summary>Real <c>.drv</c> files for ingestion tests: tiny /bin/sh derivations instantiated with nix-instantiate.</summary>
internal static class NixJobs
{
    /// <summary>
    /// Instantiates <paramref name="derivations"/> (entries of a <c>rec</c> set, see
    /// <see cref="NixTestEnvironment.Derivation"/>) and returns the named attributes as jobs, in order.
    /// </summary>
    public static async Task<List<EvaluatedJob>> InstantiateAsync(IEnumerable<string> derivations, params string[] jobs)
    {
        NixTestEnvironment.Apply();
        var file = Path.Combine(Directory.CreateTempSubdirectory("hydra-ingest-").FullName, "release.nix");
        await File.WriteAllTextAsync(file, "rec {\n" + string.Join("\n", derivations) + "\n}\n");
        var start = new ProcessStartInfo("nix-instantiate") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(file);
        foreach (var job in jobs)
        {
            start.ArgumentList.Add("-A");
            start.ArgumentList.Add(job);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"nix-instantiate failed: {await stderr}");
        }
        var paths = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var result = new List<EvaluatedJob>();
        for (var i = 0; i < jobs.Length; i++)
        {
            result.Add(await JobAsync(jobs[i], paths[i]));
        }
        return result;
    }

    public static async Task<EvaluatedJob> JobAsync(string name, string drvPath)
    {
        var derivation = await DerivationParser.ParseFileAsync(drvPath, CancellationToken.None);
        return new EvaluatedJob(name, drvPath, derivation.Name, derivation.System,
            derivation.Outputs.ToDictionary(o => o.Key, o => o.Value.Path), Description: null);
    }

    /// <summary>A /bin/sh derivation entry; <paramref name="salt"/> keeps it distinct from other tests' derivations.</summary>
    public static string Drv(string name, string salt, params string[] dependencies) =>
        NixTestEnvironment.Derivation(name, "echo " + name + " > $out", salt, dependencies);
}
