using System.Text.Json.Nodes;
using Hydra.Core.Data.Entities;

namespace Hydra.Evaluator.Inputs;

/// <summary>Fetches every input of a jobset and turns it into arguments for its Nix expression.</summary>
public sealed class InputResolver(GitFetcher git)
{
    public async Task<ResolvedInputs> ResolveAsync(Jobset jobset, CancellationToken cancellationToken)
    {
        var inputs = new List<EvaluationInput>();
        var args = new JsonObject();
        string? exprRoot = null;
        foreach (var input in jobset.Inputs.OrderBy(i => i.Name, StringComparer.Ordinal))
        {
            switch (input.Type)
            {
                case "git":
                    var checkout = await git.FetchAsync(input.Value, cancellationToken);
                    inputs.Add(new EvaluationInput { Name = input.Name, Type = "git", Uri = checkout.Url, Revision = checkout.Revision, Value = input.Value, Path = checkout.Path });
                    args[input.Name] = new JsonObject { ["kind"] = "path", ["path"] = checkout.Path, ["rev"] = checkout.Revision, ["shortRev"] = checkout.Revision[..7] };
                    if (input.Name == jobset.NixExprInput)
                    {
                        exprRoot = checkout.Path;
                    }
                    break;
                case "string":
                    inputs.Add(new EvaluationInput { Name = input.Name, Type = "string", Value = input.Value });
                    args[input.Name] = new JsonObject { ["kind"] = "string", ["value"] = input.Value };
                    break;
                case "boolean":
                    inputs.Add(new EvaluationInput { Name = input.Name, Type = "boolean", Value = input.Value });
                    args[input.Name] = new JsonObject { ["kind"] = "boolean", ["value"] = input.Value.Trim() == "true" };
                    break;
                default:
                    throw new InputFetchException($"Input '{input.Name}' has type '{input.Type}', which this server cannot fetch yet; use git, string or boolean.");
            }
        }
        return exprRoot is null
            ? throw new InputFetchException($"The Nix expression input '{jobset.NixExprInput}' is not a git input of this jobset.")
            : new ResolvedInputs(inputs, args, exprRoot);
    }
}
