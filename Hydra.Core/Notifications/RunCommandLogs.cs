using Npgsql;

namespace Hydra.Core.Notifications;

/// <summary>What RunCommand sinks ran for a build (<c>run_command_logs</c>), for the build page.</summary>
public sealed class RunCommandLogs(NpgsqlDataSource dataSource)
{
    public sealed record Entry(long Id, string Command, int? ExitCode, string Output, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt);

    public async Task<IReadOnlyList<Entry>> ForBuildAsync(long buildId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT id, command, exit_code, output, started_at, finished_at FROM run_command_logs WHERE build_id = @id ORDER BY id");
        command.Parameters.AddWithValue("id", buildId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var entries = new List<Entry>();
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new Entry(reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetInt32(2), reader.GetString(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5)));
        }
        return entries;
    }
}
