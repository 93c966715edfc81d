using Hydra.Testing;

namespace Hydra.Evaluator.Tests.Ingestion;

/// <summary>Derivations in the failure cache are not queued again: their new builds finish at once.</summary>
public sealed class CachedFailureTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task A_build_of_a_derivation_that_failed_before_finishes_at_once_as_a_cached_failure()
    {
        await using var harness = new IngestionHarness(database.ConnectionString);
        var salt = Guid.NewGuid().ToString("N");
        var jobs = await NixJobs.InstantiateAsync(
            [NixJobs.Drv("broken", salt), NixJobs.Drv("needs_broken", salt, "broken"), NixJobs.Drv("fine", salt)],
            "broken", "needs_broken", "fine");
        await harness.ScalarAsync<int>("INSERT INTO failed_derivations (drv_path, failed_at) VALUES (@d, now()) RETURNING 1", ("d", jobs[0].DrvPath));
        var jobset = await harness.CreateJobsetAsync();

        await harness.IngestAsync(jobset, jobs);

        var builds = (await harness.RowsAsync(
                "SELECT job, finished, build_status, is_cached_build, stop_time IS NOT NULL FROM builds WHERE jobset_id = @j", ("j", jobset)))
            .ToDictionary(r => (string)r[0], r => r[1..]);
        Assert.Equal([true, 1, true, true], builds["broken"]);
        Assert.Equal([true, 2, true, true], builds["needs_broken"]);
        Assert.Equal([false, DBNull.Value, false, false], builds["fine"]);
        var steps = (await harness.RowsAsync("SELECT drv_path, state, status FROM steps WHERE drv_path = ANY(@d)", ("d", jobs.Select(j => j.DrvPath).ToArray())))
            .ToDictionary(r => (string)r[0], r => r[1..]);
        Assert.Equal([(short)4, 8], steps[jobs[0].DrvPath]);
        Assert.Equal([(short)4, 2], steps[jobs[1].DrvPath]);
        Assert.Equal([(short)1, DBNull.Value], steps[jobs[2].DrvPath]);
    }

    [Fact]
    public async Task Once_the_failure_cache_is_cleared_the_derivation_is_queued_again()
    {
        await using var harness = new IngestionHarness(database.ConnectionString);
        var jobs = await NixJobs.InstantiateAsync([NixJobs.Drv("retry_me", Guid.NewGuid().ToString("N"))], "retry_me");
        await harness.ScalarAsync<int>("INSERT INTO failed_derivations (drv_path, failed_at) VALUES (@d, now()) RETURNING 1", ("d", jobs[0].DrvPath));
        await harness.IngestAsync(await harness.CreateJobsetAsync(), jobs);
        await harness.ScalarAsync<int>("WITH d AS (DELETE FROM failed_derivations WHERE drv_path = @d RETURNING 1) SELECT 1", ("d", jobs[0].DrvPath));
        var jobset = await harness.CreateJobsetAsync();

        await harness.IngestAsync(jobset, jobs);

        Assert.False(await harness.ScalarAsync<bool>("SELECT finished FROM builds WHERE jobset_id = @j", ("j", jobset)));
        Assert.Equal((short)1, await harness.ScalarAsync<short>(
            "SELECT s.state FROM builds b JOIN steps s ON s.id = b.top_step_id WHERE b.jobset_id = @j", ("j", jobset)));
    }
}
