using Npgsql;

namespace Hydra.Queue.Leases;

/// <summary>
/// Who may publish what into the binary cache: a worker may upload only while it holds a running step
/// on a lease that has not expired, and may publish (upload the narinfo of) only that step's outputs.
/// A worker that was paused past its lease, or whose step was given to someone else, is refused; so
/// is one that tries to place any other path in the cache.
/// </summary>
public sealed class UploadGrants(NpgsqlDataSource dataSource, TimeProvider clock)
{
    // The hash part of a store path: /nix/store/<32 chars>-<name>.
    private const string HeldSteps =
        """
        FROM steps s JOIN step_attempts a ON a.id = s.current_attempt_id
        WHERE s.state = 2 AND a.state = 0 AND a.worker_id = @worker AND a.lease_expires_at > @now
        """;

    /// <summary>Whether <paramref name="workerId"/> holds a running step with an output whose hash part is <paramref name="hashPart"/>.</summary>
    public async Task<bool> MayPublishAsync(long workerId, string hashPart, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $$"""
              SELECT EXISTS (SELECT 1 {{HeldSteps}}
                AND EXISTS (SELECT 1 FROM unnest(s.output_paths) o WHERE substring(o from '/([0-9a-z]{32})-[^/]*$') = @hash))
              """);
        command.Parameters.AddWithValue("worker", workerId);
        command.Parameters.AddWithValue("now", clock.GetUtcNow());
        command.Parameters.AddWithValue("hash", hashPart);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Whether <paramref name="workerId"/> holds a running step that builds <paramref name="drvPath"/> (its log may be uploaded).</summary>
    public async Task<bool> HoldsStepOfAsync(long workerId, string drvPath, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT EXISTS (SELECT 1 {HeldSteps} AND s.drv_path = @drv)");
        command.Parameters.AddWithValue("worker", workerId);
        command.Parameters.AddWithValue("now", clock.GetUtcNow());
        command.Parameters.AddWithValue("drv", drvPath);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Whether <paramref name="workerId"/> holds any running step (NAR files are only named by their hash, so any will do).</summary>
    public async Task<bool> HoldsAnyStepAsync(long workerId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT EXISTS (SELECT 1 {HeldSteps})");
        command.Parameters.AddWithValue("worker", workerId);
        command.Parameters.AddWithValue("now", clock.GetUtcNow());
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
