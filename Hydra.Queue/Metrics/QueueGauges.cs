using Npgsql;

namespace Hydra.Queue.Metrics;

/// <summary>
/// The gauges that live in the database, read when Prometheus scrapes rather than kept up to date on every claim:
/// runnable steps per system (an index-only walk of <c>steps_dispatch</c>) and each worker's slots and busy slots
/// (attempts running under a live lease, through <c>step_attempts_worker_running</c>). One round trip.
/// </summary>
public sealed class QueueGauges(NpgsqlDataSource dataSource, TimeProvider clock)
{
    public async Task WriteToAsync(PrometheusWriter writer, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT system, count(*) FROM steps WHERE state = 1 GROUP BY system ORDER BY system"));
        var workers = new NpgsqlBatchCommand(
            """
            SELECT w.name, w.max_jobs,
                   (SELECT count(*) FROM step_attempts a WHERE a.worker_id = w.id AND a.state = 0 AND a.lease_expires_at > @now)
            FROM workers w WHERE w.enabled ORDER BY w.name
            """);
        workers.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", clock.GetUtcNow()));
        batch.BatchCommands.Add(workers);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);

        writer.Family("hydra_queue_runnable_steps", "gauge", "Runnable steps (all dependencies built, waiting for a worker), by system.");
        while (await reader.ReadAsync(cancellationToken))
        {
            writer.Sample("hydra_queue_runnable_steps", PrometheusWriter.Label("system", reader.GetString(0)), reader.GetInt64(1));
        }
        await reader.NextResultAsync(cancellationToken);
        var slots = new List<(string Worker, int Slots, long Busy)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            slots.Add((reader.GetString(0), reader.GetInt32(1), reader.GetInt64(2)));
        }
        writer.Family("hydra_worker_slots", "gauge", "Slots (max jobs) each enabled worker last announced.");
        foreach (var (worker, count, _) in slots)
        {
            writer.Sample("hydra_worker_slots", PrometheusWriter.Label("worker", worker), count);
        }
        writer.Family("hydra_worker_slots_busy", "gauge", "Steps each enabled worker is building under a live lease.");
        foreach (var (worker, _, busy) in slots)
        {
            writer.Sample("hydra_worker_slots_busy", PrometheusWriter.Label("worker", worker), busy);
        }
    }
}
