using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hydra.Core.Processes;
using Microsoft.Extensions.Options;

namespace Hydra.Evaluator.Nix;

/// <summary>
/// Evaluates a jobset with real Nix (<c>nix-instantiate --eval --strict --json --read-write-mode</c>)
/// through the wrapper in <c>eval-jobs.nix</c>. First all jobs in one process, catching what
/// <c>tryEval</c> can; jobs that failed, or all jobs when the batch died of an uncatchable error,
/// are then evaluated one per process so each failure gets Nix's own message and the rest still build.
/// </summary>
public sealed class NixEvaluator(INixProcessRunner runner, IOptions<EvaluatorOptions> options)
{
    private static readonly Lazy<string> WrapperPath = new(WriteWrapper);

    public async Task<JobsetEvaluation> EvaluateAsync(string exprPath, JsonObject inputs, CancellationToken cancellationToken)
    {
        if (!File.Exists(exprPath))
        {
            throw new EvaluationFailedException($"The Nix file {exprPath} does not exist in the input. Check the jobset's Nix expression path.");
        }
        var inputsJson = inputs.ToJsonString();
        var jobs = new List<EvaluatedJob>();
        var errors = new List<JobError>();
        List<string> retry;

        var batch = await RunAsync(exprPath, inputsJson, [], cancellationToken);
        if (batch.ExitCode == 0)
        {
            retry = [];
            foreach (var (name, value) in JsonNode.Parse(batch.Output)!.AsObject())
            {
                if (value is JsonObject record)
                {
                    if (record.ContainsKey("error"))
                    {
                        retry.Add(name);
                    }
                    else
                    {
                        jobs.Add(ToJob(name, record));
                    }
                }
            }
        }
        else
        {
            var names = await RunAsync(exprPath, inputsJson, ["--arg", "namesOnly", "true"], cancellationToken);
            if (names.ExitCode != 0)
            {
                throw new EvaluationFailedException(names.Errors.Trim());
            }
            retry = JsonSerializer.Deserialize<List<string>>(names.Output) ?? [];
        }

        foreach (var name in retry)
        {
            var single = await RunAsync(exprPath, inputsJson,
                ["--argstr", "onlyJob", name, "--arg", "catchErrors", "false", "--show-trace"], cancellationToken);
            if (single.ExitCode != 0)
            {
                errors.Add(new JobError(name, single.Errors.Trim()));
            }
            else if (JsonNode.Parse(single.Output)?[name] is JsonObject record)
            {
                jobs.Add(ToJob(name, record));
            }
        }
        return new JobsetEvaluation(jobs.OrderBy(j => j.Name, StringComparer.Ordinal).ToList(), errors);
    }

    private static EvaluatedJob ToJob(string name, JsonObject record) => new(
        name,
        (string)record["drvPath"]!,
        (string?)record["name"] ?? name,
        (string?)record["system"] ?? "unknown",
        record["outputs"]!.AsObject().ToDictionary(o => o.Key, o => (string)o.Value!),
        (string?)record["description"]);

    private async Task<(int ExitCode, string Output, string Errors)> RunAsync(string exprPath, string inputsJson, string[] extra, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.EvalTimeout);
        var output = new StringBuilder();
        var errors = new StringBuilder();
        string[] arguments =
        [
            "--eval", "--strict", "--json", "--read-write-mode", WrapperPath.Value,
            "--argstr", "exprPath", Path.GetFullPath(exprPath),
            "--argstr", "inputsJson", inputsJson,
            .. extra,
        ];
        try
        {
            var exitCode = await runner.RunAsync(new NixProcessRequest("nix-instantiate", arguments, NixEnvironment()),
                line => (line.IsStandardError ? errors : output).AppendLine(line.Text), timeout.Token);
            return (exitCode, output.ToString(), errors.ToString());
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (-1, "", $"evaluation took longer than {options.Value.EvalTimeout} and was stopped");
        }
        catch (NixProcessStartException exception)
        {
            throw new EvaluationFailedException($"nix-instantiate could not be started; is Nix installed? {exception.Message}");
        }
    }

    /// <summary>NIX_PATH is cleared so an expression cannot depend on the server's channels by accident.</summary>
    private static Dictionary<string, string> NixEnvironment() => new() { ["NIX_PATH"] = "" };

    private static string WriteWrapper()
    {
        using var stream = typeof(NixEvaluator).Assembly.GetManifestResourceStream("Hydra.Evaluator.Nix.eval-jobs.nix")
            ?? throw new InvalidOperationException("eval-jobs.nix is not embedded in Hydra.Evaluator.");
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        var directory = Path.Combine(Path.GetTempPath(), "hydra-evaluator");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"eval-jobs-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12]}.nix");
        if (!File.Exists(path))
        {
            var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
            File.WriteAllText(temporary, text);
            File.Move(temporary, path, overwrite: true);
        }
        return path;
    }
}
