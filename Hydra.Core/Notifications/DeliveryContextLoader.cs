using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Core.Notifications;

/// <summary>Reads what a delivery is about (a handful of indexed look-ups), at delivery time.</summary>
public sealed class DeliveryContextLoader(NpgsqlDataSource dataSource, IOptions<NotificationOptions> options)
{
    /// <summary>The context of a delivery, or null when its jobset is gone.</summary>
    public async Task<DeliveryContext?> LoadAsync(long deliveryId, int attempt, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        long? buildId;
        DeliveryContext context;
        await using (var command = new NpgsqlCommand(
            """
            SELECT s.id, s.kind, s.name, s.settings::text, e.id, e.kind, e.created_at, e.build_status, e.message,
                   e.evaluation_id, e.build_id, p.name, j.name, j.email_override, COALESCE(j.nix_expr_input, 'flake')
            FROM notification_deliveries d
            JOIN notification_sinks s ON s.id = d.sink_id
            JOIN notification_events e ON e.id = d.event_id
            JOIN jobsets j ON j.id = e.jobset_id
            JOIN projects p ON p.id = j.project_id
            WHERE d.id = @id
            """, connection))
        {
            command.Parameters.AddWithValue("id", deliveryId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }
            using var settings = JsonDocument.Parse(reader.GetString(3));
            buildId = reader.IsDBNull(10) ? null : reader.GetInt64(10);
            context = new DeliveryContext
            {
                DeliveryId = deliveryId,
                Attempt = attempt,
                Sink = new SinkSettings(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), settings.RootElement.Clone()),
                Event = new NotificationEvent(reader.GetInt64(4), reader.GetString(5), reader.GetFieldValue<DateTimeOffset>(6),
                    reader.IsDBNull(7) ? null : reader.GetInt32(7), reader.IsDBNull(8) ? null : reader.GetString(8)),
                EvaluationId = reader.IsDBNull(9) ? null : reader.GetInt64(9),
                Project = reader.GetString(11),
                Jobset = reader.GetString(12),
                EmailOverride = reader.GetString(13),
                NixExprInput = reader.GetString(14),
                BaseUrl = options.Value.BaseUrl.TrimEnd('/'),
            };
        }
        if (buildId is { } id)
        {
            context = await WithBuildAsync(connection, context, id, cancellationToken);
        }
        if (context.EvaluationId is { } evaluationId)
        {
            context = context with { Inputs = await InputsAsync(connection, evaluationId, cancellationToken) };
            if (context.Event.Kind == NotificationEventKinds.EvaluationCompleted)
            {
                context = context with { Jobs = await JobsAsync(connection, evaluationId, cancellationToken) };
            }
        }
        return context;
    }

    private static async Task<DeliveryContext> WithBuildAsync(NpgsqlConnection connection, DeliveryContext context, long buildId, CancellationToken cancellationToken)
    {
        var outputs = new List<(string, string)>();
        await using (var command = new NpgsqlCommand("SELECT name, path FROM build_outputs WHERE build_id = @id ORDER BY name", connection))
        {
            command.Parameters.AddWithValue("id", buildId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                outputs.Add((reader.GetString(0), reader.GetString(1)));
            }
        }
        await using var build = new NpgsqlCommand(
            """
            SELECT b.job, b.nix_name, b.drv_path, b.system, b.finished, b.build_status, b.is_cached_build, b.start_time, b.stop_time,
                   b.description, b.maintainers,
                   (SELECT p.build_status FROM builds p
                    WHERE p.jobset_id = b.jobset_id AND p.job = b.job AND p.id < b.id AND p.finished AND p.build_status NOT IN (3, 4)
                    ORDER BY p.id DESC LIMIT 1),
                   (SELECT max(m.evaluation_id) FROM evaluation_members m WHERE m.build_id = b.id)
            FROM builds b WHERE b.id = @id
            """, connection);
        build.Parameters.AddWithValue("id", buildId);
        await using var row = await build.ExecuteReaderAsync(cancellationToken);
        if (!await row.ReadAsync(cancellationToken))
        {
            return context;
        }
        var summary = new BuildSummary(buildId, row.GetString(0), row.GetString(1), row.GetString(2), row.GetString(3), row.GetBoolean(4),
            // A finished event carries the status the build finished with; the build may have been restarted since.
            context.Event.BuildStatus ?? (row.IsDBNull(5) ? null : row.GetInt32(5)), row.GetBoolean(6),
            row.IsDBNull(7) ? null : row.GetFieldValue<DateTimeOffset>(7), row.IsDBNull(8) ? null : row.GetFieldValue<DateTimeOffset>(8),
            row.IsDBNull(9) ? null : row.GetString(9), row.IsDBNull(10) ? null : row.GetString(10), outputs)
        {
            PreviousStatus = row.IsDBNull(11) ? null : row.GetInt32(11),
        };
        return context with { Build = summary, EvaluationId = context.EvaluationId ?? (row.IsDBNull(12) ? null : row.GetInt64(12)) };
    }

    private static async Task<IReadOnlyList<EvaluationInputInfo>> InputsAsync(NpgsqlConnection connection, long evaluationId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT name, type, uri, revision FROM evaluation_inputs WHERE evaluation_id = @id ORDER BY name", connection);
        command.Parameters.AddWithValue("id", evaluationId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var inputs = new List<EvaluationInputInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            inputs.Add(new EvaluationInputInfo(reader.GetString(0), reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
        }
        return inputs;
    }

    private static async Task<IReadOnlyList<JobResult>> JobsAsync(NpgsqlConnection connection, long evaluationId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT b.id, b.job, b.finished, b.build_status FROM evaluation_members m JOIN builds b ON b.id = m.build_id
            WHERE m.evaluation_id = @id ORDER BY b.job, b.id
            """, connection);
        command.Parameters.AddWithValue("id", evaluationId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var jobs = new List<JobResult>();
        while (await reader.ReadAsync(cancellationToken))
        {
            jobs.Add(new JobResult(reader.GetInt64(0), reader.GetString(1), reader.GetBoolean(2), reader.IsDBNull(3) ? null : reader.GetInt32(3)));
        }
        return jobs;
    }
}
