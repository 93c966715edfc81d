using System.Security.Cryptography;
using System.Text;
using Hydra.Core;
using Hydra.Core.Processes;
using Microsoft.Extensions.Options;

namespace Hydra.Evaluator.Inputs;

/// <summary>
/// Fetches git inputs with the git CLI (every transport and credential helper works, as in Hydra):
/// a bare mirror per URL under <c>DataDir/git</c>, updated with fetch, and one checkout per revision
/// (and per deepClone/submodules variant) under <c>DataDir/checkouts</c>, made once and then reused.
/// A stored credential reaches git only through the environment and a 0600 key file, never argv.
/// </summary>
public sealed class GitFetcher(INixProcessRunner runner, IOptions<HydraOptions> hydraOptions, IOptions<EvaluatorOptions> options)
{
    private static readonly SemaphoreSlim MirrorLock = new(1, 1);

    /// <summary>Parses Hydra's git input value: "URL [branch] ..."; see <see cref="GitInputValue"/>.</summary>
    public static (string Url, string? Branch) ParseValue(string value)
    {
        var parsed = GitInputValue.Parse(value);
        return (parsed.Url, parsed.Branch);
    }

    public Task<GitCheckout> FetchAsync(string value, CancellationToken cancellationToken) =>
        FetchAsync(value, credential: null, cancellationToken);

    public async Task<GitCheckout> FetchAsync(string value, GitCredential? credential, CancellationToken cancellationToken)
    {
        var input = GitInputValue.Parse(value);
        var url = input.Url;
        using var session = GitSession.Create(url, credential);
        var root = hydraOptions.Value.DataDir;
        var mirror = Path.Combine(root, "git", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(url)))[..24] + ".git");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.GitTimeout);
        var withHistory = input.DeepClone || input.Submodules;

        // One fetch at a time per process keeps two evaluations of the same URL from racing on the mirror.
        await MirrorLock.WaitAsync(cancellationToken);
        string revision;
        int revCount;
        try
        {
            if (!Directory.Exists(Path.Combine(mirror, "objects")))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(mirror)!);
                await GitAsync(session, ["init", "--quiet", "--bare", mirror], timeout.Token);
            }
            // A full ref (refs/pull/N/head of a pull-request jobset) is fetched as it is; a name is a branch.
            var refspec = input.Branch is null ? "HEAD" : input.Branch.StartsWith("refs/", StringComparison.Ordinal) ? input.Branch : $"refs/heads/{input.Branch}";
            await GitAsync(session, ["-C", mirror, "fetch", "--quiet", "--force", "--no-tags", "--", url, $"+{refspec}:refs/hydra/fetched"], timeout.Token);
            revision = (await GitAsync(session, ["-C", mirror, "rev-parse", "refs/hydra/fetched^{commit}"], timeout.Token)).Trim();
            revCount = int.Parse((await GitAsync(session, ["-C", mirror, "rev-list", "--count", revision], timeout.Token)).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            if (withHistory)
            {
                // A stable ref per revision, so a clone made after the lock is released still finds it.
                await GitAsync(session, ["-C", mirror, "update-ref", $"refs/hydra/revs/{revision}", revision], timeout.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InputFetchException($"git fetch of {session.Redact(url)} took longer than {options.Value.GitTimeout}.");
        }
        finally
        {
            MirrorLock.Release();
        }

        var variant = (input.DeepClone ? "-deep" : "") + (input.Submodules ? "-submodules" : "");
        var checkout = Path.Combine(root, "checkouts", revision + variant);
        if (!Directory.Exists(checkout))
        {
            var temporary = checkout + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
            Directory.CreateDirectory(temporary);
            try
            {
                if (withHistory)
                {
                    await CloneAsync(session, input, mirror, revision, temporary, timeout.Token);
                }
                else
                {
                    await GitAsync(session, ["--git-dir", mirror, "--work-tree", temporary, "-c", "core.hooksPath=/dev/null", "checkout", "--quiet", "--force", revision, "--", "."], timeout.Token);
                }
                Directory.Move(temporary, checkout);
            }
            catch (IOException) when (Directory.Exists(checkout))
            {
                // Another evaluation made the same checkout first; theirs is identical.
                Directory.Delete(temporary, recursive: true);
            }
            catch
            {
                if (Directory.Exists(temporary))
                {
                    Directory.Delete(temporary, recursive: true);
                }
                throw;
            }
        }
        return new GitCheckout(url, input.Branch, revision, checkout, revCount);
    }

    /// <summary>
    /// A work tree with its own <c>.git</c>: needed to keep history (deepClone) and to run
    /// <c>git submodule</c>. Without deepClone every <c>.git</c> is removed afterwards, as Hydra does.
    /// </summary>
    private async Task CloneAsync(GitSession session, GitInputValue input, string mirror, string revision, string target, CancellationToken cancellationToken)
    {
        var branch = input.Branch is null || input.Branch.StartsWith("refs/", StringComparison.Ordinal) ? "hydra" : input.Branch;
        await GitAsync(session, ["init", "--quiet", target], cancellationToken);
        await GitAsync(session, ["-C", target, "fetch", "--quiet", "--no-tags", "--", mirror, $"+refs/hydra/revs/{revision}:refs/heads/{branch}"], cancellationToken);
        // Submodules with relative URLs resolve against origin, so origin is the real URL, not the mirror.
        await GitAsync(session, ["-C", target, "remote", "add", "origin", input.Url], cancellationToken);
        await GitAsync(session, ["-C", target, "-c", "core.hooksPath=/dev/null", "checkout", "--quiet", "--force", branch], cancellationToken);
        if (input.Submodules)
        {
            await GitAsync(session, ["-C", target, "-c", "core.hooksPath=/dev/null", "submodule", "--quiet", "update", "--init", "--recursive"], cancellationToken);
        }
        if (!input.DeepClone)
        {
            foreach (var dotGit in Directory.EnumerateFileSystemEntries(target, ".git", SearchOption.AllDirectories).OrderByDescending(p => p.Length).ToList())
            {
                if (Directory.Exists(dotGit))
                {
                    Directory.Delete(dotGit, recursive: true);
                }
                else
                {
                    File.Delete(dotGit);
                }
            }
        }
    }

    private async Task<string> GitAsync(GitSession session, string[] arguments, CancellationToken cancellationToken)
    {
        var output = new StringBuilder();
        var errors = new StringBuilder();
        int exitCode;
        try
        {
            exitCode = await runner.RunAsync(new NixProcessRequest("git", arguments, session.Environment),
                line => (line.IsStandardError ? errors : output).AppendLine(line.Text), cancellationToken);
        }
        catch (NixProcessStartException exception)
        {
            throw new InputFetchException($"git is not installed or not on PATH: {exception.Message}");
        }
        if (exitCode != 0)
        {
            var verb = arguments.FirstOrDefault(a => a is "fetch" or "rev-parse" or "rev-list" or "checkout" or "init" or "submodule" or "update-ref" or "remote") ?? "";
            throw new InputFetchException(session.Redact($"git {verb} of {session.Url} failed (exit {exitCode}): {errors.ToString().Trim()}"));
        }
        return output.ToString();
    }
}
