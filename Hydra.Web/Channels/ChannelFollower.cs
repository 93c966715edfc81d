using Npgsql;

namespace Hydra.Web.Channels;

/// <summary>
/// Advances channels that follow a job: a channel moves to the newest evaluation of its jobset in which a build of
/// the followed job succeeded and every constituent of that build (an aggregate such as <c>tested</c>) succeeded too,
/// provided that evaluation is newer than every evaluation the channel has pointed at. So after a rollback the channel
/// stays put until a newer evaluation passes, and an evaluation promoted by hand is never followed backwards.
/// </summary>
/// <remarks>
/// This reads finished builds rather than hooking the moment a build finishes: a missed wake-up, a restart or a
/// second server only delays an advance to the next pass, and never loses it. Each channel is advanced in its own
/// transaction under its row lock (<c>SKIP LOCKED</c>: a channel being promoted right now is taken next pass), and
/// the partial unique index <c>channel_revisions_follow</c> keeps two servers from recording the same advance.
/// </remarks>
public sealed class ChannelFollower(NpgsqlDataSource dataSource, TimeProvider timeProvider)
{
    private const string AdvanceSql =
        """
        INSERT INTO channel_revisions (channel_id, evaluation_id, build_id, kind, created_at)
        SELECT c.id, m.evaluation_id, b.id, 'follow', @now
        FROM locked c
        JOIN builds b ON b.jobset_id = c.jobset_id AND b.job = c.follow_job
        JOIN evaluation_members m ON m.build_id = b.id
        WHERE b.finished AND b.build_status = 0
          AND m.evaluation_id > COALESCE((SELECT max(r.evaluation_id) FROM channel_revisions r WHERE r.channel_id = c.id), 0)
          AND NOT EXISTS (
              SELECT 1 FROM aggregate_constituents ac JOIN builds cb ON cb.id = ac.constituent_id
              WHERE ac.aggregate_id = b.id AND NOT (cb.finished AND cb.build_status = 0))
        ORDER BY m.evaluation_id DESC
        LIMIT 1
        ON CONFLICT (channel_id, evaluation_id) WHERE kind = 'follow' DO NOTHING
        RETURNING evaluation_id
        """;

    /// <summary>One pass over every following channel; returns how many advanced.</summary>
    public async Task<int> AdvanceAsync(CancellationToken cancellationToken)
    {
        var channels = new List<long>();
        await using (var list = dataSource.CreateCommand("SELECT id FROM channels WHERE follow_job IS NOT NULL ORDER BY id"))
        await using (var reader = await list.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                channels.Add(reader.GetInt64(0));
            }
        }

        var advanced = 0;
        foreach (var channel in channels)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            // Lock first, then decide in a later statement: its snapshot then includes a promotion that held the lock.
            await using var lockCommand = new NpgsqlCommand("SELECT 1 FROM channels WHERE id = @channel FOR UPDATE SKIP LOCKED", connection, transaction);
            lockCommand.Parameters.AddWithValue("channel", channel);
            if (await lockCommand.ExecuteScalarAsync(cancellationToken) is null)
            {
                continue;
            }
            await using var command = new NpgsqlCommand(
                "WITH locked AS (SELECT id, jobset_id, follow_job FROM channels WHERE id = @channel AND follow_job IS NOT NULL) " + AdvanceSql,
                connection, transaction);
            command.Parameters.AddWithValue("channel", channel);
            command.Parameters.AddWithValue("now", timeProvider.GetUtcNow());
            if (await command.ExecuteScalarAsync(cancellationToken) is not null)
            {
                advanced++;
            }
            await transaction.CommitAsync(cancellationToken);
        }
        return advanced;
    }
}
