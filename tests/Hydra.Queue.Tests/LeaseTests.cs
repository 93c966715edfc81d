using Hydra.Core;
using Hydra.Core.Protocol;
using Hydra.Queue.Completion;
using Hydra.Testing;

namespace Hydra.Queue.Tests;

public sealed class LeaseTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    // Each test gets its own system so tests sharing the class database never see each other's steps.
    private readonly string _system = $"sparc-linux-{Guid.NewGuid():N}";

    private ClaimRequest Sparc => new([_system], [], 0);

    [Fact]
    public async Task Expired_lease_returns_the_step_to_the_queue()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var lost = await queue.AddWorkerAsync("lost-worker");
        var step = await queue.AddStepAsync("expiring", _system);
        var first = await queue.Claimer.TryClaimAsync(lost, "w", Sparc, CancellationToken.None);
        Assert.Equal(step, first?.StepId);

        queue.Clock.Advance(queue.QueueOptions.LeaseDuration / 2);
        await queue.Maintenance.ReapExpiredLeasesAsync(CancellationToken.None);
        Assert.Equal(2, await queue.ScalarAsync<short>($"SELECT state FROM steps WHERE id = {step}"));
        queue.Clock.Advance(queue.QueueOptions.LeaseDuration);
        Assert.True(await queue.Maintenance.ReapExpiredLeasesAsync(CancellationToken.None) >= 1);

        Assert.Equal(1, await queue.ScalarAsync<short>($"SELECT state FROM steps WHERE id = {step}"));
        Assert.Equal(3, await queue.ScalarAsync<short>($"SELECT state FROM step_attempts WHERE id = {first!.AttemptId}"));
        // Retried after the backoff, on any worker.
        Assert.Null(await queue.Claimer.TryClaimAsync(lost, "w", Sparc, CancellationToken.None));
        queue.Clock.Advance(queue.QueueOptions.RetryDelay(1));
        var second = await queue.Claimer.TryClaimAsync(await queue.AddWorkerAsync("rescuer"), "w", Sparc, CancellationToken.None);
        Assert.Equal(step, second?.StepId);
        Assert.NotEqual(first.AttemptId, second!.AttemptId);
    }

    [Fact]
    public async Task Heartbeat_keeps_the_lease_alive()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("beating");
        await queue.AddStepAsync("long-build", _system);
        var claim = (await queue.Claimer.TryClaimAsync(worker, "w", Sparc, CancellationToken.None))!;

        for (var i = 0; i < 5; i++)
        {
            queue.Clock.Advance(queue.QueueOptions.LeaseDuration * 0.8);
            Assert.NotNull(await queue.Leases.RenewAsync(claim.AttemptId, worker, CancellationToken.None));
            await queue.Maintenance.ReapExpiredLeasesAsync(CancellationToken.None);
            Assert.Equal(0, await queue.ScalarAsync<short>($"SELECT state FROM step_attempts WHERE id = {claim.AttemptId}"));
        }
    }

    [Fact]
    public async Task Late_report_with_a_stale_token_is_rejected()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var zombie = await queue.AddWorkerAsync("zombie");
        var rescuer = await queue.AddWorkerAsync("rescuer-2");
        var step = await queue.AddStepAsync("contested", _system);
        var build = await queue.AddBuildAsync(step);
        var stale = (await queue.Claimer.TryClaimAsync(zombie, "w", Sparc, CancellationToken.None))!;
        queue.Clock.Advance(queue.QueueOptions.LeaseDuration * 2);
        await queue.Maintenance.ReapExpiredLeasesAsync(CancellationToken.None);
        queue.Clock.Advance(queue.QueueOptions.RetryDelay(1));
        var fresh = (await queue.Claimer.TryClaimAsync(rescuer, "w", Sparc, CancellationToken.None))!;

        var late = await queue.Results.FinishAsync(stale.AttemptId, zombie, new FinishRequest(StepOutcome.Failed, 1, "zombie says failed", []), CancellationToken.None);
        Assert.Equal(FinishResult.Stale, late);
        Assert.Null(await queue.Leases.RenewAsync(stale.AttemptId, zombie, CancellationToken.None));
        Assert.Equal(2, await queue.ScalarAsync<short>($"SELECT state FROM steps WHERE id = {step}"));

        var real = await queue.Results.FinishAsync(fresh.AttemptId, rescuer, new FinishRequest(StepOutcome.Failed, 100, "real failure", []), CancellationToken.None);
        Assert.Equal(FinishResult.Accepted, real);
        Assert.Equal(BuildStatus.Failed, await queue.ScalarAsync<int>($"SELECT build_status FROM builds WHERE id = {build}"));
        // The same report again (the worker retried after a lost answer) changes nothing.
        var again = await queue.Results.FinishAsync(fresh.AttemptId, rescuer, new FinishRequest(StepOutcome.Failed, 100, "real failure", []), CancellationToken.None);
        Assert.Equal(FinishResult.Duplicate, again);
    }

    [Fact]
    public async Task Another_workers_token_cannot_report_for_an_attempt()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var owner = await queue.AddWorkerAsync("owner");
        var intruder = await queue.AddWorkerAsync("intruder");
        await queue.AddStepAsync("owned", _system);
        var claim = (await queue.Claimer.TryClaimAsync(owner, "w", Sparc, CancellationToken.None))!;

        var result = await queue.Results.FinishAsync(claim.AttemptId, intruder, new FinishRequest(StepOutcome.Failed, 1, null, []), CancellationToken.None);

        Assert.Equal(FinishResult.Stale, result);
    }
}
