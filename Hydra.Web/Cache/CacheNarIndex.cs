using Microsoft.Extensions.Caching.Memory;
using Npgsql;

namespace Hydra.Web.Cache;

/// <summary>
/// Which store paths each NAR file serves (table <c>cache_nar_paths</c>), recorded at upload, so that
/// <see cref="CacheReadAccess"/> can guard a private project's NARs as it guards their narinfos. A NAR's name is the
/// hash of its contents, so paths are only ever added (two paths with the same contents share one NAR): an answer
/// with paths is remembered for a minute and forgotten here when a narinfo adds one. Another web process may answer
/// from its memory for up to that minute without the new path, which can only refuse a read the new path would
/// allow, never allow one. Answers without paths are asked again every time.
/// </summary>
public sealed class CacheNarIndex(NpgsqlDataSource db, IMemoryCache memory)
{
    private static readonly TimeSpan s_pathsFor = TimeSpan.FromMinutes(1);

    /// <summary>What the index knows of a NAR file.</summary>
    /// <param name="Uploaded">Whether it came through the upload endpoint (else: written around it, or before the index).</param>
    /// <param name="StorePaths">The store paths whose accepted narinfos point to it.</param>
    public sealed record Entry(bool Uploaded, IReadOnlyList<string> StorePaths);

    /// <summary>Records that <paramref name="narKey"/> (<c>nar/&lt;file&gt;</c>) was uploaded, before any narinfo names it.</summary>
    public Task RecordUploadAsync(string narKey, CancellationToken cancellationToken) => InsertAsync(narKey, null, cancellationToken);

    /// <summary>Records that the narinfo of <paramref name="storePath"/> points to <paramref name="narKey"/>; call before storing the narinfo.</summary>
    public async Task RecordStorePathAsync(string narKey, string storePath, CancellationToken cancellationToken)
    {
        await InsertAsync(narKey, storePath, cancellationToken);
        memory.Remove(MemoryKey(narKey));
    }

    /// <summary>
    /// Forgets what garbage collection deleted: the narinfos of <paramref name="storePaths"/> (whose NARs keep their
    /// upload row, so a NAR left for the grace period stays for global readers only) and the NAR files
    /// <paramref name="narKeys"/> (<c>nar/&lt;file&gt;</c>), with their recompression records.
    /// </summary>
    public async Task ForgetAsync(IReadOnlyCollection<string> narKeys, IReadOnlyCollection<string> storePaths, IEnumerable<string> touchedNarKeys, CancellationToken cancellationToken)
    {
        await using var batch = db.CreateBatch();
        var byPath = new NpgsqlBatchCommand("DELETE FROM cache_nar_paths WHERE store_path = ANY(@paths)");
        byPath.Parameters.AddWithValue("paths", storePaths.ToArray());
        var byNar = new NpgsqlBatchCommand("DELETE FROM cache_nar_paths WHERE nar_key = ANY(@nars)");
        byNar.Parameters.AddWithValue("nars", narKeys.ToArray());
        var recompressed = new NpgsqlBatchCommand("DELETE FROM cache_recompressed_nars WHERE stored_key = ANY(@nars)");
        recompressed.Parameters.AddWithValue("nars", narKeys.ToArray());
        batch.BatchCommands.Add(byPath);
        batch.BatchCommands.Add(byNar);
        batch.BatchCommands.Add(recompressed);
        await batch.ExecuteNonQueryAsync(cancellationToken);
        foreach (var narKey in narKeys.Concat(touchedNarKeys))
        {
            memory.Remove(MemoryKey(narKey));
        }
    }

    /// <summary>What is known of <paramref name="narKey"/>.</summary>
    public async Task<Entry> FindAsync(string narKey, CancellationToken cancellationToken)
    {
        var key = MemoryKey(narKey);
        if (memory.TryGetValue(key, out Entry? known) && known is not null)
        {
            return known;
        }

        await using var command = db.CreateCommand("SELECT store_path FROM cache_nar_paths WHERE nar_key = @key");
        command.Parameters.AddWithValue("key", narKey);
        var uploaded = false;
        var paths = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                uploaded = true;
                if (!reader.IsDBNull(0))
                {
                    paths.Add(reader.GetString(0));
                }
            }
        }

        var entry = new Entry(uploaded, paths);
        if (paths.Count > 0)
        {
            memory.Set(key, entry, s_pathsFor);
        }

        return entry;
    }

    private static string MemoryKey(string narKey) => "hydra:cache-nar-paths:" + narKey;

    private async Task InsertAsync(string narKey, string? storePath, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(
            "INSERT INTO cache_nar_paths (nar_key, store_path) VALUES (@key, @path) ON CONFLICT DO NOTHING");
        command.Parameters.AddWithValue("key", narKey);
        command.Parameters.Add("path", NpgsqlTypes.NpgsqlDbType.Text).Value = (object?)storePath ?? DBNull.Value;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
