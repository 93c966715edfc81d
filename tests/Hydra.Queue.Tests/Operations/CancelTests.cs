using Hydra.Core;
using Hydra.Core.Protocol;
using Hydra.Testing;

namespace Hydra.Queue.Tests.Operations;

public sealed class CancelTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    // Each test gets its own system so tests sharing the class database never see each other's steps.
    private readonly string _system = $"cancel-{Guid.NewGuid():N}-linux";

    private ClaimRequest Request => new([_system], [], 0, MaxJobs: 1);

    [Fact]
    public async Task Cancel_finishes_the_build_and_cancels_only_the_steps_no_other_build_needs()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var shared = await queue.AddStepAsync("shared", _system);
        var own = await queue.AddStepAsync("own", _system);
        var top = await queue.AddStepAsync("top", _system, shared, own);
        var other = await queue.AddStepAsync("other", _system, shared);
        var cancelled = await queue.AddBuildAsync(top, shared, own);
        var survivor = await queue.AddBuildAsync(other, shared);

        var result = await queue.Operations().CancelAsync([cancelled], CancellationToken.None);

        Assert.Equal(new Hydra.Queue.Operations.CancelResult(1, 2, 0), result);
        Assert.Equal((true, BuildStatus.Cancelled), await queue.BuildStateAsync(cancelled));
        Assert.Equal((false, null), await queue.BuildStateAsync(survivor));
        Assert.Equal(5, await queue.StepStateAsync(top));
        Assert.Equal(5, await queue.StepStateAsync(own));
        Assert.Equal(1, await queue.StepStateAsync(shared));
        Assert.Equal(0, await queue.StepStateAsync(other));
        // Nothing of the cancelled build is handed out any more; the shared step still is.
        var worker = await queue.AddWorkerAsync("after-cancel");
        Assert.Equal(shared, (await queue.Claimer.TryClaimAsync(worker, "w", Request, CancellationToken.None))?.StepId);
        Assert.Empty(await queue.RowsAsync("SELECT 1 FROM failed_derivations WHERE step_id IN (" + string.Join(',', top, own) + ")"));
    }

    [Fact]
    public async Task A_cancelled_running_step_tells_its_worker_to_stop_at_the_next_heartbeat_and_frees_the_slot()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("told-to-stop");
        var step = await queue.AddStepAsync("long", _system);
        var build = await queue.AddBuildAsync(step);
        var next = await queue.AddStepAsync("next", _system);
        await queue.AddBuildAsync(next);
        var claim = (await queue.Claimer.TryClaimAsync(worker, "w", Request, CancellationToken.None))!;
        Assert.Equal(step, claim.StepId);

        var result = await queue.Operations().CancelAsync([build], CancellationToken.None);
        var heartbeat = await queue.Leases.RenewAsync(claim.AttemptId, worker, CancellationToken.None);

        Assert.Equal(1, result.RunningSteps);
        Assert.True(heartbeat?.Cancel);
        Assert.Equal(5, await queue.StepStateAsync(step));
        Assert.Equal(3, await queue.ScalarAsync<short>($"SELECT state FROM step_attempts WHERE id = {claim.AttemptId}"));
        // The attempt ended, so the one-slot worker may take the next step at once, not after the lease.
        Assert.Equal(next, (await queue.Claimer.TryClaimAsync(worker, "w", Request, CancellationToken.None))?.StepId);
        // What the killed build still sends is refused.
        Assert.Null(await queue.Leases.RenewAsync(claim.AttemptId, worker, CancellationToken.None));
        Assert.Equal(Completion.FinishResult.Stale, await queue.Results.FinishAsync(claim.AttemptId, worker,
            new FinishRequest(StepOutcome.Succeeded, 0, null, []), CancellationToken.None));
        Assert.Equal((true, BuildStatus.Cancelled), await queue.BuildStateAsync(build));
    }

    [Fact]
    public async Task Cancelling_a_finished_build_changes_nothing()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("finisher");
        var step = await queue.AddStepAsync("done", _system);
        var build = await queue.AddBuildAsync(step);
        await queue.ClaimAndFinishAsync(worker, Request, StepOutcome.Failed);

        var result = await queue.Operations().CancelAsync([build], CancellationToken.None);

        Assert.Equal(0, result.Builds);
        Assert.Equal((true, BuildStatus.Failed), await queue.BuildStateAsync(build));
    }

    [Fact]
    public async Task Cancelling_an_evaluation_cancels_its_unfinished_builds_only()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("eval-finisher");
        var done = await queue.AddBuildAsync(await queue.AddStepAsync("done", _system));
        await queue.ClaimAndFinishAsync(worker, Request, StepOutcome.Failed);
        var queued = await queue.AddBuildAsync(await queue.AddStepAsync("queued", _system));
        var elsewhere = await queue.AddBuildAsync(await queue.AddStepAsync("elsewhere", _system));
        var evaluation = await queue.AddEvaluationAsync(done, queued);

        var result = await queue.Operations().CancelEvaluationAsync(evaluation, CancellationToken.None);

        Assert.Equal(1, result.Builds);
        Assert.Equal((true, BuildStatus.Failed), await queue.BuildStateAsync(done));
        Assert.Equal((true, BuildStatus.Cancelled), await queue.BuildStateAsync(queued));
        Assert.Equal((false, null), await queue.BuildStateAsync(elsewhere));
    }

    [Fact]
    public async Task Keep_sets_and_clears_the_flag()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var build = await queue.AddBuildAsync(await queue.AddStepAsync("kept", _system));

        Assert.True(await queue.Operations().SetKeepAsync(build, true, CancellationToken.None));
        Assert.True(await queue.ScalarAsync<bool>($"SELECT keep FROM builds WHERE id = {build}"));
        Assert.True(await queue.Operations().SetKeepAsync(build, false, CancellationToken.None));
        Assert.False(await queue.ScalarAsync<bool>($"SELECT keep FROM builds WHERE id = {build}"));
        Assert.False(await queue.Operations().SetKeepAsync(-1, true, CancellationToken.None));
    }
}
