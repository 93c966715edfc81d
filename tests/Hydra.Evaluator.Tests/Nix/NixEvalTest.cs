using System.Text.Json.Nodes;
using Hydra.Core.Processes;
using Hydra.Evaluator.Nix;
using Microsoft.Extensions.Options;

namespace Hydra.Evaluator.Tests.Nix;

/// <summary>Real Nix in a temporary directory: writes jobset expressions and evaluates them.</summary>
public abstract class NixEvalTest : IDisposable
{
    static NixEvalTest()
    {
        Environment.SetEnvironmentVariable("NIX_REMOTE", "local");
        Environment.SetEnvironmentVariable("NIX_CONFIG", "experimental-features = nix-command flakes\nsubstituters =\nsandbox = false");
    }

    protected string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("hydra-eval-").FullName;

    /// <summary>A /bin/sh derivation expression; <paramref name="extra"/> is spliced into its attributes.</summary>
    protected static string Drv(string name, string extra = "") =>
        $"(derivation {{ name = \"{name}\"; system = builtins.currentSystem; builder = \"/bin/sh\"; " +
        $"args = [ \"-c\" \"echo {name} > $out\" ]; PATH = \"/bin:/usr/bin\"; {extra} }})";

    protected string Write(string name, string text)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    protected static NixEvaluator Evaluator(Action<EvaluatorOptions>? configure = null)
    {
        // Never pick up a nix-eval-jobs from PATH here: these tests are about the nix-instantiate engine.
        var options = new EvaluatorOptions { NixEvalJobsPath = "", EvalTimeout = TimeSpan.FromSeconds(60) };
        configure?.Invoke(options);
        return new NixEvaluator(new NixProcessRunner(), Options.Create(options));
    }

    protected async Task<JobsetEvaluation> EvaluateAsync(string expression, Action<EvaluatorOptions>? configure = null, JsonObject? inputs = null) =>
        await Evaluator(configure).EvaluateAsync(Write("release.nix", expression), inputs ?? [], CancellationToken.None);

    public void Dispose()
    {
        System.IO.Directory.Delete(Directory, recursive: true);
        GC.SuppressFinalize(this);
    }
}
