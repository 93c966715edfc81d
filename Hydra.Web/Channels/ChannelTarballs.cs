using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Hydra.Core;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Web.Channels;

/// <summary>
/// <c>nixexprs.tar.xz</c> of an evaluation: the source tree of the jobset's Nix expression input at the revision
/// the evaluation used, under one top-level directory (nix-channel renames it to the channel's name). Made once per
/// evaluation under <c>DataDir/channels/nixexprs</c> (written to a temporary name and renamed) and then served as a
/// static file. Git inputs come from the evaluator's mirror when this server shares its data directory, otherwise
/// from a mirror of the channels' own fetched from the input's URL; path inputs are packed as they are now.
/// </summary>
public sealed class ChannelTarballs(NpgsqlDataSource dataSource, IOptions<HydraOptions> hydraOptions)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    private readonly string _dataDir = Path.GetFullPath(hydraOptions.Value.DataDir);

    private sealed record Source(string Prefix, string Type, string? Uri, string? Revision, string? Path);

    /// <summary>The tarball's path, made now if needed; null when the evaluation has no git or path expression input.</summary>
    public async Task<string?> GetAsync(long evaluationId, CancellationToken cancellationToken)
    {
        var target = System.IO.Path.Combine(_dataDir, "channels", "nixexprs", $"{evaluationId}.tar.xz");
        if (File.Exists(target))
        {
            return target;
        }
        if (await SourceAsync(evaluationId, cancellationToken) is not { } source)
        {
            return null;
        }

        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
        var temporary = target + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            if (source.Type == "git")
            {
                var repository = await RepositoryAsync(source.Uri!, source.Revision!, cancellationToken);
                await RunAsync("git", ["-C", repository, "-c", "tar.tar.xz.command=xz -c", "archive", "--format=tar.xz",
                    $"--prefix={source.Prefix}/", $"--output={temporary}", source.Revision!], cancellationToken);
            }
            else
            {
                var full = System.IO.Path.GetFullPath(source.Path!);
                await RunAsync("tar", ["-cJf", temporary, "--owner=0", "--group=0", "--numeric-owner", "--exclude=.git",
                    "-C", System.IO.Path.GetDirectoryName(full)!, $"--transform=s,^{System.IO.Path.GetFileName(full)},{source.Prefix},",
                    System.IO.Path.GetFileName(full)], cancellationToken);
            }
            File.Move(temporary, target, overwrite: true);
            return target;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private async Task<Source?> SourceAsync(long evaluationId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT p.name || '-' || j.name || '-' || e.id, i.type, i.uri, i.revision, i.path
            FROM evaluations e JOIN jobsets j ON j.id = e.jobset_id JOIN projects p ON p.id = j.project_id
            JOIN evaluation_inputs i ON i.evaluation_id = e.id AND i.name = e.nix_expr_input
            WHERE e.id = @id
            """);
        command.Parameters.AddWithValue("id", evaluationId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        var source = new Source(reader.GetString(0), reader.GetString(1), Text(reader, 2), Text(reader, 3), Text(reader, 4));
        return source switch
        {
            { Type: "git", Uri: not null, Revision: not null } => source,
            { Type: "path", Path: not null } when Directory.Exists(source.Path) => source,
            _ => null,
        };
    }

    /// <summary>A bare repository holding <paramref name="revision"/>: the evaluator's mirror, or ours, fetched if needed.</summary>
    private async Task<string> RepositoryAsync(string url, string revision, CancellationToken cancellationToken)
    {
        // The evaluator names its mirror after the URL's SHA-256 (GitFetcher); the same name under channels/git is ours.
        var name = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(url)))[..24] + ".git";
        var evaluatorMirror = System.IO.Path.Combine(_dataDir, "git", name);
        if (await HasCommitAsync(evaluatorMirror, revision, cancellationToken))
        {
            return evaluatorMirror;
        }
        var mirror = System.IO.Path.Combine(_dataDir, "channels", "git", name);
        if (!Directory.Exists(System.IO.Path.Combine(mirror, "objects")))
        {
            Directory.CreateDirectory(mirror);
            await RunAsync("git", ["init", "--quiet", "--bare", mirror], cancellationToken);
        }
        if (!await HasCommitAsync(mirror, revision, cancellationToken))
        {
            await RunAsync("git", ["-C", mirror, "fetch", "--quiet", "--force", "--no-tags", "--", url, "+refs/heads/*:refs/heads/*"], cancellationToken);
        }
        return mirror;
    }

    private static async Task<bool> HasCommitAsync(string repository, string revision, CancellationToken cancellationToken) =>
        Directory.Exists(repository) && await TryRunAsync("git", ["-C", repository, "cat-file", "-e", revision + "^{commit}"], cancellationToken) == 0;

    private static async Task RunAsync(string program, string[] arguments, CancellationToken cancellationToken)
    {
        var (exitCode, errors) = await ExecuteAsync(program, arguments, cancellationToken);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({exitCode}): {errors}");
        }
    }

    private static async Task<int> TryRunAsync(string program, string[] arguments, CancellationToken cancellationToken) =>
        (await ExecuteAsync(program, arguments, cancellationToken)).ExitCode;

    private static async Task<(int ExitCode, string Errors)> ExecuteAsync(string program, string[] arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        // The URL comes from a jobset definition: no ext:: or fd:: transports that would run commands.
        start.Environment["GIT_ALLOW_PROTOCOL"] = "file:git:http:https:ssh";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        await output;
        return (process.ExitCode, (await errors).Trim());
    }

    private static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
