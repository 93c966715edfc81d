using Npgsql;

namespace Hydra.Core.Notifications;

/// <summary>The deliveries an administrator looks at (/admin/notifications): failed, retrying, recent; and the retry.</summary>
public sealed class NotificationDeliveries(NpgsqlDataSource dataSource, TimeProvider clock)
{
    /// <summary>A delivery as the admin page lists it.</summary>
    public sealed record Row(
        long Id, string State, int Attempts, DateTimeOffset NextAttemptAt, DateTimeOffset? LastAttemptAt, string? LastError, string? Note,
        long SinkId, string SinkKind, string SinkName, string Project, string? Jobset, string EventKind, long? BuildId, long? EvaluationId, string? Job,
        DateTimeOffset CreatedAt);

    /// <summary>Counts by state: pending, delivered, failed; how many pending ones have failed at least once; and how many sinks exist.</summary>
    public sealed record Counts(long Pending, long Retrying, long Delivered, long Failed, long Sinks);

    /// <summary>
    /// Deliveries in <paramref name="filter"/>: "failed" (gave up), "retrying" (pending after a failed attempt),
    /// "pending", "delivered", or "problems" (failed and retrying, the default), newest first, keyset-paged by id;
    /// only those of <paramref name="project"/> and of sink <paramref name="sinkId"/> when given.
    /// </summary>
    public async Task<IReadOnlyList<Row>> ListAsync(
        string filter, string? project, long? sinkId, long? beforeId, int limit, CancellationToken cancellationToken)
    {
        var where = filter switch
        {
            "failed" => "d.state = 2",
            "retrying" => "d.state = 0 AND d.last_error IS NOT NULL",
            "pending" => "d.state = 0",
            "delivered" => "d.state = 1",
            _ => "(d.state = 2 OR (d.state = 0 AND d.last_error IS NOT NULL))",
        };
        await using var command = dataSource.CreateCommand(
            $"""
            SELECT d.id, d.state, d.attempts, d.next_attempt_at, d.last_attempt_at, d.last_error, d.note,
                   s.id, s.kind, s.name, p.name, j.name, e.kind, e.build_id, e.evaluation_id, e.job, d.created_at
            FROM notification_deliveries d
            JOIN notification_sinks s ON s.id = d.sink_id
            JOIN notification_events e ON e.id = d.event_id
            JOIN projects p ON p.id = s.project_id
            LEFT JOIN jobsets j ON j.id = e.jobset_id
            WHERE {where} AND d.id < @before
              AND (CAST(@project AS text) IS NULL OR p.name = @project) AND (CAST(@sink AS bigint) IS NULL OR d.sink_id = @sink)
            ORDER BY d.id DESC LIMIT @limit
            """);
        command.Parameters.AddWithValue("before", beforeId ?? long.MaxValue);
        command.Parameters.Add(new NpgsqlParameter<string?>("project", project) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<long?>("sink", sinkId) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<Row>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new Row(reader.GetInt64(0), StateName(reader.GetInt16(1), !reader.IsDBNull(5)), reader.GetInt32(2),
                reader.GetFieldValue<DateTimeOffset>(3), reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.GetInt64(7), reader.GetString(8), reader.GetString(9), reader.GetString(10), reader.IsDBNull(11) ? null : reader.GetString(11),
                reader.GetString(12), reader.IsDBNull(13) ? null : reader.GetInt64(13), reader.IsDBNull(14) ? null : reader.GetInt64(14),
                reader.IsDBNull(15) ? null : reader.GetString(15), reader.GetFieldValue<DateTimeOffset>(16)));
        }
        return rows;
    }

    public async Task<Counts> CountAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT count(*) FILTER (WHERE state = 0), count(*) FILTER (WHERE state = 0 AND last_error IS NOT NULL),
                   count(*) FILTER (WHERE state = 1), count(*) FILTER (WHERE state = 2), (SELECT count(*) FROM notification_sinks)
            FROM notification_deliveries
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new Counts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
    }

    /// <summary>
    /// Makes a failed or retrying delivery due now, with a fresh budget of attempts. False when it does not exist
    /// or was delivered. The attempt counter keeps counting, so it stays a fencing token.
    /// </summary>
    public async Task<bool> RetryAsync(long id, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE notification_deliveries SET state = 0, next_attempt_at = @now, retried_at = attempts WHERE id = @id AND state IN (0, 2)");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("now", clock.GetUtcNow());
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Retries every failed delivery; returns how many.</summary>
    public async Task<int> RetryAllFailedAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE notification_deliveries SET state = 0, next_attempt_at = @now, retried_at = attempts WHERE state = 2");
        command.Parameters.AddWithValue("now", clock.GetUtcNow());
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A delivery's state as the pages show it: pending, retrying (pending after a failed attempt), delivered or failed.</summary>
    public static string StateName(short state, bool hasError) => state switch
    {
        0 => hasError ? "retrying" : "pending",
        1 => "delivered",
        _ => "failed",
    };
}
