using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Hydra.Core.Data.Entities;

namespace Hydra.Evaluator.Inputs;

/// <summary>
/// Fetches every input of a jobset and turns it into arguments for its Nix expression (the JSON
/// kinds eval-jobs.nix reads), or locks a flake jobset's URL. What is recorded per input (URI,
/// revision, value) changes whenever the input resolves to something new, so the runner's inputs
/// hash does too.
/// </summary>
public sealed class InputResolver(GitFetcher git, PathInputHasher paths, FlakeLocker flakes, InputQueries queries)
{
    /// <summary>Input types a jobset may use, in the order the API lists them.</summary>
    public static readonly IReadOnlyList<string> Types = ["git", "string", "boolean", "nix", "path", "build", "eval", Forges.PullRequestSource.InputType];

    public async Task<ResolvedInputs> ResolveAsync(Jobset jobset, CancellationToken cancellationToken)
    {
        if (jobset.Type == 1)
        {
            return await ResolveFlakeAsync(jobset, cancellationToken);
        }
        var credentials = jobset.Inputs.Any(i => i.Type == "git")
            ? await queries.CredentialsAsync(jobset.Id, cancellationToken)
            : new Dictionary<string, GitCredential>();
        var inputs = new List<EvaluationInput>();
        var args = new JsonObject();
        string? exprRoot = null;
        // A pullrequests input configures pull-request jobsets (Forges/PullRequestJobsets); it is no argument.
        foreach (var input in jobset.Inputs.Where(i => i.Type != Forges.PullRequestSource.InputType).OrderBy(i => i.Name, StringComparer.Ordinal))
        {
            var (record, arg, root) = input.Type switch
            {
                "git" => await GitAsync(input, credentials.GetValueOrDefault(input.Name), cancellationToken),
                "path" => await PathAsync(input, cancellationToken),
                "string" => (Record(input), new JsonObject { ["kind"] = "string", ["value"] = input.Value }, null),
                "boolean" => (Record(input), new JsonObject { ["kind"] = "boolean", ["value"] = input.Value.Trim() == "true" }, null),
                "nix" => (Record(input), new JsonObject { ["kind"] = "nix", ["value"] = input.Value }, null),
                "build" => await BuildAsync(input, cancellationToken),
                "eval" => await EvalAsync(input, cancellationToken),
                _ => throw new InputFetchException($"Input '{input.Name}' has type '{input.Type}', which this server cannot fetch; use one of {string.Join(", ", Types)}."),
            };
            inputs.Add(record);
            args[input.Name] = arg;
            if (input.Name == jobset.NixExprInput)
            {
                exprRoot = root ?? throw new InputFetchException(
                    $"The Nix expression input '{input.Name}' has type {input.Type}; it must be a git, path or build input holding the expression file.");
            }
        }
        return exprRoot is null
            ? throw new InputFetchException($"The Nix expression input '{jobset.NixExprInput}' is not an input of this jobset.")
            : new ResolvedInputs(inputs, args, exprRoot);
    }

