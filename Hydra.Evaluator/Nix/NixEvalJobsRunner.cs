using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hydra.Evaluator.Nix;

/// <summary>
/// Evaluates with nix-eval-jobs (Hydra's own evaluator): <c>--meta --constituents --force-recurse</c>,
/// its own workers and memory limit, one JSON object per output line (attr, drvPath, outputs, name,
/// system, meta, constituents, error). Lines that are not JSON are skipped; a non-zero exit fails the
/// whole evaluation, as in Hydra.
/// </summary>
internal sealed class NixEvalJobsRunner(LimitedProcessRunner runner, string executable, EvaluatorOptions options, EvalTarget target)
{
    public async Task<(IReadOnlyList<JobRecord> Jobs, IReadOnlyList<JobError> Errors)> RunAsync(CancellationToken cancellationToken)
    {
        List<string> arguments =
        [
            "--meta", "--constituents", "--force-recurse",
            "--workers", Math.Max(1, options.Workers).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ];
        if (options.MaxMemoryMiB > 0)
        {
            arguments.AddRange(["--max-memory-size", options.MaxMemoryMiB.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }
        if (target.FlakeUrl is { } flake)
        {
            arguments.AddRange(["--extra-experimental-features", "nix-command flakes",
                "--flake", $"{flake}#{await FlakeAttributeAsync(flake, cancellationToken)}"]);
        }
        else
        {
            arguments.AddRange(InputArguments(JsonNode.Parse(target.InputsJson)!.AsObject()));
            arguments.Add(Path.GetFullPath(target.ExprPath!));
        }

        // nix-eval-jobs enforces the memory limit per worker itself and restarts workers.
        var result = await runner.RunAsync(executable, arguments, NixEvaluator.Environment, limitMemory: false, cancellationToken);
        if (!result.Succeeded)
        {
            throw new EvaluationFailedException($"nix-eval-jobs failed on {target.Describe}:\n{result.Errors}");
        }

        var jobs = new List<JobRecord>();
        var errors = new List<JobError>();
        foreach (var line in result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Parse(line) is not { } record || (string?)record["attr"] is not { } attr)
            {
                continue;
            }
            if (record["error"] is { } error)
            {
                errors.Add(new JobError(attr, error.GetValueKind() == JsonValueKind.String ? (string)error! : error.ToJsonString()));
                continue;
            }
            var constituents = (record["constituents"] as JsonArray)?
                .Select(c => (string)c!)
                .Select(c => c.StartsWith('/') ? new ConstituentRef(null, c, false) : new ConstituentRef(c, null, false))
                .ToList();
            jobs.Add(new JobRecord(JobRecordReader.Read(attr, record), constituents));
        }
        return (jobs, errors);
    }

    private static JsonObject? Parse(string line)
    {
        try
        {
            return JsonNode.Parse(line) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>hydraJobs when the flake has them, else checks (one cheap nix-instantiate).</summary>
    private async Task<string> FlakeAttributeAsync(string flake, CancellationToken cancellationToken)
    {
        var probe = await runner.RunAsync("nix-instantiate",
            ["--extra-experimental-features", "nix-command flakes", "--eval", "--json", "--expr",
             $"(builtins.getFlake {NixString(flake)}) ? hydraJobs"],
            NixEvaluator.Environment, limitMemory: true, cancellationToken);
        return probe.Succeeded
            ? probe.Output.Trim() == "true" ? "hydraJobs" : "checks"
            : throw new EvaluationFailedException($"Could not read the flake {flake}:\n{probe.Errors}");
    }

    /// <summary>Inputs as nix-eval-jobs arguments: strings with --argstr, booleans and checkouts with --arg.</summary>
    internal static IEnumerable<string> InputArguments(JsonObject inputs)
    {
        foreach (var (name, spec) in inputs)
        {
            switch ((string?)spec?["kind"])
            {
                case "path":
                    yield return "--arg";
                    yield return name;
                    yield return $"{{ outPath = builtins.path {{ path = /. + {NixString((string)spec!["path"]!)}; name = \"source\"; }}; " +
                                 $"rev = {NixString((string?)spec["rev"] ?? "")}; shortRev = {NixString((string?)spec["shortRev"] ?? "")}; }}";
                    break;
                case "boolean":
                    yield return "--arg";
                    yield return name;
                    yield return (bool)spec!["value"]! ? "true" : "false";
                    break;
                default:
                    yield return "--argstr";
                    yield return name;
                    yield return (string?)spec?["value"] ?? "";
                    break;
            }
        }
    }

    private static string NixString(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("${", "\\${", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"";
}
