using System.Text.Json.Nodes;
using Npgsql;

namespace Hydra.Core.Notifications;

/// <summary>Reads and writes the sinks of a project (and its jobsets) for the JSON API and the notifications page.</summary>
public sealed class NotificationSinkStore(NpgsqlDataSource dataSource, TimeProvider clock)
{
    /// <summary>A sink as shown: secrets replaced by <c>"********"</c>.</summary>
    public sealed record Listed(long Id, string? Jobset, string Kind, string Name, bool Enabled, IReadOnlyList<string> Events, string Jobs, JsonObject Settings);

    /// <summary>A sink to create or replace. Null <see cref="Events"/>: the kind's defaults.</summary>
    public sealed record Change(string? Jobset, string Kind, string Name, bool Enabled, IReadOnlyList<string>? Events, string Jobs, JsonObject Settings);

    /// <summary>
    /// How a sink's deliveries stand: its newest delivery (state as <see cref="NotificationDeliveries.StateName"/>, when,
    /// its error or skip note), and how many have failed or are pending.
    /// </summary>
    public sealed record DeliveryState(string? LastState, DateTimeOffset? LastAt, string? LastMessage, long Failed, long Pending);

    public async Task<IReadOnlyList<Listed>> ListAsync(string project, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT s.id, j.name, s.kind, s.name, s.enabled, s.events, s.jobs, s.settings::text
            FROM notification_sinks s JOIN projects p ON p.id = s.project_id LEFT JOIN jobsets j ON j.id = s.jobset_id
            WHERE p.name = @project ORDER BY s.id
            """);
        command.Parameters.AddWithValue("project", project);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var sinks = new List<Listed>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var settings = JsonNode.Parse(reader.GetString(7)) as JsonObject ?? [];
            foreach (var secret in NotificationSinkKinds.SecretSettings.Where(settings.ContainsKey))
            {
                settings[secret] = NotificationSinkFields.Masked;
            }
            sinks.Add(new Listed(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetBoolean(4), reader.GetFieldValue<string[]>(5), reader.GetString(6), settings));
        }
        return sinks;
    }

    /// <summary>Validates a change (<see cref="NotificationSinkFields.Check"/>); null when it is fine, else what is wrong, each problem after its field.</summary>
    public static string? Validate(Change change)
    {
        var problems = NotificationSinkFields.Check(change);
        return problems.Count == 0 ? null : string.Join(" ", problems.Select(p => $"{p.Key}: {p.Value}"));
    }

    /// <summary>Creates a sink in <paramref name="project"/>; null when the project or jobset does not exist.</summary>
    public async Task<long?> CreateAsync(string project, Change change, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO notification_sinks (project_id, jobset_id, kind, name, enabled, events, jobs, settings, created_at)
            SELECT p.id, j.id, @kind, @name, @enabled, @events, @jobs, CAST(@settings AS jsonb), @now
            FROM projects p LEFT JOIN jobsets j ON j.project_id = p.id AND j.name = @jobset
            WHERE p.name = @project AND (@jobset IS NULL OR j.id IS NOT NULL)
            RETURNING id
            """);
        Bind(command, project, change);
        command.Parameters.AddWithValue("now", clock.GetUtcNow());
        return await command.ExecuteScalarAsync(cancellationToken) as long?;
    }

    /// <summary>Replaces a sink's configuration; a secret sent as <c>"********"</c> (as listed) keeps its stored value.</summary>
    public async Task<bool> UpdateAsync(string project, long id, Change change, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            UPDATE notification_sinks s
            SET jobset_id = j.id, kind = @kind, name = @name, enabled = @enabled, events = @events, jobs = @jobs,
                settings = (SELECT COALESCE(jsonb_object_agg(k, CASE WHEN v = '"********"'::jsonb AND s.settings ? k THEN s.settings -> k ELSE v END), '{}')
                            FROM jsonb_each(CAST(@settings AS jsonb)) AS n (k, v))
            FROM projects p LEFT JOIN jobsets j ON j.project_id = p.id AND j.name = @jobset
            WHERE s.id = @id AND s.project_id = p.id AND p.name = @project AND (@jobset IS NULL OR j.id IS NOT NULL)
            """);
        Bind(command, project, change);
        command.Parameters.AddWithValue("id", id);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> DeleteAsync(string project, long id, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "DELETE FROM notification_sinks s USING projects p WHERE s.id = @id AND p.id = s.project_id AND p.name = @project");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("project", project);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>The delivery state of each sink of <paramref name="project"/>, by sink id (indexed per sink: migration 0024).</summary>
    public async Task<IReadOnlyDictionary<long, DeliveryState>> DeliveryStatesAsync(string project, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT s.id, last.state, last.has_error, last.at, last.message, open.failed, open.pending
            FROM notification_sinks s
            JOIN projects p ON p.id = s.project_id
            LEFT JOIN LATERAL (
                SELECT d.state, d.last_error IS NOT NULL AS has_error, COALESCE(d.delivered_at, d.last_attempt_at, d.created_at) AS at,
                       CASE WHEN d.state = 1 THEN d.note ELSE d.last_error END AS message
                FROM notification_deliveries d WHERE d.sink_id = s.id ORDER BY d.id DESC LIMIT 1) last ON true
            CROSS JOIN LATERAL (
                SELECT count(*) FILTER (WHERE d.state = 2) AS failed, count(*) FILTER (WHERE d.state = 0) AS pending
                FROM notification_deliveries d WHERE d.sink_id = s.id AND d.state <> 1) open
            WHERE p.name = @project
            """);
        command.Parameters.AddWithValue("project", project);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var states = new Dictionary<long, DeliveryState>();
        while (await reader.ReadAsync(cancellationToken))
        {
            states[reader.GetInt64(0)] = new DeliveryState(
                reader.IsDBNull(1) ? null : NotificationDeliveries.StateName(reader.GetInt16(1), reader.GetBoolean(2)),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3), reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.GetInt64(5), reader.GetInt64(6));
        }
        return states;
    }

    /// <summary>Turns a sink on or off; false when <paramref name="project"/> has no sink <paramref name="id"/>.</summary>
    public async Task<bool> SetEnabledAsync(string project, long id, bool enabled, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE notification_sinks s SET enabled = @enabled FROM projects p WHERE s.id = @id AND p.id = s.project_id AND p.name = @project");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("project", project);
        command.Parameters.AddWithValue("enabled", enabled);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private static void Bind(NpgsqlCommand command, string project, Change change)
    {
        command.Parameters.AddWithValue("project", project);
        command.Parameters.Add(new NpgsqlParameter<string?>("jobset", change.Jobset) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.AddWithValue("kind", change.Kind);
        command.Parameters.AddWithValue("name", change.Name);
        command.Parameters.AddWithValue("enabled", change.Enabled);
        command.Parameters.AddWithValue("events", (change.Events ?? NotificationEventKinds.DefaultsFor(change.Kind)).Distinct().ToArray());
        command.Parameters.AddWithValue("jobs", change.Jobs);
        command.Parameters.AddWithValue("settings", change.Settings.ToJsonString());
    }
}
