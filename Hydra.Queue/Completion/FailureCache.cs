using Npgsql;

namespace Hydra.Queue.Completion;

/// <summary>
/// The failure cache (Hydra's FailedPaths): derivations whose build failed permanently. A new build that needs
/// one fails at once as a cached failure instead of building it again. Entries go in when a step fails with
/// status 1 and stay until cleared here (an administrator's "clear failed cache", or a restart of the build).
/// </summary>
public sealed class FailureCache(NpgsqlDataSource dataSource)
{
    /// <summary>Forgets every cached failure; returns how many there were.</summary>
    public async Task<int> ClearAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM failed_derivations");
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Forgets the cached failures of these derivations (for restarting their builds); returns how many.</summary>
    public async Task<int> ClearAsync(IReadOnlyCollection<string> drvPaths, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM failed_derivations WHERE drv_path = ANY(@drvs)");
        command.Parameters.AddWithValue("drvs", drvPaths.ToArray());
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> ContainsAsync(string drvPath, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM failed_derivations WHERE drv_path = @drv)");
        command.Parameters.AddWithValue("drv", drvPath);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
