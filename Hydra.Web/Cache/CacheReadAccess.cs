using Hydra.Core.Nix;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Web.Cache;

/// <summary>
/// Who may read the cache (<see cref="CacheOptions.Private"/>, <see cref="CacheOptions.ReadTokens"/>,
/// <see cref="CacheOptions.Projects"/>). A public cache, the default, does no work at all per request. With private
/// projects, a narinfo or log costs one indexed query for the projects that built the path, remembered for a minute.
/// A NAR file is guarded by the store paths it serves (<see cref="CacheNarIndex"/>): it is as readable as the most
/// readable of them, so knowing (or guessing) its name opens nothing the narinfos do not. A worker's token reads like a
/// global read token (<see cref="CacheWorkerReaders"/>), so builders substitute their steps' inputs.
/// </summary>
public sealed class CacheReadAccess(
    IOptions<CacheOptions> options, NpgsqlDataSource db, IMemoryCache memory, CacheNarIndex narIndex, CacheWorkerReaders workers)
{
    private static readonly TimeSpan s_ownersFor = TimeSpan.FromMinutes(1);

    /// <summary>True when nothing is guarded: callers skip the checks entirely.</summary>
    public bool IsPublic => !options.Value.Private && options.Value.Projects.Count == 0;

    /// <summary>Whether the request may read what belongs to no private project (nix-cache-info, NARs, public paths).</summary>
    public async Task<bool> MayReadPublicAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var cache = options.Value;
        if (!cache.Private)
        {
            return true;
        }

        var token = CacheCredentials.Token(request);
        return CacheCredentials.IsOneOf(token, cache.ReadTokens.Concat(cache.Projects.Values.SelectMany(p => p.ReadTokens)))
            || await workers.IsReaderAsync(token, cancellationToken);
    }

    /// <summary>Whether the request may read the output <paramref name="storePath"/> (a narinfo).</summary>
    public Task<bool> MayReadOutputAsync(HttpRequest request, string storePath, CancellationToken cancellationToken) =>
        MayReadAsync(request, "output", storePath, cancellationToken);

    /// <summary>Whether the request may read the log of derivation <paramref name="drvPath"/>.</summary>
    public Task<bool> MayReadLogAsync(HttpRequest request, string drvPath, CancellationToken cancellationToken) =>
        MayReadAsync(request, "drv", drvPath, cancellationToken);

    /// <summary>
    /// Whether the request may read the NAR file <paramref name="narKey"/>: when a public path (or one of a project the
    /// token opens) is served by it. A NAR uploaded but named by no accepted narinfo yet is for global readers only;
    /// one that never came through the upload endpoint (the evaluator's derivations) follows the public rule.
    /// </summary>
    public async Task<bool> MayReadNarAsync(HttpRequest request, string narKey, CancellationToken cancellationToken)
    {
        var cache = options.Value;
        var token = CacheCredentials.Token(request);
        if (CacheCredentials.IsOneOf(token, cache.ReadTokens))
        {
            return true;
        }

        if (cache.Projects.Count == 0)
        {
            return await MayReadPublicAsync(request, cancellationToken);
        }

        var nar = await narIndex.FindAsync(narKey, cancellationToken);
        if (!nar.Uploaded)
        {
            return await MayReadPublicAsync(request, cancellationToken);
        }

        foreach (var storePath in nar.StorePaths)
        {
            if (await MayReadAsync(request, "output", storePath, cancellationToken))
            {
                return true;
            }
        }

        // Not yet named by an accepted narinfo: for global readers, workers included (named ones were checked above).
        return nar.StorePaths.Count == 0 && await workers.IsReaderAsync(token, cancellationToken);
    }

    private async Task<bool> MayReadAsync(HttpRequest request, string kind, string path, CancellationToken cancellationToken)
    {
        var cache = options.Value;
        var token = CacheCredentials.Token(request);
        if (CacheCredentials.IsOneOf(token, cache.ReadTokens))
        {
            return true;
        }

        var owners = cache.Projects.Count == 0 ? [] : await PrivateOwnersAsync(kind, path, cancellationToken);
        return owners.Count == 0
            ? await MayReadPublicAsync(request, cancellationToken)
            : owners.Any(project => CacheCredentials.IsOneOf(token, cache.Projects[project].ReadTokens))
                || await workers.IsReaderAsync(token, cancellationToken);
    }

    /// <summary>The private projects (by configured name) with a build that has <paramref name="path"/> as an output or derivation.</summary>
    private async Task<List<string>> PrivateOwnersAsync(string kind, string path, CancellationToken cancellationToken)
    {
        var key = $"hydra:cache-owners:{kind}:{path}";
        if (!memory.TryGetValue(key, out List<string>? projects) || projects is null)
        {
            await using var command = db.CreateCommand(kind == "drv"
                ? "SELECT DISTINCT p.name FROM builds b JOIN jobsets j ON j.id = b.jobset_id JOIN projects p ON p.id = j.project_id WHERE b.drv_path = @path"
                : """
                  SELECT DISTINCT p.name FROM build_outputs o JOIN builds b ON b.id = o.build_id
                  JOIN jobsets j ON j.id = b.jobset_id JOIN projects p ON p.id = j.project_id WHERE o.path = @path
                  """);
            command.Parameters.AddWithValue("path", path);
            projects = [];
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                projects.Add(reader.GetString(0));
            }

            memory.Set(key, projects, s_ownersFor);
        }

        return [.. projects.Where(options.Value.Projects.ContainsKey)];
    }

    /// <summary>The full path of a derivation base name, for <see cref="MayReadLogAsync"/>.</summary>
    public static string DrvPath(string drvName) => $"{StorePath.StoreDir}/{drvName}";
}
