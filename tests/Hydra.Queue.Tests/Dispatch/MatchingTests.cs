using Hydra.Core.Protocol;
using Hydra.Testing;

namespace Hydra.Queue.Tests.Dispatch;

/// <summary>Which worker may take which step: systems, supported and mandatory features, preferLocalBuild, slots, speed.</summary>
public sealed class MatchingTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    private readonly string _system = DispatchSeed.UniqueSystem();

    [Fact]
    public async Task A_step_requiring_a_feature_goes_only_to_a_worker_that_supports_it()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var plain = await queue.AddWorkerAsync("plain");
        var kvm = await queue.AddWorkerAsync("kvm");
        var step = await queue.AddRunnableAsync(_system, "required_features = '{kvm,big-parallel}'");

        Assert.Null(await queue.ClaimAsync(plain, new ClaimRequest([_system], [], 0)));
        Assert.Null(await queue.ClaimAsync(plain, new ClaimRequest([_system], ["kvm"], 0)));
        Assert.Equal(step, (await queue.ClaimAsync(kvm, new ClaimRequest([_system], ["big-parallel", "kvm", "nixos-test"], 0)))?.StepId);
    }

    [Fact]
    public async Task A_worker_with_mandatory_features_takes_only_steps_that_require_them()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var benchmarker = await queue.AddWorkerAsync("benchmarker");
        var ordinary = await queue.AddRunnableAsync(_system);
        var benchmark = await queue.AddRunnableAsync(_system, "required_features = '{benchmark}'");
        var request = new ClaimRequest([_system], [], 0, MandatoryFeatures: ["benchmark"]);

        // The mandatory feature counts as supported, and the older ordinary step is passed over.
        Assert.Equal(benchmark, (await queue.ClaimAsync(benchmarker, request))?.StepId);
        Assert.Null(await queue.ClaimAsync(benchmarker, request));
        Assert.Equal(ordinary, (await queue.ClaimAsync(benchmarker, new ClaimRequest([_system], [], 0)))?.StepId);
    }

    [Fact]
    public async Task PreferLocalBuild_steps_meet_a_mandatory_local_feature_and_still_go_to_any_worker()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var local = await queue.AddWorkerAsync("local-only");
        var anyone = await queue.AddWorkerAsync("anyone");
        var remote = await queue.AddRunnableAsync(_system);
        var firstLocal = await queue.AddRunnableAsync(_system, "prefer_local_build = true");
        var secondLocal = await queue.AddRunnableAsync(_system, "prefer_local_build = true");
        var localOnly = new ClaimRequest([_system], [], 0, MandatoryFeatures: ["local"]);

        Assert.Equal(firstLocal, (await queue.ClaimAsync(local, localOnly))?.StepId);
        var any = new ClaimRequest([_system], [], 0);
        Assert.Equal(remote, (await queue.ClaimAsync(anyone, any))?.StepId);
        Assert.Equal(secondLocal, (await queue.ClaimAsync(anyone, any))?.StepId);
        Assert.Null(await queue.ClaimAsync(local, localOnly));
    }

    [Fact]
    public async Task Builtin_derivations_go_to_any_worker()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("builtin");
        var step = await queue.AddRunnableAsync("builtin");

        Assert.Equal(step, (await queue.ClaimAsync(worker, new ClaimRequest([_system], [], 0)))?.StepId);
    }

    [Fact]
    public async Task A_worker_gets_no_more_running_steps_than_its_slots()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("two-slots");
        for (var i = 0; i < 4; i++)
        {
            await queue.AddRunnableAsync(_system);
        }
        var request = new ClaimRequest([_system], [], 0, MaxJobs: 2);

        var first = await queue.ClaimAsync(worker, request);
        Assert.NotNull(await queue.ClaimAsync(worker, request));
        Assert.Null(await queue.ClaimAsync(worker, request));

        await queue.Results.FinishAsync(first!.AttemptId, worker, new FinishRequest(StepOutcome.Succeeded, 0, null, []), CancellationToken.None);
        Assert.NotNull(await queue.ClaimAsync(worker, request));
        Assert.Null(await queue.ClaimAsync(worker, request));

        // A lease that ran out (a builder that died and came back under the same token) no longer holds a slot.
        queue.Clock.Advance(queue.QueueOptions.LeaseDuration + TimeSpan.FromSeconds(1));
        Assert.NotNull(await queue.ClaimAsync(worker, request));
    }

    [Fact]
    public async Task When_several_workers_wait_the_fastest_free_one_gets_the_step()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var dispatcher = queue.Dispatcher();
        var slow = await queue.AddWorkerAsync("slow");
        var fast = await queue.AddWorkerAsync("fast");
        var slowWait = dispatcher.ClaimAsync(new(slow, "slow"), new ClaimRequest([_system], [], 30, SpeedFactor: 1), TimeSpan.FromSeconds(30), CancellationToken.None);
        var fastWait = dispatcher.ClaimAsync(new(fast, "fast"), new ClaimRequest([_system], [], 30, SpeedFactor: 4), TimeSpan.FromSeconds(30), CancellationToken.None);
        await WaitForAsync(() => dispatcher.WaitingCount == 2);

        var step = await queue.AddRunnableAsync(_system);
        await dispatcher.RunRoundAsync(CancellationToken.None);

        Assert.Equal(step, (await fastWait)?.StepId);
        Assert.False(slowWait.IsCompleted);
        var next = await queue.AddRunnableAsync(_system);
        await dispatcher.RunRoundAsync(CancellationToken.None);
        Assert.Equal(next, (await slowWait)?.StepId);
    }

    [Fact]
    public async Task A_fast_worker_with_busy_slots_yields_to_an_idle_slower_one()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var dispatcher = queue.Dispatcher();
        var slow = await queue.AddWorkerAsync("idle-slow");
        var fast = await queue.AddWorkerAsync("busy-fast");
        var fastRequest = new ClaimRequest([_system], [], 30, MaxJobs: 4, SpeedFactor: 2);
        await queue.AddRunnableAsync(_system);
        await queue.AddRunnableAsync(_system);
        await queue.AddRunnableAsync(_system);
        for (var i = 0; i < 3; i++)
        {
            Assert.NotNull(await queue.ClaimAsync(fast, fastRequest));
        }
        // Busy: 3 running / speed 2 rounds to 2, against 0 / 1 for the idle worker.
        var fastWait = dispatcher.ClaimAsync(new(fast, "busy-fast"), fastRequest, TimeSpan.FromSeconds(30), CancellationToken.None);
        var slowWait = dispatcher.ClaimAsync(new(slow, "idle-slow"), new ClaimRequest([_system], [], 30, SpeedFactor: 1), TimeSpan.FromSeconds(30), CancellationToken.None);
        await WaitForAsync(() => dispatcher.WaitingCount == 2);

        var step = await queue.AddRunnableAsync(_system);
        await dispatcher.RunRoundAsync(CancellationToken.None);

        Assert.Equal(step, (await slowWait)?.StepId);
        Assert.False(fastWait.IsCompleted);
    }

    [Fact]
    public async Task A_waiting_claim_that_times_out_returns_nothing_and_leaves_the_queue()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var dispatcher = queue.Dispatcher();
        var worker = await queue.AddWorkerAsync("impatient");

        var claim = await dispatcher.ClaimAsync(new(worker, "impatient"), new ClaimRequest([_system], [], 1), TimeSpan.FromMilliseconds(200), CancellationToken.None);

        Assert.Null(claim);
        Assert.Equal(0, dispatcher.WaitingCount);
        var step = await queue.AddRunnableAsync(_system);
        await dispatcher.RunRoundAsync(CancellationToken.None);
        Assert.Equal(1, await queue.StepColumnAsync<short>(step, "state"));
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }
        Assert.True(condition());
    }
}
