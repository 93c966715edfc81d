using Hydra.Core;
using Hydra.Testing;

namespace Hydra.Queue.Tests.Dispatch;

/// <summary>A step no present worker can build waits <see cref="QueueOptions.MaxUnsupportedTime"/>, then fails with status 9.</summary>
public sealed class UnsupportedSystemTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task A_step_no_worker_can_build_fails_as_unsupported_after_the_timeout_with_its_builds_and_dependents()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var x86 = DispatchSeed.UniqueSystem();
        var arm = DispatchSeed.UniqueSystem();
        await queue.AddSeenWorkerAsync([x86]);
        var armStep = await queue.AddStepAsync("arm-only", arm);
        var x86Step = await queue.AddStepAsync("x86", x86);
        var dependent = await queue.AddStepAsync("needs-arm", x86, armStep);
        var armBuild = await queue.AddBuildAsync(armStep);
        var dependentBuild = await queue.AddBuildAsync(dependent, armStep);
        var x86Build = await queue.AddBuildAsync(x86Step);

        // Other tests' leftovers share this database, so the checks look at this test's rows, not at counts.
        await queue.Maintenance.FailUnsupportedStepsAsync(CancellationToken.None);
        Assert.Equal(queue.Clock.GetUtcNow().UtcDateTime, await queue.StepColumnAsync<DateTime>(armStep, "unsupported_since"));
        Assert.True(await queue.ScalarAsync<bool>($"SELECT unsupported_since IS NULL FROM steps WHERE id = {x86Step}"));

        queue.Clock.Advance(queue.QueueOptions.MaxUnsupportedTime - TimeSpan.FromMinutes(1));
        await queue.ExecuteAsync($"UPDATE workers SET last_seen_at = '{queue.Clock.GetUtcNow():O}'");
        await queue.Maintenance.FailUnsupportedStepsAsync(CancellationToken.None);
        Assert.False(await queue.BuildColumnAsync<bool>(armBuild, "finished"));
        Assert.Equal(1, await queue.StepColumnAsync<short>(armStep, "state"));

        queue.Clock.Advance(TimeSpan.FromMinutes(2));
        await queue.ExecuteAsync($"UPDATE workers SET last_seen_at = '{queue.Clock.GetUtcNow():O}'");
        Assert.True(await queue.Maintenance.FailUnsupportedStepsAsync(CancellationToken.None) >= 1);

        Assert.Equal(BuildStatus.UnsupportedSystem, await queue.StepColumnAsync<int>(armStep, "status"));
        Assert.Equal(BuildStatus.UnsupportedSystem, await queue.BuildColumnAsync<int>(armBuild, "build_status"));
        Assert.Equal(BuildStatus.DependencyFailed, await queue.StepColumnAsync<int>(dependent, "status"));
        Assert.Equal(BuildStatus.DependencyFailed, await queue.BuildColumnAsync<int>(dependentBuild, "build_status"));
        Assert.False(await queue.BuildColumnAsync<bool>(x86Build, "finished"));
        Assert.Equal(1, await queue.StepColumnAsync<short>(x86Step, "state"));
    }

    [Fact]
    public async Task A_worker_that_turns_up_in_time_clears_the_mark()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var system = DispatchSeed.UniqueSystem();
        var step = await queue.AddStepAsync("waits", system);
        await queue.Maintenance.FailUnsupportedStepsAsync(CancellationToken.None);
        Assert.Equal(queue.Clock.GetUtcNow().UtcDateTime, await queue.StepColumnAsync<DateTime>(step, "unsupported_since"));

        queue.Clock.Advance(TimeSpan.FromMinutes(30));
        await queue.AddSeenWorkerAsync([system]);
        await queue.Maintenance.FailUnsupportedStepsAsync(CancellationToken.None);
        Assert.True(await queue.ScalarAsync<bool>($"SELECT unsupported_since IS NULL FROM steps WHERE id = {step}"));

        // The worker goes away (not seen for longer than WorkerSeenWithin): the wait starts over.
        queue.Clock.Advance(queue.QueueOptions.WorkerSeenWithin + TimeSpan.FromMinutes(1));
        await queue.Maintenance.FailUnsupportedStepsAsync(CancellationToken.None);
        queue.Clock.Advance(queue.QueueOptions.MaxUnsupportedTime - TimeSpan.FromMinutes(1));
        await queue.Maintenance.FailUnsupportedStepsAsync(CancellationToken.None);
        Assert.Equal(1, await queue.StepColumnAsync<short>(step, "state"));
        queue.Clock.Advance(TimeSpan.FromMinutes(2));
        await queue.Maintenance.FailUnsupportedStepsAsync(CancellationToken.None);
        Assert.Equal(BuildStatus.UnsupportedSystem, await queue.StepColumnAsync<int>(step, "status"));
    }

    [Fact]
    public async Task Features_count_a_step_needing_one_no_worker_has_is_unsupported()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var system = DispatchSeed.UniqueSystem();
        await queue.AddSeenWorkerAsync([system], features: ["big-parallel"]);
        await queue.AddSeenWorkerAsync([system], mandatory: ["benchmark"]);
        var kvm = await queue.AddRunnableAsync(system, "required_features = '{kvm}'");
        var bigParallel = await queue.AddRunnableAsync(system, "required_features = '{big-parallel}'");
        var benchmark = await queue.AddRunnableAsync(system, "required_features = '{benchmark}'");

        await queue.Maintenance.FailUnsupportedStepsAsync(CancellationToken.None);

        Assert.False(await queue.ScalarAsync<bool>($"SELECT unsupported_since IS NULL FROM steps WHERE id = {kvm}"));
        Assert.True(await queue.ScalarAsync<bool>($"SELECT unsupported_since IS NULL FROM steps WHERE id = {bigParallel}"));
        Assert.True(await queue.ScalarAsync<bool>($"SELECT unsupported_since IS NULL FROM steps WHERE id = {benchmark}"));
    }
}
