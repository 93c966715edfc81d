using System.Text.Json;
using Npgsql;

namespace Hydra.Web.Pages.Admin;

/// <summary>Loads <see cref="BackgroundWork"/>: counts over partial indexes and the small tables, one round trip.</summary>
internal static class BackgroundWorkQuery
{
    /// <summary>A worker seen this recently counts as online (workers call at least every heartbeat).</summary>
    public static readonly TimeSpan OnlineWindow = TimeSpan.FromMinutes(5);

    private const int RecentErrors = 10;

    public static async Task<BackgroundWork> LoadAsync(NpgsqlDataSource db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand($"""
            SELECT
                (SELECT count(*)::int FROM jobsets WHERE eval_started_at IS NOT NULL),
                (SELECT count(*)::int FROM jobsets WHERE trigger_time IS NOT NULL AND eval_started_at IS NULL),
                (SELECT max(last_checked_at) FROM jobsets),
                (SELECT created_at FROM evaluations ORDER BY id DESC LIMIT 1),
                (SELECT count(*)::int FROM jobsets WHERE error_message IS NOT NULL),
                (SELECT count(*)::int FROM steps WHERE state = 1),
                (SELECT count(*)::int FROM steps WHERE state = 1 AND unsupported_since IS NOT NULL),
                (SELECT count(*)::int FROM step_attempts WHERE state = 0),
                (SELECT count(*)::int FROM step_attempts WHERE state = 0 AND lease_expires_at < $1),
                (SELECT min(lease_expires_at) FROM step_attempts WHERE state = 0 AND lease_expires_at < $1),
                (SELECT count(*)::int FROM failed_derivations),
                (SELECT count(*)::int FROM workers WHERE enabled AND last_seen_at > $2),
                (SELECT coalesce(json_agg(e), '[]')::text FROM (
                    SELECT p.name AS project, j.name AS jobset, j.error_time AS time, split_part(j.error_message, E'\n', 1) AS message
                    FROM jobsets j JOIN projects p ON p.id = j.project_id
                    WHERE j.error_message IS NOT NULL ORDER BY j.error_time DESC NULLS LAST, j.id LIMIT {RecentErrors}) e)
            """);
        command.Parameters.AddWithValue(now);
        command.Parameters.AddWithValue(now - OnlineWindow);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new BackgroundWork(
            reader.GetInt32(0), reader.GetInt32(1), Time(reader, 2), Time(reader, 3), reader.GetInt32(4), reader.GetInt32(5),
            reader.GetInt32(6), reader.GetInt32(7), reader.GetInt32(8), Time(reader, 9), reader.GetInt32(10), reader.GetInt32(11),
            JsonSerializer.Deserialize<List<BackgroundWork.JobsetError>>(reader.GetString(12), JsonSerializerOptions.Web)!);
    }

    private static DateTimeOffset? Time(NpgsqlDataReader reader, int column) =>
        reader.IsDBNull(column) ? null : reader.GetFieldValue<DateTimeOffset>(column);
}
