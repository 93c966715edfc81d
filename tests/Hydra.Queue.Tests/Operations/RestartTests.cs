using Hydra.Core;
using Hydra.Core.Protocol;
using Hydra.Queue.Operations;
using Hydra.Testing;

namespace Hydra.Queue.Tests.Operations;

public sealed class RestartTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    // Each test gets its own system so tests sharing the class database never see each other's steps.
    private readonly string _system = $"restart-{Guid.NewGuid():N}-linux";

    private ClaimRequest Request => new([_system], [], 0);

    [Fact]
    public async Task A_failed_build_gets_fresh_steps_leaves_the_failure_cache_keeps_its_history_and_can_succeed()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("restarter");
        var lib = await queue.AddStepAsync("lib", _system);
        var app = await queue.AddStepAsync("app", _system, lib);
        var build = await queue.AddBuildAsync(app, lib);
        var failed = await queue.ClaimAndFinishAsync(worker, Request, StepOutcome.Failed);
        Assert.Equal(lib, failed.StepId);
        Assert.Equal((true, BuildStatus.DependencyFailed), await queue.BuildStateAsync(build));
        var libDrv = await queue.ScalarAsync<string>($"SELECT drv_path FROM steps WHERE id = {lib}");
        Assert.True(await queue.FailureCache.ContainsAsync(libDrv, CancellationToken.None));

        Assert.Equal(1, await queue.Restarts().RestartAsync([build], CancellationToken.None));

        Assert.Equal((false, null), await queue.BuildStateAsync(build));
        Assert.False(await queue.FailureCache.ContainsAsync(libDrv, CancellationToken.None));
        // History stays: the old steps and the failed attempt are untouched, next to the fresh steps.
        Assert.Equal(4, await queue.StepStateAsync(lib));
        Assert.Equal(4, await queue.StepStateAsync(app));
        Assert.Equal(2, await queue.ScalarAsync<short>($"SELECT state FROM step_attempts WHERE id = {failed.AttemptId}"));
        // The fresh steps, named by the derivation they build (their ids come in no promised order).
        var graph = await queue.RowsAsync(
            $"""
             SELECT s.id, s.state, s.drv_path = (SELECT drv_path FROM steps WHERE id = {lib})
             FROM build_steps bs JOIN steps s ON s.id = bs.step_id WHERE bs.build_id = {build} AND s.id NOT IN ({lib}, {app})
             ORDER BY 3 DESC
             """);
        Assert.Equal(2, graph.Count);
        Assert.Equal([true, false], graph.Select(r => (bool)r[2]));
        var (newLib, newApp) = ((long)graph[0][0], (long)graph[1][0]);
        Assert.Equal([(short)1, (short)0], graph.Select(r => (short)r[1]));
        Assert.Equal(newApp, await queue.ScalarAsync<long>($"SELECT top_step_id FROM builds WHERE id = {build}"));
        Assert.Equal(newLib, await queue.ScalarAsync<long>($"SELECT depends_on_id FROM step_dependencies WHERE step_id = {newApp}"));

        Assert.Equal(newLib, (await queue.ClaimAndFinishAsync(worker, Request, StepOutcome.Succeeded)).StepId);
        Assert.Equal(newApp, (await queue.ClaimAndFinishAsync(worker, Request, StepOutcome.Succeeded)).StepId);
        Assert.Equal((true, BuildStatus.Succeeded), await queue.BuildStateAsync(build));
    }

    [Fact]
    public async Task A_restart_shares_the_unfinished_step_another_build_queued_and_keeps_succeeded_dependencies()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("sharer");
        var dependency = await queue.AddStepAsync("dependency", _system);
        var top = await queue.AddStepAsync("top", _system, dependency);
        var build = await queue.AddBuildAsync(top, dependency);
        await queue.ClaimAndFinishAsync(worker, Request, StepOutcome.Succeeded);
        Assert.Equal(top, (await queue.ClaimAndFinishAsync(worker, Request, StepOutcome.Failed)).StepId);
        // A later evaluation queued the same derivation again (the failure cache would fail it; pretend it was cleared).
        var queuedAgain = await queue.ScalarAsync<long>(
            $"INSERT INTO steps (drv_path, system, state, created_at) SELECT drv_path, system, 0, now() FROM steps WHERE id = {top} RETURNING id");

        await queue.Restarts().RestartAsync([build], CancellationToken.None);

        Assert.Equal(queuedAgain, await queue.ScalarAsync<long>($"SELECT top_step_id FROM builds WHERE id = {build}"));
        Assert.Equal(1, await queue.ScalarAsync<long>($"SELECT count(*) FROM steps WHERE drv_path = (SELECT drv_path FROM steps WHERE id = {top}) AND state < 3"));
        Assert.Equal(1, await queue.ScalarAsync<long>($"SELECT count(*) FROM build_steps WHERE build_id = {build} AND step_id = {queuedAgain}"));
        // The succeeded dependency is not built again.
        Assert.Equal(3, await queue.StepStateAsync(dependency));
        Assert.Equal(3, await queue.ScalarAsync<long>($"SELECT count(*) FROM build_steps WHERE build_id = {build}"));
    }

    [Fact]
    public async Task A_fresh_top_step_whose_dependencies_succeeded_is_runnable_at_once()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("runner");
        var dependency = await queue.AddStepAsync("dependency", _system);
        var top = await queue.AddStepAsync("top", _system, dependency);
        var build = await queue.AddBuildAsync(top, dependency);
        await queue.ClaimAndFinishAsync(worker, Request, StepOutcome.Succeeded);
        await queue.ClaimAndFinishAsync(worker, Request, StepOutcome.Failed);

        await queue.Restarts().RestartAsync([build], CancellationToken.None);

        var fresh = await queue.ScalarAsync<long>($"SELECT top_step_id FROM builds WHERE id = {build}");
        Assert.NotEqual(top, fresh);
        Assert.Equal(1, await queue.StepStateAsync(fresh));
        Assert.Equal(dependency, await queue.ScalarAsync<long>($"SELECT depends_on_id FROM step_dependencies WHERE step_id = {fresh}"));
        Assert.Equal(fresh, (await queue.ClaimAndFinishAsync(worker, Request, StepOutcome.Succeeded)).StepId);
        Assert.Equal((true, BuildStatus.Succeeded), await queue.BuildStateAsync(build));
    }

    [Fact]
    public async Task Unfinished_and_succeeded_builds_are_not_restarted()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("refuser");
        var succeeded = await queue.AddBuildAsync(await queue.AddStepAsync("ok", _system));
        await queue.ClaimAndFinishAsync(worker, Request, StepOutcome.Succeeded);
        var unfinished = await queue.AddBuildAsync(await queue.AddStepAsync("queued", _system));

        Assert.Equal(0, await queue.Restarts().RestartAsync([succeeded, unfinished], CancellationToken.None));
        Assert.Equal((true, BuildStatus.Succeeded), await queue.BuildStateAsync(succeeded));
        Assert.Equal((false, null), await queue.BuildStateAsync(unfinished));
    }

    [Fact]
    public async Task A_cancelled_build_whose_step_went_on_for_another_build_waits_for_it_again()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var shared = await queue.AddStepAsync("shared", _system);
        var cancelled = await queue.AddBuildAsync(shared);
        await queue.AddBuildAsync(shared);
        await queue.Operations().CancelAsync([cancelled], CancellationToken.None);
        Assert.Equal(1, await queue.StepStateAsync(shared));

        Assert.Equal(1, await queue.Restarts().RestartAsync([cancelled], CancellationToken.None));

        Assert.Equal((false, null), await queue.BuildStateAsync(cancelled));
        Assert.Equal(shared, await queue.ScalarAsync<long>($"SELECT top_step_id FROM builds WHERE id = {cancelled}"));
        var worker = await queue.AddWorkerAsync("finishes-shared");
        await queue.ClaimAndFinishAsync(worker, Request, StepOutcome.Succeeded);
        Assert.Equal((true, BuildStatus.Succeeded), await queue.BuildStateAsync(cancelled));
    }

    [Fact]
    public async Task Restart_aborted_takes_aborted_cancelled_and_unsupported_builds_and_restart_failed_takes_every_failure()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("eval-restarter");
        var failed = await queue.AddBuildAsync(await queue.AddStepAsync("failed", _system));
        await queue.ClaimAndFinishAsync(worker, Request, StepOutcome.Failed);
        var cancelled = await queue.AddBuildAsync(await queue.AddStepAsync("cancelled", _system));
        await queue.Operations().CancelAsync([cancelled], CancellationToken.None);
        var succeeded = await queue.AddBuildAsync(await queue.AddStepAsync("succeeded", _system));
        await queue.ClaimAndFinishAsync(worker, Request, StepOutcome.Succeeded);
        var evaluation = await queue.AddEvaluationAsync(failed, cancelled, succeeded);

        Assert.Equal(1, await queue.Restarts().RestartEvaluationAsync(evaluation, RestartScope.Aborted, CancellationToken.None));
        Assert.Equal((false, null), await queue.BuildStateAsync(cancelled));
        Assert.Equal((true, BuildStatus.Failed), await queue.BuildStateAsync(failed));

        Assert.Equal(1, await queue.Restarts().RestartEvaluationAsync(evaluation, RestartScope.Failed, CancellationToken.None));
        Assert.Equal((false, null), await queue.BuildStateAsync(failed));
        Assert.Equal((true, BuildStatus.Succeeded), await queue.BuildStateAsync(succeeded));
    }
}