    private async Task<ResolvedInputs> ResolveFlakeAsync(Jobset jobset, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(jobset.Flake))
        {
            throw new InputFetchException("This flake jobset has no flake URL.");
        }
        var locked = await flakes.LockAsync(jobset.Flake.Trim(), cancellationToken);
        var record = new EvaluationInput { Name = "flake", Type = "flake", Uri = locked.Url, Revision = locked.Revision ?? locked.NarHash, Value = jobset.Flake };
        return new ResolvedInputs([record], new JsonObject(), "") { FlakeUrl = locked.Url };
    }

    private static EvaluationInput Record(JobsetInput input) => new() { Name = input.Name, Type = input.Type, Value = input.Value };

    private async Task<(EvaluationInput, JsonObject, string?)> GitAsync(JobsetInput input, GitCredential? credential, CancellationToken cancellationToken)
    {
        var checkout = await git.FetchAsync(input.Value, credential, cancellationToken);
        var record = new EvaluationInput { Name = input.Name, Type = "git", Uri = checkout.Url, Revision = checkout.Revision, Value = input.Value, Path = checkout.Path };
        var arg = new JsonObject
        {
            ["kind"] = "path", ["path"] = checkout.Path, ["rev"] = checkout.Revision, ["shortRev"] = checkout.Revision[..7], ["revCount"] = checkout.RevCount,
        };
        return (record, arg, checkout.Path);
    }

    private async Task<(EvaluationInput, JsonObject, string?)> PathAsync(JobsetInput input, CancellationToken cancellationToken)
    {
        var path = input.Value.Trim();
        var hash = await paths.HashAsync(path, cancellationToken);
        var record = new EvaluationInput { Name = input.Name, Type = "path", Uri = path, Revision = hash, Value = input.Value, Path = path };
        var arg = new JsonObject { ["kind"] = "path", ["path"] = path, ["rev"] = hash, ["shortRev"] = hash[..7] };
        return (record, arg, Directory.Exists(path) ? path : null);
    }

    /// <summary>
    /// The latest successful build of project:jobset:job. Passed as a path input whose outPath is the
    /// build's out path; the build id is the recorded revision, so a newer build changes the hash.
    /// </summary>
    private async Task<(EvaluationInput, JsonObject, string?)> BuildAsync(JobsetInput input, CancellationToken cancellationToken)
    {
        var parts = SplitReference(input, 3, "project:jobset:job");
        var build = await queries.LatestSuccessfulBuildAsync(parts[0], parts[1], parts[2], cancellationToken)
            ?? throw new InputFetchException($"Input '{input.Name}': job {input.Value.Trim()} has no successful build yet.");
        var outPath = build.Outputs.GetValueOrDefault("out") ?? build.Outputs.Values.FirstOrDefault()
            ?? throw new InputFetchException($"Input '{input.Name}': build {build.BuildId} of {input.Value.Trim()} has no outputs.");
        var id = build.BuildId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var record = new EvaluationInput { Name = input.Name, Type = "build", Revision = id, Value = input.Value, Path = outPath };
        var outputs = new JsonObject();
        foreach (var (name, path) in build.Outputs.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            outputs[name] = path;
        }
        var arg = new JsonObject { ["kind"] = "path", ["path"] = outPath, ["rev"] = id, ["shortRev"] = id, ["outputs"] = outputs };
        return (record, arg, outPath);
    }

    /// <summary>
    /// Job name to out path for the successful builds of project:jobset's latest finished evaluation.
    /// The recorded revision is the evaluation id plus a digest of those paths, since a restarted
    /// build can add a path to an evaluation that is finished again later.
    /// </summary>
    private async Task<(EvaluationInput, JsonObject, string?)> EvalAsync(JobsetInput input, CancellationToken cancellationToken)
    {
        var parts = SplitReference(input, 2, "project:jobset");
        var evaluation = await queries.LatestFinishedEvaluationAsync(parts[0], parts[1], cancellationToken)
            ?? throw new InputFetchException($"Input '{input.Name}': jobset {input.Value.Trim()} has no finished evaluation yet.");
        var jobs = new JsonObject();
        var digest = new StringBuilder();
        foreach (var (job, path) in evaluation.Jobs.OrderBy(j => j.Key, StringComparer.Ordinal))
        {
            jobs[job] = path;
            digest.Append(job).Append('=').Append(path).Append('\n');
        }
        var revision = $"{evaluation.EvaluationId}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(digest.ToString())))[..16]}";
        var record = new EvaluationInput { Name = input.Name, Type = "eval", Revision = revision, Value = input.Value };
        return (record, new JsonObject { ["kind"] = "attrs", ["value"] = jobs }, null);
    }

    private static string[] SplitReference(JobsetInput input, int count, string shape)
    {
        var parts = input.Value.Trim().Split(':');
        return parts.Length == count && parts.All(p => p.Length > 0)
            ? parts
            : throw new InputFetchException($"Input '{input.Name}' of type {input.Type} must be '{shape}', not '{input.Value}'.");
    }
}
