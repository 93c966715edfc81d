using Hydra.Core.Protocol;
using Hydra.Testing;

namespace Hydra.Queue.Tests;

/// <summary>The limits a claim hands the worker: the builds' meta where set, else the queue's defaults.</summary>
public sealed class ClaimLimitsTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    private readonly string _system = $"hppa-linux-{Guid.NewGuid():N}";

    [Fact]
    public async Task A_step_without_meta_gets_the_configured_defaults()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        queue.QueueOptions.BuildTimeout = TimeSpan.FromMinutes(30);
        queue.QueueOptions.MaxSilentTime = TimeSpan.FromMinutes(5);
        queue.QueueOptions.MaxLogSize = 1234;
        queue.QueueOptions.MaxOutputSize = 5678;
        var worker = await queue.AddWorkerAsync("w-defaults");
        var step = await queue.AddStepAsync("plain", _system);
        await queue.AddBuildAsync(step);

        var claim = (await queue.Claimer.TryClaimAsync(worker, "w", new ClaimRequest([_system], [], 0), CancellationToken.None))!;

        Assert.Equal(new StepLimits(1800, 300, 1234, 5678), claim.Limits);
    }

    [Fact]
    public async Task A_shared_step_gets_the_longest_limits_any_of_its_builds_asks_for()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        queue.QueueOptions.BuildTimeout = TimeSpan.FromSeconds(100);
        queue.QueueOptions.MaxSilentTime = TimeSpan.FromSeconds(50);
        var worker = await queue.AddWorkerAsync("w-meta");
        var shared = await queue.AddStepAsync("shared", _system);
        var top = await queue.AddStepAsync("top", _system, shared);
        var quick = await queue.AddBuildAsync(shared);
        var slow = await queue.AddBuildAsync(top, shared);
        await queue.ExecuteAsync($"UPDATE builds SET timeout = 20, max_silent = 10 WHERE id = {quick}");
        await queue.ExecuteAsync($"UPDATE builds SET timeout = 7200 WHERE id = {slow}");

        var claim = (await queue.Claimer.TryClaimAsync(worker, "w", new ClaimRequest([_system], [], 0), CancellationToken.None))!;

        Assert.Equal(shared, claim.StepId);
        // 7200 from the slow build's meta; 50 because the slow build has no maxSilent and so takes the default.
        Assert.Equal((7200, 50), (claim.Limits!.TimeoutSeconds, claim.Limits.MaxSilentSeconds));
    }

    [Fact]
    public async Task A_step_of_one_build_gets_that_builds_meta_even_when_shorter_than_the_default()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("w-short");
        var step = await queue.AddStepAsync("short", _system);
        var build = await queue.AddBuildAsync(step);
        await queue.ExecuteAsync($"UPDATE builds SET timeout = 5, max_silent = 3 WHERE id = {build}");

        var claim = (await queue.Claimer.TryClaimAsync(worker, "w", new ClaimRequest([_system], [], 0), CancellationToken.None))!;

        Assert.Equal((5, 3), (claim.Limits!.TimeoutSeconds, claim.Limits.MaxSilentSeconds));
    }
}
