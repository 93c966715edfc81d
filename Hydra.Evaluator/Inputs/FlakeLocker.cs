using System.Text;
using System.Text.Json.Nodes;
using Hydra.Core.Processes;
using Microsoft.Extensions.Options;

namespace Hydra.Evaluator.Inputs;

/// <summary>
/// Locks a flake jobset's URL to an immutable one, as Hydra does, with
/// <c>nix flake metadata --json --refresh</c>: the "url" field names the exact revision (or NAR hash).
/// </summary>
public sealed class FlakeLocker(INixProcessRunner runner, IOptions<EvaluatorOptions> options)
{
    public async Task<LockedFlake> LockAsync(string flake, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.GitTimeout);
        var output = new StringBuilder();
        var errors = new StringBuilder();
        string[] arguments = ["--extra-experimental-features", "nix-command flakes", "flake", "metadata", "--json", "--refresh", "--", flake];
        int exitCode;
        try
        {
            exitCode = await runner.RunAsync(new NixProcessRequest("nix", arguments, new Dictionary<string, string> { ["NIX_PATH"] = "" }),
                line => (line.IsStandardError ? errors : output).AppendLine(line.Text), timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InputFetchException($"Locking the flake {flake} took longer than {options.Value.GitTimeout}.");
        }
        catch (NixProcessStartException exception)
        {
            throw new InputFetchException($"nix could not be started to lock the flake; is Nix installed? {exception.Message}");
        }
        if (exitCode != 0)
        {
            throw new InputFetchException($"Locking the flake {flake} failed (exit {exitCode}): {errors.ToString().Trim()}");
        }

        var metadata = JsonNode.Parse(output.ToString()) as JsonObject;
        var url = (string?)metadata?["url"];
        var locked = metadata?["locked"] as JsonObject;
        // A dirty work tree or an unlockable URL has neither; evaluating it would not be reproducible.
        if (url is null || locked is null || (locked["rev"] is null && locked["narHash"] is null))
        {
            throw new InputFetchException($"The flake {flake} could not be locked to a revision or hash (uncommitted changes?).");
        }
        return new LockedFlake(url, (string?)metadata!["revision"] ?? (string?)locked["rev"], (string?)locked["narHash"]);
    }
}
