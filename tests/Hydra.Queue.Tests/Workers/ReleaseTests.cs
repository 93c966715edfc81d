using Hydra.Core;
using Hydra.Core.Protocol;
using Hydra.Queue.Tests.Operations;
using Hydra.Queue.Workers;
using Hydra.Testing;

namespace Hydra.Queue.Tests.Workers;

public sealed class ReleaseTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    // Each test gets its own system so tests sharing the class database never see each other's steps.
    private readonly string _system = $"release-{Guid.NewGuid():N}-linux";

    private ClaimRequest Request => new([_system], [], 0);

    [Fact]
    public async Task A_restarted_worker_releases_its_old_attempts_and_their_steps_are_runnable_at_once()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var restarted = await queue.AddWorkerAsync("restarted");
        var bystander = await queue.AddWorkerAsync("bystander");
        var mine = await queue.AddStepAsync("mine", _system);
        var theirs = await queue.AddStepAsync("theirs", _system);
        var old = (await queue.Claimer.TryClaimAsync(restarted, "restarted", Request, CancellationToken.None))!;
        var other = (await queue.Claimer.TryClaimAsync(bystander, "bystander", Request, CancellationToken.None))!;
        Assert.Equal(mine, old.StepId);

        var released = await queue.Release().ReleaseAllAsync(new WorkerIdentity(restarted, "restarted"), CancellationToken.None);

        Assert.Equal(1, released);
        Assert.Equal(1, await queue.StepStateAsync(mine));
        Assert.Equal(3, await queue.ScalarAsync<short>($"SELECT state FROM step_attempts WHERE id = {old.AttemptId}"));
        Assert.Equal(2, await queue.StepStateAsync(theirs));
        Assert.Equal(0, await queue.ScalarAsync<short>($"SELECT state FROM step_attempts WHERE id = {other.AttemptId}"));
        // Without waiting for a lease or a retry delay, and without counting against the worker.
        Assert.Equal(mine, (await queue.Claimer.TryClaimAsync(restarted, "restarted", Request, CancellationToken.None))?.StepId);
        Assert.Null(await queue.Leases.RenewAsync(old.AttemptId, restarted, CancellationToken.None));
        Assert.Equal(0, await queue.ScalarAsync<int>($"SELECT cardinality(failed_steps) FROM workers WHERE id = {restarted}"));
    }

    [Fact]
    public async Task A_released_step_out_of_tries_fails_as_aborted()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var crashing = await queue.AddWorkerAsync("crash-loop");
        var step = await queue.AddStepAsync("kills-its-builder", _system);
        var build = await queue.AddBuildAsync(step);
        await queue.ExecuteAsync($"UPDATE steps SET tries = {queue.QueueOptions.MaxTries - 1} WHERE id = {step}");
        await queue.Claimer.TryClaimAsync(crashing, "crash-loop", Request, CancellationToken.None);

        await queue.Release().ReleaseAllAsync(new WorkerIdentity(crashing, "crash-loop"), CancellationToken.None);

        Assert.Equal(4, await queue.StepStateAsync(step));
        Assert.Equal((true, BuildStatus.Aborted), await queue.BuildStateAsync(build));
    }
}
