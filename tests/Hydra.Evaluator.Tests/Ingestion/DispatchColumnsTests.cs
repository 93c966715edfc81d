using Hydra.Testing;

namespace Hydra.Evaluator.Tests.Ingestion;

/// <summary>What ingestion records for the dispatcher: critical paths, preferLocalBuild, the jobsets needing each step, share buckets.</summary>
public sealed class DispatchColumnsTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task Critical_paths_count_the_longest_chain_of_waiting_steps_even_when_later_batches_deepen_it()
    {
        // One job per batch: each later job puts another step on top of the chain already written.
        await using var harness = new IngestionHarness(database.ConnectionString, batchSize: 1);
        var salt = Guid.NewGuid().ToString("N");
        string[] derivations = [NixJobs.Drv("base", salt), NixJobs.Drv("mid", salt, "base"), NixJobs.Drv("top", salt, "mid"), NixJobs.Drv("side", salt, "base")];
        var jobs = await NixJobs.InstantiateAsync(derivations, "base", "side", "mid", "top");
        var jobset = await harness.CreateJobsetAsync();

        await harness.IngestAsync(jobset, jobs);

        var paths = await CriticalPathsAsync(harness);
        Assert.Equal(3, paths[jobs[0].DrvPath]);
        Assert.Equal(1, paths[jobs[1].DrvPath]);
        Assert.Equal(2, paths[jobs[2].DrvPath]);
        Assert.Equal(1, paths[jobs[3].DrvPath]);
    }

    [Fact]
    public async Task A_step_shared_with_another_jobset_keeps_the_longer_chain_the_lower_share_bucket_and_both_jobsets()
    {
        await using var harness = new IngestionHarness(database.ConnectionString);
        var salt = Guid.NewGuid().ToString("N");
        var shallow = await NixJobs.InstantiateAsync([NixJobs.Drv("base", salt), NixJobs.Drv("one", salt, "base")], "one");
        var deep = await NixJobs.InstantiateAsync(
            [NixJobs.Drv("base", salt), NixJobs.Drv("one", salt, "base"), NixJobs.Drv("two", salt, "one"), NixJobs.Drv("three", salt, "two")], "three");
        var baseDrv = (await NixJobs.InstantiateAsync([NixJobs.Drv("base", salt)], "base"))[0].DrvPath;
        var idle = await harness.CreateJobsetAsync();
        var busy = await harness.CreateJobsetAsync();
        await harness.ScalarAsync<int>(
            "INSERT INTO jobset_shares (jobset_id, seconds, share_used, share_bucket, refreshed_at) VALUES (@j, 7200, 72, 45, now()) RETURNING 0", ("j", busy));

        await harness.IngestAsync(idle, shallow);
        await harness.IngestAsync(busy, deep);

        var paths = await CriticalPathsAsync(harness);
        Assert.Equal(4, paths[baseDrv]);
        Assert.Equal(3, paths[shallow[0].DrvPath]);
        var buckets = (await harness.RowsAsync("SELECT drv_path, share_bucket FROM steps")).ToDictionary(r => (string)r[0], r => (int)r[1]);
        Assert.Equal(0, buckets[baseDrv]);
        Assert.Equal(45, buckets[deep[0].DrvPath]);
        var jobsets = await harness.RowsAsync(
            "SELECT sj.jobset_id FROM step_jobsets sj JOIN steps s ON s.id = sj.step_id WHERE s.drv_path = @d ORDER BY 1", ("d", baseDrv));
        Assert.Equal([idle, busy], jobsets.Select(r => (long)r[0]));
    }

    [Fact]
    public async Task PreferLocalBuild_and_required_features_are_stored_for_matching()
    {
        await using var harness = new IngestionHarness(database.ConnectionString);
        var salt = Guid.NewGuid().ToString("N");
        var local = $$"""
            local = derivation {
                name = "local"; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" "echo > $out" ];
                salt = "{{salt}}"; preferLocalBuild = true; requiredSystemFeatures = [ "kvm" "big-parallel" ];
              };
            """;
        var jobs = await NixJobs.InstantiateAsync([local], "local");
        var jobset = await harness.CreateJobsetAsync();

        await harness.IngestAsync(jobset, jobs);

        var step = (await harness.RowsAsync(
            "SELECT prefer_local_build, required_features, claim_features FROM steps WHERE drv_path = @d", ("d", jobs[0].DrvPath))).Single();
        Assert.True((bool)step[0]);
        Assert.Equal(["kvm", "big-parallel"], (string[])step[1]);
        Assert.Equal(["kvm", "big-parallel", "local"], (string[])step[2]);
    }

    private static async Task<Dictionary<string, int>> CriticalPathsAsync(IngestionHarness harness) =>
        (await harness.RowsAsync("SELECT drv_path, critical_path FROM steps WHERE state < 3")).ToDictionary(r => (string)r[0], r => (int)r[1]);
}
