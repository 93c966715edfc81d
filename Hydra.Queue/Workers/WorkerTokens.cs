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

    /// <summary>The enabled worker holding <paramref name="token"/>, or null.</summary>
    public async Task<WorkerIdentity?> AuthenticateAsync(string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }
        await using var command = dataSource.CreateCommand(
            "UPDATE workers SET last_seen_at = @now WHERE token_hash = @hash AND enabled RETURNING id, name");
        command.Parameters.AddWithValue("hash", Hash(token));
        command.Parameters.AddWithValue("now", clock.GetUtcNow());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new WorkerIdentity(reader.GetInt64(0), reader.GetString(1)) : null;
    }

    /// <summary>Records what the worker says it can build, for the workers page.</summary>
    public async Task RecordCapabilitiesAsync(long workerId, IReadOnlyList<string> systems, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("UPDATE workers SET systems = @systems WHERE id = @id");
        command.Parameters.AddWithValue("systems", systems.ToArray());
        command.Parameters.AddWithValue("id", workerId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
