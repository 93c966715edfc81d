using Npgsql;

namespace Hydra.Web.Pages.Admin;

/// <summary>A keyset page of users by name (<c>user_name</c> is unique, so its index serves the order).</summary>
internal static class AdminUsersQuery
{
    public const int PageSize = 50;

    /// <summary>The users after <paramref name="after"/>, and the name to continue after when more follow.</summary>
    public static async Task<(IReadOnlyList<AdminUser> Users, string? NextAfter)> LoadAsync(
        NpgsqlDataSource db, string? after, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand("""
            SELECT user_name, full_name, email_address, roles, created_at, disabled_at FROM users
            WHERE $1::text IS NULL OR user_name > $1 ORDER BY user_name LIMIT $2
            """);
        command.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Text, (object?)after ?? DBNull.Value);
        command.Parameters.AddWithValue(PageSize + 1);
        var users = new List<AdminUser>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            users.Add(new AdminUser(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<string[]>(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5)));
        }
        return users.Count > PageSize ? (users[..PageSize], users[PageSize - 1].UserName) : (users, null);
    }
}
