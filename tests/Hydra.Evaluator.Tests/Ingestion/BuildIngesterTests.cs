using Hydra.Testing;
using Npgsql;

namespace Hydra.Evaluator.Tests.Ingestion;

/// <summary>Ingestion against real PostgreSQL and real .drv files. Each test uses its own jobset and salt.</summary>
public sealed class BuildIngesterTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    private static string Salt() => Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Job_meta_is_stored_on_the_build_and_shared_steps_take_the_highest_priority()
    {
        await using var harness = new IngestionHarness(database.ConnectionString);
        var salt = Salt();
        var jobs = await NixJobs.InstantiateAsync([NixJobs.Drv("base", salt), NixJobs.Drv("low", salt, "base"), NixJobs.Drv("high", salt, "base")], "low", "high");
        jobs[0] = jobs[0] with { License = "mit, gpl3", Homepage = "https://example.org", Maintainers = "a@example.org", SchedulingPriority = 50, Timeout = 600, MaxSilent = 60, IsChannel = true };
        jobs[1] = jobs[1] with { SchedulingPriority = 300 };
        var jobset = await harness.CreateJobsetAsync();

        await harness.IngestAsync(jobset, jobs);

        var low = (await harness.RowsAsync(
            "SELECT license, homepage, maintainers, priority, timeout, max_silent, is_channel, is_current FROM builds WHERE jobset_id = @j AND job = 'low'",
            ("j", jobset))).Single();
        Assert.Equal(["mit, gpl3", "https://example.org", "a@example.org", 50, 600, 60, true, true], low);
        var high = (await harness.RowsAsync("SELECT license, timeout, is_channel, priority FROM builds WHERE jobset_id = @j AND job = 'high'", ("j", jobset))).Single();
        Assert.Equal([DBNull.Value, DBNull.Value, false, 300], high);
        var priorities = (await harness.RowsAsync("SELECT drv_path, local_priority FROM steps")).ToDictionary(r => (string)r[0], r => (int)r[1]);
        Assert.Equal(50, priorities[jobs[0].DrvPath]);
        Assert.Equal(300, priorities[jobs[1].DrvPath]);
        var baseDrv = (await NixJobs.InstantiateAsync([NixJobs.Drv("base", salt)], "base"))[0].DrvPath;
        Assert.Equal(300, priorities[baseDrv]);
    }

    [Fact]
    public async Task A_batch_whose_push_fails_commits_nothing_and_the_next_ingestion_writes_it()
    {
        await using var harness = new IngestionHarness(database.ConnectionString);
        var jobs = await NixJobs.InstantiateAsync([NixJobs.Drv("base", Salt()), NixJobs.Drv("top", Salt(), "base")], "top");
        var jobset = await harness.CreateJobsetAsync();
        // A file where the cache's nar directory belongs: the push fails for real, while the batch's statements run.
        var nar = Path.Combine(harness.Hydra.CacheDir, "nar");
        await File.WriteAllTextAsync(nar, "not a directory");

        await Assert.ThrowsAnyAsync<IOException>(() => harness.IngestAsync(jobset, jobs));

        Assert.Equal(0L, await harness.ScalarAsync<long>("SELECT count(*) FROM builds WHERE jobset_id = @j", ("j", jobset)));
        Assert.Equal(0L, await harness.ScalarAsync<long>("SELECT count(*) FROM steps WHERE drv_path = @d", ("d", jobs[0].DrvPath)));
        File.Delete(nar);
        var result = await harness.IngestAsync(jobset, jobs);
        Assert.Equal((1, 2), (result.NewBuilds, result.NewSteps));
        Assert.True(await harness.Pusher.CacheHasAsync(jobs[0].DrvPath, default));
    }

    [Fact]
    public async Task An_unchanged_job_reuses_its_previous_build()
    {
        await using var harness = new IngestionHarness(database.ConnectionString);
        var jobs = await NixJobs.InstantiateAsync([NixJobs.Drv("a", Salt()), NixJobs.Drv("b", Salt())], "a", "b");
        var jobset = await harness.CreateJobsetAsync();

        var first = await harness.IngestAsync(jobset, jobs);
        var second = await harness.IngestAsync(jobset, jobs);

        Assert.Equal((2, 0, 2), (first.NewBuilds, first.ReusedBuilds, first.NewSteps));
        Assert.Equal((0, 2, 0), (second.NewBuilds, second.ReusedBuilds, second.NewSteps));
        Assert.Equal(2L, await harness.ScalarAsync<long>("SELECT count(*) FROM builds WHERE jobset_id = @j", ("j", jobset)));
        var members = await harness.RowsAsync(
            "SELECT m.is_new, e.nr_builds, e.has_new_builds FROM evaluation_members m JOIN evaluations e ON e.id = m.evaluation_id WHERE e.id = @e",
            ("e", second.EvaluationId));
        Assert.All(members, m => Assert.Equal([false, 2, false], m));
        Assert.True(await harness.ScalarAsync<bool>("SELECT has_new_builds FROM evaluations WHERE id = @e", ("e", first.EvaluationId)));
    }

    [Fact]
    public async Task A_job_whose_outputs_are_in_the_cache_finishes_at_once_as_a_cached_success()
    {
        await using var harness = new IngestionHarness(database.ConnectionString);
        var jobs = await NixJobs.InstantiateAsync([NixJobs.Drv("cached", Salt())], "cached");
        harness.FakeInCache(jobs[0].Outputs["out"]);
        var jobset = await harness.CreateJobsetAsync();

        var result = await harness.IngestAsync(jobset, jobs);

        Assert.Equal(0, result.NewSteps);
        var build = (await harness.RowsAsync(
            "SELECT finished, build_status, is_cached_build, top_step_id IS NULL, stop_time IS NOT NULL FROM builds WHERE jobset_id = @j", ("j", jobset))).Single();
        Assert.Equal([true, 0, true, true, true], build);
        Assert.Equal(0L, await harness.ScalarAsync<long>("SELECT count(*) FROM steps WHERE drv_path = @d", ("d", jobs[0].DrvPath)));
        Assert.Equal(["out"], (await harness.RowsAsync("SELECT name FROM build_outputs WHERE build_id = (SELECT id FROM builds WHERE jobset_id = @j)", ("j", jobset))).Select(r => (string)r[0]));
    }

    [Fact]
    public async Task Steps_are_shared_between_jobs_and_between_evaluations_of_different_jobsets()
    {
        await using var harness = new IngestionHarness(database.ConnectionString);
        var salt = Salt();
        string[] derivations = [NixJobs.Drv("base", salt), NixJobs.Drv("one", salt, "base"), NixJobs.Drv("two", salt, "base")];
        var jobs = await NixJobs.InstantiateAsync(derivations, "one", "two", "base");
        var (first, second) = (await harness.CreateJobsetAsync(), await harness.CreateJobsetAsync());

        var a = await harness.IngestAsync(first, jobs);
        var b = await harness.IngestAsync(second, jobs.Take(1));

        Assert.Equal(3, a.NewSteps);
        Assert.Equal(0, b.NewSteps);
        Assert.Equal(1L, await harness.ScalarAsync<long>("SELECT count(*) FROM steps WHERE drv_path = @d", ("d", jobs[2].DrvPath)));
        // Every build of both jobsets that needs base links the same step.
        Assert.Equal(1L, await harness.ScalarAsync<long>(
            "SELECT count(DISTINCT bs.step_id) FROM build_steps bs JOIN steps s ON s.id = bs.step_id WHERE s.drv_path = @d", ("d", jobs[2].DrvPath)));
        Assert.Equal(4L, await harness.ScalarAsync<long>(
            "SELECT count(*) FROM build_steps bs JOIN steps s ON s.id = bs.step_id WHERE s.drv_path = @d", ("d", jobs[2].DrvPath)));
    }

    [Fact]
    public async Task Dependencies_point_only_at_planned_steps()
    {
        await using var harness = new IngestionHarness(database.ConnectionString);
        var salt = Salt();
        var all = await NixJobs.InstantiateAsync([NixJobs.Drv("dep", salt), NixJobs.Drv("built", salt), NixJobs.Drv("app", salt, "dep", "built")], "dep", "built", "app");
        harness.FakeInCache(all[0].Outputs["out"]);
        var jobset = await harness.CreateJobsetAsync();

        var result = await harness.IngestAsync(jobset, [all[2]]);

        Assert.Equal(2, result.NewSteps);
        Assert.Equal(0L, await harness.ScalarAsync<long>("SELECT count(*) FROM steps WHERE drv_path = @d", ("d", all[0].DrvPath)));
        var edges = await harness.RowsAsync(
            "SELECT s.drv_path, d.drv_path FROM step_dependencies e JOIN steps s ON s.id = e.step_id JOIN steps d ON d.id = e.depends_on_id WHERE s.drv_path = @a",
            ("a", all[2].DrvPath));
        Assert.Equal([all[2].DrvPath, all[1].DrvPath], edges.Single());
    }

    [Fact]
    public async Task New_steps_become_runnable_only_when_their_dependencies_have_succeeded_and_claimers_are_woken()
    {
        await using var harness = new IngestionHarness(database.ConnectionString);
        var salt = Salt();
        var jobs = await NixJobs.InstantiateAsync([NixJobs.Drv("leaf", salt), NixJobs.Drv("top", salt, "leaf")], "top", "leaf");
        var jobset = await harness.CreateJobsetAsync();
        await using var listener = await harness.DataSource.OpenConnectionAsync();
        var notified = new TaskCompletionSource();
        listener.Notification += (_, e) => { if (e.Channel == "hydra_steps_runnable") { notified.TrySetResult(); } };
        await using (var listen = new NpgsqlCommand("LISTEN hydra_steps_runnable", listener))
        {
            await listen.ExecuteNonQueryAsync();
        }

        await harness.IngestAsync(jobset, jobs);

        var states = (await harness.RowsAsync("SELECT drv_path, state FROM steps WHERE drv_path = ANY(@d)", ("d", jobs.Select(j => j.DrvPath).ToArray())))
            .ToDictionary(r => (string)r[0], r => (short)r[1]);
        Assert.Equal(0, states[jobs[0].DrvPath]);
        Assert.Equal(1, states[jobs[1].DrvPath]);
        while (!notified.Task.IsCompleted)
        {
            await listener.WaitAsync();
        }
        // Every derivation's .drv closure is in the cache for the builders.
        foreach (var job in jobs)
        {
            Assert.True(await harness.Pusher.CacheHasAsync(job.DrvPath, default));
        }
    }

    [Fact]
    public async Task Is_current_moves_to_the_latest_evaluations_builds()
    {
        await using var harness = new IngestionHarness(database.ConnectionString);
        var (saltA, saltB1, saltB2) = (Salt(), Salt(), Salt());
        var first = await NixJobs.InstantiateAsync([NixJobs.Drv("a", saltA), NixJobs.Drv("b", saltB1), NixJobs.Drv("gone", saltB1)], "a", "b", "gone");
        var second = await NixJobs.InstantiateAsync([NixJobs.Drv("a", saltA), NixJobs.Drv("b", saltB2)], "a", "b");
        var jobset = await harness.CreateJobsetAsync();

        await harness.IngestAsync(jobset, first);
        var afterFirst = await CurrentAsync(harness, jobset);
        await harness.IngestAsync(jobset, second);
        var afterSecond = await CurrentAsync(harness, jobset);

        Assert.Equal(["a", "b", "gone"], afterFirst.Where(b => b.Current).Select(b => b.Job).Order());
        Assert.Equal(["a", "b"], afterSecond.Where(b => b.Current).Select(b => b.Job).Order());
        Assert.Equal(afterFirst.Single(b => b.Job == "a").Id, afterSecond.Single(b => b.Job == "a" && b.Current).Id);
        Assert.Equal(2, afterSecond.Count(b => !b.Current));
    }

    [Fact]
    public async Task Aggregate_constituents_link_the_aggregate_build_to_its_constituents()
    {
        await using var harness = new IngestionHarness(database.ConnectionString);
        var salt = Salt();
        var jobs = await NixJobs.InstantiateAsync([NixJobs.Drv("x", salt), NixJobs.Drv("y", salt), NixJobs.Drv("all", salt, "x", "y")], "x", "y", "all");
        jobs[2] = jobs[2] with { Constituents = ["x", "y", "failed-job"] };
        var jobset = await harness.CreateJobsetAsync();

        await harness.IngestAsync(jobset, jobs);

        var links = await harness.RowsAsync(
            "SELECT a.job, c.job FROM aggregate_constituents l JOIN builds a ON a.id = l.aggregate_id JOIN builds c ON c.id = l.constituent_id WHERE a.jobset_id = @j ORDER BY 2",
            ("j", jobset));
        Assert.Equal([["all", "x"], ["all", "y"]], links);
    }

    [Fact]
    public async Task An_ingestion_stopped_between_batches_leaves_no_step_without_a_build_and_a_retry_resumes_it()
    {
        await using var harness = new IngestionHarness(database.ConnectionString, batchSize: 1);
        var salt = Salt();
        var jobs = await NixJobs.InstantiateAsync([NixJobs.Drv("p", salt), NixJobs.Drv("q", salt, "p"), NixJobs.Drv("r", salt, "p")], "q", "r");
        var jobset = await harness.CreateJobsetAsync();
        using var stop = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            harness.IngestAsync(jobset, jobs, new StopAfterFirstBatch(stop), stop.Token));

        Assert.Equal(0L, await harness.ScalarAsync<long>("SELECT count(*) FROM evaluations WHERE jobset_id = @j", ("j", jobset)));
        Assert.Equal(1L, await harness.ScalarAsync<long>("SELECT count(*) FROM builds WHERE jobset_id = @j", ("j", jobset)));
        Assert.Equal(0L, await harness.ScalarAsync<long>(
            "SELECT count(*) FROM steps s WHERE drv_path = ANY(@d) AND NOT EXISTS (SELECT 1 FROM build_steps b WHERE b.step_id = s.id)",
            ("d", jobs.Select(j => j.DrvPath).ToArray())));
        Assert.Equal(0L, await harness.ScalarAsync<long>("SELECT count(*) FROM steps WHERE state = 1 AND drv_path = ANY(@d)", ("d", jobs.Select(j => j.DrvPath).ToArray())));

        var retry = await harness.IngestAsync(jobset, jobs);

        Assert.Equal((1, 1), (retry.NewBuilds, retry.ReusedBuilds));
        Assert.Equal(2L, await harness.ScalarAsync<long>("SELECT count(*) FROM evaluation_members WHERE evaluation_id = @e", ("e", retry.EvaluationId)));
        var p = (await NixJobs.InstantiateAsync([NixJobs.Drv("p", salt)], "p"))[0].DrvPath;
        Assert.Equal((short)1, await harness.ScalarAsync<short>("SELECT state FROM steps WHERE drv_path = @d", ("d", p)));
    }

    private static async Task<List<(long Id, string Job, bool Current)>> CurrentAsync(IngestionHarness harness, long jobset) =>
        (await harness.RowsAsync("SELECT id, job, is_current FROM builds WHERE jobset_id = @j", ("j", jobset)))
        .Select(r => ((long)r[0], (string)r[1], (bool)r[2])).ToList();

    /// <summary>Cancels the ingestion as soon as its first batch has committed.</summary>
    private sealed class StopAfterFirstBatch(CancellationTokenSource stop) : IProgress<string>
    {
        public void Report(string value)
        {
            if (value.StartsWith("batch 1:", StringComparison.Ordinal))
            {
                stop.Cancel();
            }
        }
    }
}
