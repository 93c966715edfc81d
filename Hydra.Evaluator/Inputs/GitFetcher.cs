using System.Security.Cryptography;
using System.Text;
using Hydra.Core;
using Hydra.Core.Processes;
using Microsoft.Extensions.Options;

namespace Hydra.Evaluator.Inputs;

/// <summary>
/// Fetches git inputs with the git CLI (every transport and credential helper works, as in Hydra):
/// a bare mirror per URL under <c>DataDir/git</c>, updated with fetch, and one checkout per revision
/// under <c>DataDir/checkouts</c>, made once and then reused.
/// </summary>
public sealed class GitFetcher(INixProcessRunner runner, IOptions<HydraOptions> hydraOptions, IOptions<EvaluatorOptions> options)
{
    private static readonly SemaphoreSlim MirrorLock = new(1, 1);

    /// <summary>Parses Hydra's git input value: "URL [branch]".</summary>
    public static (string Url, string? Branch) ParseValue(string value)
    {
        var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
        {
            throw new InputFetchException("The git input is empty; give 'URL [branch]'.");
        }
        return (parts[0], parts.Length > 1 ? parts[1] : null);
    }

    public async Task<GitCheckout> FetchAsync(string value, CancellationToken cancellationToken)
    {
        var (url, branch) = ParseValue(value);
        var root = hydraOptions.Value.DataDir;
        var mirror = Path.Combine(root, "git", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(url)))[..24] + ".git");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.GitTimeout);

        // One fetch at a time per process keeps two evaluations of the same URL from racing on the mirror.
        await MirrorLock.WaitAsync(cancellationToken);
        string revision;
        try
        {
            if (!Directory.Exists(Path.Combine(mirror, "objects")))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(mirror)!);
                await GitAsync(["init", "--quiet", "--bare", mirror], url, timeout.Token);
            }
            var refspec = branch is null ? "HEAD" : $"refs/heads/{branch}";
            await GitAsync(["-C", mirror, "fetch", "--quiet", "--force", "--no-tags", "--", url, $"+{refspec}:refs/hydra/fetched"], url, timeout.Token);
            revision = (await GitAsync(["-C", mirror, "rev-parse", "refs/hydra/fetched^{commit}"], url, timeout.Token)).Trim();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InputFetchException($"git fetch of {url} took longer than {options.Value.GitTimeout}.");
        }
        finally
        {
            MirrorLock.Release();
        }

        var checkout = Path.Combine(root, "checkouts", revision);
        if (!Directory.Exists(checkout))
        {
            var temporary = checkout + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
            Directory.CreateDirectory(temporary);
            await GitAsync(["--git-dir", mirror, "--work-tree", temporary, "-c", "core.hooksPath=/dev/null", "checkout", "--quiet", "--force", revision, "--", "."], url, timeout.Token);
            try
            {
                Directory.Move(temporary, checkout);
            }
            catch (IOException) when (Directory.Exists(checkout))
            {
                // Another evaluation made the same checkout first; theirs is identical.
                Directory.Delete(temporary, recursive: true);
            }
        }
        return new GitCheckout(url, branch, revision, checkout);
    }

    private async Task<string> GitAsync(string[] arguments, string url, CancellationToken cancellationToken)
    {
        var output = new StringBuilder();
        var errors = new StringBuilder();
        var environment = new Dictionary<string, string>
        {
            ["GIT_TERMINAL_PROMPT"] = "0",
            ["GIT_ASKPASS"] = "/bin/false",
            ["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new",
        };
        int exitCode;
        try
        {
            exitCode = await runner.RunAsync(new NixProcessRequest("git", arguments, environment),
                line => (line.IsStandardError ? errors : output).AppendLine(line.Text), cancellationToken);
        }
        catch (NixProcessStartException exception)
        {
            throw new InputFetchException($"git is not installed or not on PATH: {exception.Message}");
        }
        if (exitCode != 0)
        {
            throw new InputFetchException($"git {arguments.FirstOrDefault(a => a is "fetch" or "rev-parse" or "checkout" or "init")} of {url} failed (exit {exitCode}): {errors.ToString().Trim()}");
        }
        return output.ToString();
    }
}
