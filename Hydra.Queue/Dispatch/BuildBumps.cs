using Npgsql;

namespace Hydra.Queue.Dispatch;

/// <summary>
/// Bump-to-front. Like Hydra, a bump sets the build's global priority to the current Unix time, so the
/// latest bump goes first, and every unfinished step of the build takes the highest global priority of
/// the builds needing it. Global priority is the first key of the claim order: it beats fair shares,
/// local priority, critical path and age.
/// </summary>
public sealed class BuildBumps(NpgsqlDataSource dataSource, TimeProvider clock)
{
    /// <summary>Bumps an unfinished build; false when there is no such build.</summary>
    public async Task<bool> BumpAsync(long buildId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            WITH bumped AS (
                UPDATE builds SET global_priority = @priority WHERE id = @build AND NOT finished RETURNING id
            ), raised AS (
                UPDATE steps s SET global_priority = @priority
                FROM (SELECT bs.step_id FROM build_steps bs JOIN bumped b ON b.id = bs.build_id ORDER BY bs.step_id) x
                WHERE s.id = x.step_id AND s.state < 3 AND s.global_priority < @priority
            )
            SELECT count(*) FROM bumped
            """);
        command.Parameters.AddWithValue("priority", (int)clock.GetUtcNow().ToUnixTimeSeconds());
        command.Parameters.AddWithValue("build", buildId);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))! > 0;
    }
}
