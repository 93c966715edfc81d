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

    /// <summary>
    /// Whether the evaluation may run in stores of the workers' own (<see cref="EvalStores"/>): not when an
    /// input hands the expression store paths of the machine's store (<c>builtins.storePath</c> of
    /// another job's outputs), which a store of its own does not have.
    /// </summary>
    public bool AllowsWorkerStores =>
        System.Text.Json.Nodes.JsonNode.Parse(InputsJson) is not System.Text.Json.Nodes.JsonObject inputs
        || inputs.All(input => (string?)input.Value?["kind"] != "attrs");
}
