using Hydra.Core;
using Hydra.Core.Protocol;
using Hydra.Testing;

namespace Hydra.Queue.Tests;

/// <summary>Products, metrics and release names reported with a success, stored on the builds of the step.</summary>
public sealed class BuildResultTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    private readonly string _system = $"m68k-linux-{Guid.NewGuid():N}";

    [Fact]
    public async Task Products_metrics_and_release_name_go_to_every_build_whose_top_step_it_is_and_hostile_entries_are_dropped()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("w-products");
        var step = await queue.AddStepAsync("release", _system);
        var output = $"/nix/store/{new string('a', 32)}-release-{Guid.NewGuid():N}";
        await queue.ExecuteAsync($"UPDATE steps SET output_paths = ARRAY['{output}'] WHERE id = {step}");
        var dependent = await queue.AddStepAsync("uses-release", _system, step);
        var first = await queue.AddBuildAsync(step);
        var second = await queue.AddBuildAsync(step);
        var downstream = await queue.AddBuildAsync(dependent, step);

        var claim = (await queue.Claimer.TryClaimAsync(worker, "w", new ClaimRequest([_system], [], 0), CancellationToken.None))!;
        // The worker uploads the output after the claim (one already in the cache would never be claimed).
        queue.FakeInCache(output);
        var report = new FinishRequest(StepOutcome.Succeeded, 0, null, [new StepOutputInfo("out", output, "sha256:x", 100)],
            Products:
            [
                new BuildProductInfo("file", "binary-dist", $"{output}/release.tar.gz", "release.tar.gz", "", 42, new string('f', 64)),
                new BuildProductInfo("doc", "manual", $"{output}/share/doc", "doc", "index.html", null, null),
                new BuildProductInfo("file", "evil", "/etc/passwd", "passwd", "", 10, null),
                new BuildProductInfo("file", "evil", $"{output}/../other/x", "x", "", 1, null),
                new BuildProductInfo("file", "<script>", $"{output}/a", "a", "", 1, null),
                new BuildProductInfo("file", "evil", $"{output}/b", "<b>", "", 1, null),
                new BuildProductInfo("file", "evil", $"{output}/c", "c", "", 1, "not-a-hash"),
            ],
            Metrics: [new BuildMetricInfo("time", 1.5, "s"), new BuildMetricInfo("bad name", 1, ""), new BuildMetricInfo("nan", double.NaN, ""), new BuildMetricInfo("size", 7, "<b>")],
            ReleaseName: "release-1.0");
        await queue.Results.FinishAsync(claim.AttemptId, worker, report, CancellationToken.None);

        foreach (var build in new[] { first, second })
        {
            Assert.Equal(BuildStatus.Succeeded, await queue.ScalarAsync<int>($"SELECT build_status FROM builds WHERE id = {build}"));
            Assert.Equal("release-1.0", await queue.ScalarAsync<string>($"SELECT release_name FROM builds WHERE id = {build}"));
            var products = await queue.RowsAsync(
                $"SELECT product_nr, type, subtype, file_size, sha256hash, path, name, default_path FROM build_products WHERE build_id = {build} ORDER BY product_nr");
            Assert.Equal(
                new object[][]
                {
                    [1, "file", "binary-dist", 42L, new string('f', 64), $"{output}/release.tar.gz", "release.tar.gz", ""],
                    [2, "doc", "manual", DBNull.Value, DBNull.Value, $"{output}/share/doc", "doc", "index.html"],
                },
                products);
            var metrics = await queue.RowsAsync($"SELECT name, value, unit, job FROM build_metrics WHERE build_id = {build} ORDER BY name");
            Assert.Equal(new object[][] { ["time", 1.5, "s", $"job{step}"] }, metrics);
        }

        Assert.Equal(0L, await queue.ScalarAsync<long>($"SELECT count(*) FROM build_products WHERE build_id = {downstream}"));
        Assert.Equal(0L, await queue.ScalarAsync<long>($"SELECT count(*) FROM build_metrics WHERE build_id = {downstream}"));
    }

    [Fact]
    public async Task A_release_name_outside_hydras_alphabet_is_not_stored()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("w-release");
        var step = await queue.AddStepAsync("named", _system);
        var build = await queue.AddBuildAsync(step);

        var claim = (await queue.Claimer.TryClaimAsync(worker, "w", new ClaimRequest([_system], [], 0), CancellationToken.None))!;
        await queue.Results.FinishAsync(claim.AttemptId, worker,
            new FinishRequest(StepOutcome.Succeeded, 0, null, [], ReleaseName: "<script>alert(1)</script>"), CancellationToken.None);

        Assert.Equal(BuildStatus.Succeeded, await queue.ScalarAsync<int>($"SELECT build_status FROM builds WHERE id = {build}"));
        Assert.Equal(DBNull.Value, (await queue.RowsAsync($"SELECT release_name FROM builds WHERE id = {build}")).Single()[0]);
    }
}
