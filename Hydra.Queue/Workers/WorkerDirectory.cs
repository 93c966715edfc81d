using Npgsql;

namespace Hydra.Queue.Workers;

/// <summary>The registered workers for operators: their state, and switching one off and on.</summary>
public sealed class WorkerDirectory(NpgsqlDataSource dataSource, WorkerTokens tokens, TimeProvider clock)
{
    /// <summary>Every worker, by name.</summary>
    public async Task<List<WorkerStatus>> ListAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT w.name, w.systems, w.features, w.mandatory_features, w.max_jobs, w.speed_factor, w.enabled, w.last_seen_at,
                   (SELECT count(*)::int FROM step_attempts a WHERE a.worker_id = w.id AND a.state = 0 AND a.lease_expires_at > @now),
                   cardinality(w.failed_steps), CASE WHEN w.quarantined_until > @now THEN w.quarantined_until END, w.last_failure
            FROM workers w ORDER BY w.name
            """);
        command.Parameters.AddWithValue("now", clock.GetUtcNow());
        var workers = new List<WorkerStatus>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            workers.Add(new WorkerStatus(
                reader.GetString(0), reader.GetFieldValue<string[]>(1), reader.GetFieldValue<string[]>(2), reader.GetFieldValue<string[]>(3),
                reader.GetInt32(4), reader.GetDouble(5), reader.GetBoolean(6),
                reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7),
                reader.GetInt32(8), reader.GetInt32(9),
                reader.IsDBNull(10) ? null : reader.GetFieldValue<DateTimeOffset>(10),
                reader.IsDBNull(11) ? null : reader.GetString(11)));
        }
        return workers;
    }

    /// <summary>
    /// Disables a worker (it finishes what it holds but gets no new steps) or enables it again; enabling also
    /// lifts a quarantine and forgets the failures, since an operator has looked at the machine. False when
    /// there is no such worker.
    /// </summary>
    public async Task<bool> SetEnabledAsync(string name, bool enabled, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            UPDATE workers SET enabled = @enabled,
                failed_steps = CASE WHEN @enabled THEN '{}' ELSE failed_steps END,
                quarantine_level = CASE WHEN @enabled THEN 0 ELSE quarantine_level END,
                quarantined_until = CASE WHEN @enabled THEN NULL ELSE quarantined_until END
            WHERE name = @name
            """);
        command.Parameters.AddWithValue("enabled", enabled);
        command.Parameters.AddWithValue("name", name);
        var found = await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        tokens.Forget(name);
        return found;
    }
}
