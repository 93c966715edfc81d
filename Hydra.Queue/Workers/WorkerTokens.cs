using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Queue.Workers;

/// <summary>
/// Worker tokens: random, shown once, stored as SHA-256 only. A token authenticates the worker
/// protocol (Bearer) and uploads to the binary cache (netrc, Basic password).
/// </summary>
/// <remarks>
/// Every worker call is authenticated, two or more per step, so a look-up is kept for
/// <see cref="QueueOptions.TokenCacheTime"/> (5 s by default; zero turns the cache off). What changes a worker
/// through this process (a new token, disabling or enabling it, a quarantine) forgets its entries at once; a
/// change made by another process (<c>hydra-server disable-worker</c>, another web replica) is seen within that
/// time. A disabled or quarantined worker gets no step even meanwhile: the claim statement checks both itself.
/// </remarks>
public sealed class WorkerTokens(NpgsqlDataSource dataSource, IOptions<QueueOptions> options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, (WorkerIdentity Worker, DateTimeOffset ReadAt)> _cache = new(StringComparer.Ordinal);

    public static string Hash(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Creates the worker, or gives an existing one a new token; returns the token.</summary>
    public async Task<string> CreateOrRotateAsync(string name, CancellationToken cancellationToken)
    {
        var token = "hw_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO workers (name, token_hash, created_at) VALUES (@name, @hash, @now)
            ON CONFLICT (name) DO UPDATE SET token_hash = excluded.token_hash, enabled = true
            """);
        command.Parameters.AddWithValue("name", name);
        command.Parameters.AddWithValue("hash", Hash(token));
        command.Parameters.AddWithValue("now", clock.GetUtcNow());
        await command.ExecuteNonQueryAsync(cancellationToken);
        // The old token stops working here at once (elsewhere within TokenCacheTime).
        Forget(name);
        return token;
    }

    /// <summary>Drops what this process keeps about the worker named <paramref name="name"/>; its next call reads it again.</summary>
    public void Forget(string name)
    {
        foreach (var (hash, entry) in _cache)
        {
            if (entry.Worker.Name == name)
            {
                _cache.TryRemove(hash, out _);
            }
        }
    }

    /// <summary>Drops what this process keeps about worker <paramref name="workerId"/>.</summary>
    public void Forget(long workerId)
    {
        foreach (var (hash, entry) in _cache)
        {
            if (entry.Worker.Id == workerId)
            {
                _cache.TryRemove(hash, out _);
            }
        }
    }

    /// <summary>The worker holding <paramref name="token"/>, or null.</summary>
    /// <remarks>
    /// Every worker call (log batches several times a second) comes through here, so it only reads;
    /// <c>last_seen_at</c> is written at most once per <see cref="LastSeenResolution"/>. A disabled worker
    /// is still authenticated, so that the steps it holds can finish; its claims answer empty.
    /// </remarks>
    public async Task<WorkerIdentity?> AuthenticateAsync(string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }
        var now = clock.GetUtcNow();
        var hash = Hash(token);
        var keep = options.Value.TokenCacheTime;
        if (_cache.TryGetValue(hash, out var cached) && now - cached.ReadAt < keep && now >= cached.ReadAt)
        {
            return cached.Worker;
        }
        WorkerIdentity worker;
        bool stale;
        await using (var select = dataSource.CreateCommand("SELECT id, name, last_seen_at, enabled, quarantined_until FROM workers WHERE token_hash = @hash"))
        {
            select.Parameters.AddWithValue("hash", hash);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }
            worker = new WorkerIdentity(reader.GetInt64(0), reader.GetString(1), reader.GetBoolean(3),
                reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4));
            stale = reader.IsDBNull(2) || reader.GetFieldValue<DateTimeOffset>(2) < now - LastSeenResolution;
        }
        if (stale)
        {
            await using var update = dataSource.CreateCommand("UPDATE workers SET last_seen_at = @now WHERE id = @id");
            update.Parameters.AddWithValue("now", now);
            update.Parameters.AddWithValue("id", worker.Id);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        if (keep > TimeSpan.Zero)
        {
            _cache[hash] = (worker, now);
        }
        return worker;
    }

    /// <summary>How stale <c>workers.last_seen_at</c> may get before a call refreshes it.</summary>
    public static readonly TimeSpan LastSeenResolution = TimeSpan.FromSeconds(10);
}
