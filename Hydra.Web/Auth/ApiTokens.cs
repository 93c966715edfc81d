using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Hydra.Web.Auth;

/// <summary>
/// Personal API tokens for scripts: <c>Authorization: Bearer hydra_pat_...</c>. A token is 32 random bytes;
/// only its SHA-256 is stored, so it is shown once, when created, and a leaked database holds no usable token.
/// A token acts with its user's current roles and is revoked by deleting its row.
/// </summary>
public sealed class ApiTokens(NpgsqlDataSource dataSource, TimeProvider timeProvider)
{
    /// <summary>Every personal token starts with this, which tells it from a worker token without a lookup.</summary>
    public const string Prefix = "hydra_pat_";

    /// <summary>A token as listed to its owner: never the secret.</summary>
    public sealed record Listed(long Id, string Description, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt);

    /// <summary>The user a token belongs to, with the user's roles.</summary>
    public sealed record Owner(string UserName, string[] Roles);

    /// <summary>Creates a token for <paramref name="userName"/> and returns it (the only time it is seen) with its id.</summary>
    public async Task<(long Id, string Token)> CreateAsync(string userName, string description, CancellationToken cancellationToken)
    {
        var token = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        await using var command = dataSource.CreateCommand(
            "INSERT INTO api_tokens (user_name, description, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id");
        command.Parameters.AddWithValue(userName);
        command.Parameters.AddWithValue(description.Trim());
        command.Parameters.AddWithValue(Hash(token));
        command.Parameters.AddWithValue(timeProvider.GetUtcNow());
        var id = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        return (id, token);
    }

    public async Task<IReadOnlyList<Listed>> ListAsync(string userName, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT id, description, created_at, last_used_at FROM api_tokens WHERE user_name = $1 ORDER BY id");
        command.Parameters.AddWithValue(userName);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var tokens = new List<Listed>();
        while (await reader.ReadAsync(cancellationToken))
        {
            tokens.Add(new Listed(reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3)));
        }
        return tokens;
    }

    /// <summary>Deletes the user's token; false when the user has no token with this id.</summary>
    public async Task<bool> RevokeAsync(string userName, long id, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM api_tokens WHERE id = $1 AND user_name = $2");
        command.Parameters.AddWithValue(id);
        command.Parameters.AddWithValue(userName);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>The token's user, or null for an unknown or revoked token. Records when it was last used (to the minute).</summary>
    public async Task<Owner?> AuthenticateAsync(string token, CancellationToken cancellationToken)
    {
        if (!token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length > 200)
        {
            return null;
        }
        // The lookup is by the hash, an index probe on a value no attacker can steer towards a near match.
        await using var command = dataSource.CreateCommand("""
            WITH used AS (
                UPDATE api_tokens SET last_used_at = $2
                WHERE token_hash = $1 AND (last_used_at IS NULL OR last_used_at < $2 - interval '1 minute')
            )
            SELECT u.user_name, u.roles FROM api_tokens t JOIN users u ON u.user_name = t.user_name WHERE t.token_hash = $1 AND u.disabled_at IS NULL
            """);
        command.Parameters.AddWithValue(Hash(token));
        command.Parameters.AddWithValue(timeProvider.GetUtcNow());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new Owner(reader.GetString(0), reader.GetFieldValue<string[]>(1)) : null;
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
