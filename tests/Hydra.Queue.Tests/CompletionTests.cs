using Hydra.Core;
using Hydra.Core.Protocol;
using Hydra.Testing;

namespace Hydra.Queue.Tests;

public sealed class CompletionTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    // Each test gets its own system so tests sharing the class database never see each other's steps.
    private readonly string _system = $"riscv64-linux-{Guid.NewGuid():N}";

    private ClaimRequest Riscv => new([_system], [], 0);

    [Fact]
    public async Task Success_makes_dependents_runnable_and_finishes_the_build()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("builder-ok");
        var library = await queue.AddStepAsync("library", _system);
        var app = await queue.AddStepAsync("app", _system, library);
        var libraryBuild = await queue.AddBuildAsync(library);
        var appBuild = await queue.AddBuildAsync(app, library);

        var claim = (await queue.Claimer.TryClaimAsync(worker, "w", Riscv, CancellationToken.None))!;
        Assert.Equal(library, claim.StepId);
        Assert.Null(await queue.Claimer.TryClaimAsync(worker, "w", Riscv, CancellationToken.None));
        await queue.Results.FinishAsync(claim.AttemptId, worker, new FinishRequest(StepOutcome.Succeeded, 0, null, []), CancellationToken.None);

        Assert.Equal(BuildStatus.Succeeded, await queue.ScalarAsync<int>($"SELECT build_status FROM builds WHERE id = {libraryBuild}"));
        Assert.False(await queue.ScalarAsync<bool>($"SELECT finished FROM builds WHERE id = {appBuild}"));
        var next = await queue.Claimer.TryClaimAsync(worker, "w", Riscv, CancellationToken.None);
        Assert.Equal(app, next?.StepId);
    }

    [Fact]
    public async Task Failure_finishes_dependents_as_dependency_failed()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("builder-fail");
        var broken = await queue.AddStepAsync("broken", _system);
        var middle = await queue.AddStepAsync("middle", _system, broken);
        var top = await queue.AddStepAsync("top", _system, middle);
        var brokenBuild = await queue.AddBuildAsync(broken);
        var topBuild = await queue.AddBuildAsync(top, middle, broken);

        var claim = (await queue.Claimer.TryClaimAsync(worker, "w", Riscv, CancellationToken.None))!;
        await queue.Results.FinishAsync(claim.AttemptId, worker, new FinishRequest(StepOutcome.Failed, 100, "exit 1", []), CancellationToken.None);

        Assert.Equal(BuildStatus.Failed, await queue.ScalarAsync<int>($"SELECT build_status FROM builds WHERE id = {brokenBuild}"));
        Assert.Equal(BuildStatus.DependencyFailed, await queue.ScalarAsync<int>($"SELECT build_status FROM builds WHERE id = {topBuild}"));
        Assert.Equal(4, await queue.ScalarAsync<short>($"SELECT state FROM steps WHERE id = {top}"));
        Assert.Null(await queue.Claimer.TryClaimAsync(worker, "w", Riscv, CancellationToken.None));
    }

    [Fact]
    public async Task Success_without_outputs_in_the_cache_is_retried_not_trusted()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("liar");
        var step = await queue.AddStepAsync("unpushed", _system);
        await queue.ExecuteAsync($"UPDATE steps SET output_paths = '{{/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-unpushed}}' WHERE id = {step}");
        var build = await queue.AddBuildAsync(step);

        var claim = (await queue.Claimer.TryClaimAsync(worker, "w", Riscv, CancellationToken.None))!;
        await queue.Results.FinishAsync(claim.AttemptId, worker, new FinishRequest(StepOutcome.Succeeded, 0, null, []), CancellationToken.None);

        Assert.Equal(1, await queue.ScalarAsync<short>($"SELECT state FROM steps WHERE id = {step}"));
        Assert.False(await queue.ScalarAsync<bool>($"SELECT finished FROM builds WHERE id = {build}"));
    }

    [Fact]
    public async Task Repair_promotes_a_pending_step_whose_dependencies_succeeded()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var done = await queue.AddStepAsync("done-dep", _system);
        await queue.ExecuteAsync($"UPDATE steps SET state = 3, status = 0 WHERE id = {done}");
        var stuck = await queue.AddStepAsync("stuck", _system, done);

        await queue.Maintenance.RepairAsync(CancellationToken.None);

        Assert.Equal(1, await queue.ScalarAsync<short>($"SELECT state FROM steps WHERE id = {stuck}"));
    }

    [Fact]
    public async Task Repair_leaves_a_pending_step_in_the_failure_cache_to_its_evaluation()
    {
        // An evaluation wrote this step and has not yet failed it as a cached failure in its last transaction.
        await using var queue = new QueueHarness(database.ConnectionString);
        var done = await queue.AddStepAsync("done-dep", _system);
        await queue.ExecuteAsync($"UPDATE steps SET state = 3, status = 0 WHERE id = {done}");
        var cached = await queue.AddStepAsync("failed-before", _system, done);
        await queue.ExecuteAsync($"INSERT INTO failed_derivations (drv_path, failed_at) SELECT drv_path, now() FROM steps WHERE id = {cached}");

        await queue.Maintenance.RepairAsync(CancellationToken.None);

        Assert.Equal(0, await queue.ScalarAsync<short>($"SELECT state FROM steps WHERE id = {cached}"));
    }
}
