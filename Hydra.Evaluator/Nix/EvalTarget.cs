namespace Hydra.Evaluator.Nix;

/// <summary>What to evaluate: a jobset expression file with its inputs, or a locked flake.</summary>
internal sealed record EvalTarget(string? ExprPath, string InputsJson, string? FlakeUrl)
{
    /// <summary>Flakes' hydraJobs and checks are walked into every attribute set (checks.&lt;system&gt;.&lt;name&gt;).</summary>
    public bool ForceRecurse => FlakeUrl is not null;

    public IEnumerable<string> WrapperArguments =>
        FlakeUrl is not null
            ? ["--argstr", "flakeUrl", FlakeUrl, "--arg", "forceRecurse", "true"]
            : ["--argstr", "exprPath", Path.GetFullPath(ExprPath!), "--argstr", "inputsJson", InputsJson];

    public string Describe => FlakeUrl ?? ExprPath!;
}
