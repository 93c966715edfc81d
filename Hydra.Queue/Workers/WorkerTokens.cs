using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Hydra.Queue.Workers;

/// <summary>
/// Worker tokens: random, shown once, stored as SHA-256 only. A token authenticates the worker
/// protocol (Bearer) and uploads to the binary cache (netrc, Basic password).
/// </summary>
public sealed class WorkerTokens(NpgsqlDataSource dataSource, TimeProvider clock)
{
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
        return token;
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
        WorkerIdentity worker;
        bool stale;
        await using (var select = dataSource.CreateCommand("SELECT id, name, last_seen_at, enabled, quarantined_until FROM workers WHERE token_hash = @hash"))
        {
            select.Parameters.AddWithValue("hash", Hash(token));
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
        return worker;
    }

    /// <summary>How stale <c>workers.last_seen_at</c> may get before a call refreshes it.</summary>
    public static readonly TimeSpan LastSeenResolution = TimeSpan.FromSeconds(10);
}
