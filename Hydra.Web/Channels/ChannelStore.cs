using Npgsql;

namespace Hydra.Web.Channels;

/// <summary>
/// Reads and changes channels with hand-written SQL. A promotion or rollback locks the channel's row, so two
/// release managers (or a manager and <see cref="ChannelFollower"/>) never both decide from the same current revision.
/// </summary>
public sealed class ChannelStore(NpgsqlDataSource dataSource, TimeProvider timeProvider)
{
    private const string ChannelColumns =
        "c.id, c.name, c.jobset_id, p.name, j.name, c.follow_job, c.description, c.created_at " +
        "FROM channels c JOIN jobsets j ON j.id = c.jobset_id JOIN projects p ON p.id = j.project_id";

    private const string RevisionColumns = "id, evaluation_id, build_id, kind, promoted_by, rolled_back_to, created_at";

    public async Task<Channel?> FindAsync(string name, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {ChannelColumns} WHERE c.name = @name");
        command.Parameters.AddWithValue("name", name);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadChannel(reader) : null;
    }

    public async Task<IReadOnlyList<Channel>> ListAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {ChannelColumns} ORDER BY c.name");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var channels = new List<Channel>();
        while (await reader.ReadAsync(cancellationToken))
        {
            channels.Add(ReadChannel(reader));
        }
        return channels;
    }

    /// <summary>Creates the channel or changes its jobset, followed job and description; false when the jobset does not exist.</summary>
    public async Task<bool> SaveAsync(string name, string project, string jobset, string? followJob, string description, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO channels (name, jobset_id, follow_job, description, created_at)
            SELECT @name, j.id, @follow, @description, @now FROM jobsets j JOIN projects p ON p.id = j.project_id
            WHERE p.name = @project AND j.name = @jobset
            ON CONFLICT (name) DO UPDATE SET jobset_id = EXCLUDED.jobset_id, follow_job = EXCLUDED.follow_job, description = EXCLUDED.description
            """);
        command.Parameters.AddWithValue("name", name);
        command.Parameters.AddWithValue("project", project);
        command.Parameters.AddWithValue("jobset", jobset);
        command.Parameters.AddWithValue("follow", (object?)followJob ?? DBNull.Value);
        command.Parameters.AddWithValue("description", description);
        command.Parameters.AddWithValue("now", timeProvider.GetUtcNow());
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<ChannelRevision?> CurrentAsync(long channelId, CancellationToken cancellationToken) =>
        (await HistoryAsync(channelId, before: null, limit: 1, cancellationToken)).FirstOrDefault();

    /// <summary>Revisions newest first, those older than <paramref name="before"/> when given (keyset pages).</summary>
    public async Task<IReadOnlyList<ChannelRevision>> HistoryAsync(long channelId, long? before, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {RevisionColumns} FROM channel_revisions WHERE channel_id = @channel AND id < @before ORDER BY id DESC LIMIT @limit");
        command.Parameters.AddWithValue("channel", channelId);
        command.Parameters.AddWithValue("before", before ?? long.MaxValue);
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var revisions = new List<ChannelRevision>();
        while (await reader.ReadAsync(cancellationToken))
        {
            revisions.Add(ReadRevision(reader));
        }
        return revisions;
    }

    public async Task<ChannelRevision?> RevisionAsync(long channelId, long revisionId, CancellationToken cancellationToken) =>
        (await HistoryAsync(channelId, revisionId + 1, 1, cancellationToken)).FirstOrDefault(r => r.Id == revisionId);

    /// <summary>Points the channel at <paramref name="evaluationId"/>, which must be an evaluation of the channel's jobset.</summary>
    public Task<ChannelChange> PromoteAsync(Channel channel, long evaluationId, string user, CancellationToken cancellationToken) =>
        ChangeAsync(channel, user, ChannelRevisionKinds.Promote, rolledBackTo: null,
            "SELECT id FROM evaluations WHERE id = @target AND jobset_id = @jobset", evaluationId, cancellationToken);

    /// <summary>Points the channel back at the evaluation of its earlier revision <paramref name="revisionId"/>.</summary>
    public Task<ChannelChange> RollbackAsync(Channel channel, long revisionId, string user, CancellationToken cancellationToken) =>
        ChangeAsync(channel, user, ChannelRevisionKinds.Rollback, revisionId,
            "SELECT evaluation_id FROM channel_revisions WHERE id = @target AND channel_id = @channel", revisionId, cancellationToken);

    private async Task<ChannelChange> ChangeAsync(
        Channel channel, string user, string kind, long? rolledBackTo, string findEvaluation, long target, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // The lock serialises changes of one channel; the look-ups below run after it, so they see the latest revision.
        await using var lockCommand = new NpgsqlCommand("SELECT 1 FROM channels WHERE id = @channel FOR UPDATE", connection, transaction);
        lockCommand.Parameters.AddWithValue("channel", channel.Id);
        if (await lockCommand.ExecuteScalarAsync(cancellationToken) is null)
        {
            return ChannelChange.NotFound;
        }

        await using var find = new NpgsqlCommand(
            $"SELECT ({findEvaluation}), (SELECT evaluation_id FROM channel_revisions WHERE channel_id = @channel ORDER BY id DESC LIMIT 1)",
            connection, transaction);
        find.Parameters.AddWithValue("target", target);
        find.Parameters.AddWithValue("jobset", channel.JobsetId);
        find.Parameters.AddWithValue("channel", channel.Id);
        long? evaluationId, currentId;
        await using (var reader = await find.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            evaluationId = reader.IsDBNull(0) ? null : reader.GetInt64(0);
            currentId = reader.IsDBNull(1) ? null : reader.GetInt64(1);
        }
        if (evaluationId is null)
        {
            return ChannelChange.NotFound;
        }
        if (evaluationId == currentId)
        {
            return ChannelChange.AlreadyCurrent;
        }

        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO channel_revisions (channel_id, evaluation_id, kind, promoted_by, rolled_back_to, created_at)
            VALUES (@channel, @evaluation, @kind, @user, @rolledBackTo, @now)
            """, connection, transaction);
        insert.Parameters.AddWithValue("channel", channel.Id);
        insert.Parameters.AddWithValue("evaluation", evaluationId.Value);
        insert.Parameters.AddWithValue("kind", kind);
        insert.Parameters.AddWithValue("user", user);
        insert.Parameters.AddWithValue("rolledBackTo", (object?)rolledBackTo ?? DBNull.Value);
        insert.Parameters.AddWithValue("now", timeProvider.GetUtcNow());
        await insert.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return ChannelChange.Done;
    }

    private static Channel ReadChannel(NpgsqlDataReader reader) => new(
        reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4),
        reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetString(6), reader.GetFieldValue<DateTimeOffset>(7));

    private static ChannelRevision ReadRevision(NpgsqlDataReader reader) => new(
        reader.GetInt64(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetInt64(2), reader.GetString(3),
        reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetInt64(5), reader.GetFieldValue<DateTimeOffset>(6));
}
