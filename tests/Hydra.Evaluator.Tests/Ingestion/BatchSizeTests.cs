using Hydra.Testing;

namespace Hydra.Evaluator.Tests.Ingestion;

/// <summary>Batching is an implementation detail: one build per batch must give the same rows as one batch for all.</summary>
public sealed class BatchSizeTests
{
    [Fact]
    public async Task A_batch_size_smaller_than_the_job_count_gives_identical_rows()
    {
        var salt = Guid.NewGuid().ToString("N");
        string[] derivations =
        [
            NixJobs.Drv("b1", salt), NixJobs.Drv("b2", salt), NixJobs.Drv("b3", salt),
            NixJobs.Drv("j1", salt, "b1", "b2"), NixJobs.Drv("j2", salt, "b2", "b3"), NixJobs.Drv("j3", salt, "b1", "b3"),
            NixJobs.Drv("j4", salt, "j1", "b3"), NixJobs.Drv("cached", salt, "b1"), NixJobs.Drv("all", salt, "j1", "j2"),
        ];
        var jobs = await NixJobs.InstantiateAsync(derivations, "j1", "j2", "j3", "j4", "cached", "b2", "all");
        jobs[6] = jobs[6] with { Constituents = ["j1", "j2"], SchedulingPriority = 200 };

        var oneBatch = await SnapshotAsync(jobs, batchSize: 1000);
        var perBuild = await SnapshotAsync(jobs, batchSize: 1);

        Assert.Equal(oneBatch, perBuild);
        Assert.Equal("steps: 8", oneBatch[0]);
    }

    /// <summary>Ingests into a fresh database and describes every row by derivation and job names, not ids.</summary>
    private static async Task<List<string>> SnapshotAsync(List<Hydra.Evaluator.Nix.EvaluatedJob> jobs, int batchSize)
    {
        var connectionString = await TestDatabase.CreateAsync();
        try
        {
            await using var harness = new IngestionHarness(connectionString, batchSize);
            harness.FakeInCache(jobs[4].Outputs["out"]);
            var jobset = await harness.CreateJobsetAsync();
            await harness.IngestAsync(jobset, jobs);
            await harness.IngestAsync(jobset, jobs.Take(5));
            var lines = new List<string> { $"steps: {await harness.ScalarAsync<long>("SELECT count(*) FROM steps")}" };
            string[] queries =
            [
                "SELECT drv_path, state, local_priority, output_paths FROM steps",
                "SELECT s.drv_path, d.drv_path FROM step_dependencies e JOIN steps s ON s.id = e.step_id JOIN steps d ON d.id = e.depends_on_id",
                "SELECT b.job, b.drv_path, t.drv_path, b.finished, b.build_status, b.is_cached_build, b.priority, b.is_current FROM builds b LEFT JOIN steps t ON t.id = b.top_step_id",
                "SELECT b.job, o.name, o.path FROM build_outputs o JOIN builds b ON b.id = o.build_id",
                "SELECT b.job, s.drv_path FROM build_steps x JOIN builds b ON b.id = x.build_id JOIN steps s ON s.id = x.step_id",
                "SELECT e.nr_builds, e.has_new_builds, b.job, m.is_new FROM evaluation_members m JOIN evaluations e ON e.id = m.evaluation_id JOIN builds b ON b.id = m.build_id",
                "SELECT a.job, c.job FROM aggregate_constituents l JOIN builds a ON a.id = l.aggregate_id JOIN builds c ON c.id = l.constituent_id",
            ];
            foreach (var query in queries)
            {
                lines.AddRange((await harness.RowsAsync(query)).Select(r => string.Join(" | ", r.Select(Format))).Order(StringComparer.Ordinal));
            }
            return lines;
        }
        finally
        {
            await TestDatabase.DropAsync(connectionString);
        }
    }

    private static string Format(object value) => value is string[] array ? string.Join(",", array) : value.ToString() ?? "";
}
