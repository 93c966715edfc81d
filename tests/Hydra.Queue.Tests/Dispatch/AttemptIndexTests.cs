using Hydra.Testing;
using Npgsql;

namespace Hydra.Queue.Tests.Dispatch;

/// <summary>
/// Migration 0016 left step_attempts with fewer indexes (every claim writes one entry per index): the queries over
/// running attempts and over the fair-share window must still be answered through an index on a farm with history.
/// </summary>
public sealed class AttemptIndexTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task Running_attempts_and_the_share_window_are_read_through_indexes_after_a_month_of_history()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("history");
        // A month of finished attempts in start order (as a farm inserts them), and a few running ones.
        await queue.ExecuteAsync(
            $"""
            WITH s AS (
                INSERT INTO steps (drv_path, system, state, status, created_at, finished_at)
                SELECT '/nix/store/history-' || g || '.drv', 'x86_64-linux', 3, 0, now(), now() FROM generate_series(1, 20000) g
                RETURNING id)
            INSERT INTO step_attempts (step_id, worker_id, state, lease_expires_at, started_at, finished_at)
            SELECT id, {worker}, CASE WHEN id % 4000 = 0 THEN 0 ELSE 1 END, now() + interval '1 minute',
                   now() - interval '30 days' + id * interval '2 minutes', now()
            FROM s ORDER BY id;
            ANALYZE steps; ANALYZE step_attempts;
            """);

        await using var connection = await queue.DataSource.OpenConnectionAsync();
        // The claim's slot count, the lease reaper and the machines page: running attempts only.
        var slots = await ExplainAsync(connection, $"SELECT count(*) FROM step_attempts WHERE worker_id = {worker} AND state = 0 AND lease_expires_at > now()");
        var reaper = await ExplainAsync(connection,
            "UPDATE step_attempts a SET state = 3 FROM steps s WHERE a.state = 0 AND a.lease_expires_at < now() AND s.id = a.step_id");
        var machines = await ExplainAsync(connection, "SELECT a.id FROM step_attempts a WHERE a.state = 0 AND a.lease_expires_at > now() ORDER BY a.started_at");
        // The fair-share window (FairShares): the last day of a month.
        var window = await ExplainAsync(connection, "SELECT sum(extract(epoch FROM finished_at - started_at)) FROM step_attempts WHERE started_at >= now() - interval '1 day'");

        Assert.All([slots, reaper, machines], plan => Assert.Contains("step_attempts_worker_running", plan, StringComparison.Ordinal));
        Assert.Contains("step_attempts_started", window, StringComparison.Ordinal);
        Assert.All([slots, reaper, machines, window], plan => Assert.DoesNotContain("Seq Scan on step_attempts", plan, StringComparison.Ordinal));
    }

    private static async Task<string> ExplainAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand("EXPLAIN " + sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }
        return string.Join('\n', lines);
    }
}
