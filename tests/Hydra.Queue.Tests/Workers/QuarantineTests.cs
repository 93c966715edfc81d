using Hydra.Core.Protocol;
using Hydra.Queue.Tests.Dispatch;
using Hydra.Queue.Tests.Operations;
using Hydra.Queue.Workers;
using Hydra.Testing;

namespace Hydra.Queue.Tests.Workers;

public sealed class QuarantineTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    // Each test gets its own system so tests sharing the class database never see each other's steps.
    private readonly string _system = $"quarantine-{Guid.NewGuid():N}-linux";

    private ClaimRequest Request => new([_system], [], 0);

    private async Task<long[]> AddStepsAsync(QueueHarness queue, int count)
    {
        var steps = new long[count];
        for (var i = 0; i < count; i++)
        {
            steps[i] = await queue.AddStepAsync($"s{i}", _system);
            await queue.AddBuildAsync(steps[i]);
        }
        return steps;
    }

    private static async Task<DateTimeOffset?> QuarantinedUntilAsync(QueueHarness queue, long worker) =>
        (await queue.RowsAsync($"SELECT quarantined_until FROM workers WHERE id = {worker}")).Single()[0] is DateTime until ? new DateTimeOffset(until) : null;

    [Fact]
    public async Task Aborts_on_three_different_steps_quarantine_the_worker_and_its_steps_go_to_others()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var broken = await queue.AddWorkerAsync("broken-nix");
        var healthy = await queue.AddWorkerAsync("healthy");
        var steps = await AddStepsAsync(queue, 4);

        for (var i = 0; i < 3; i++)
        {
            Assert.Null(await QuarantinedUntilAsync(queue, broken));
            await queue.ClaimAndFinishAsync(broken, Request, StepOutcome.Aborted);
        }

        Assert.Equal(queue.Clock.GetUtcNow() + TimeSpan.FromMinutes(1), await QuarantinedUntilAsync(queue, broken));
        Assert.Null(await queue.Claimer.TryClaimAsync(broken, "broken", Request, CancellationToken.None));
        Assert.Equal(steps[3], (await queue.Claimer.TryClaimAsync(healthy, "healthy", Request, CancellationToken.None))?.StepId);
        var status = (await new WorkerDirectory(queue.DataSource, queue.Tokens, queue.Clock).ListAsync(CancellationToken.None)).Single(w => w.Name == "broken-nix");
        Assert.Equal(queue.Clock.GetUtcNow() + TimeSpan.FromMinutes(1), status.QuarantinedUntil);
        Assert.Equal("broken", status.LastFailure);

        // After the quarantine the aborted steps (past their retry delay) are claimable again by it.
        queue.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.NotNull(await queue.Claimer.TryClaimAsync(broken, "broken", Request, CancellationToken.None));
    }

    [Fact]
    public async Task A_success_clears_the_count()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var flaky = await queue.AddWorkerAsync("flaky");
        await AddStepsAsync(queue, 5);

        await queue.ClaimAndFinishAsync(flaky, Request, StepOutcome.Aborted);
        await queue.ClaimAndFinishAsync(flaky, Request, StepOutcome.Aborted);
        await queue.ClaimAndFinishAsync(flaky, Request, StepOutcome.Succeeded);
        await queue.ClaimAndFinishAsync(flaky, Request, StepOutcome.Aborted);
        await queue.ClaimAndFinishAsync(flaky, Request, StepOutcome.Aborted);

        Assert.Null(await QuarantinedUntilAsync(queue, flaky));
        Assert.Equal(2, await queue.ScalarAsync<int>($"SELECT cardinality(failed_steps) FROM workers WHERE id = {flaky}"));
    }

    [Fact]
    public async Task Build_failures_and_repeated_aborts_of_one_step_do_not_count()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("unlucky");
        await AddStepsAsync(queue, 3);

        // Three derivations that really fail are their own fault.
        for (var i = 0; i < 3; i++)
        {
            await queue.ClaimAndFinishAsync(worker, Request, StepOutcome.Failed);
        }
        // One step that keeps aborting on this worker counts once.
        var stubborn = await queue.AddStepAsync("stubborn", _system);
        await queue.AddBuildAsync(stubborn);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(stubborn, (await queue.ClaimAndFinishAsync(worker, Request, StepOutcome.Aborted)).StepId);
            queue.Clock.Advance(queue.QueueOptions.RetryDelay(i + 1));
        }

        Assert.Null(await QuarantinedUntilAsync(queue, worker));
        Assert.Equal([stubborn], await queue.ScalarAsync<long[]>($"SELECT failed_steps FROM workers WHERE id = {worker}"));
    }

    [Fact]
    public async Task Each_quarantine_before_a_success_doubles_up_to_the_cap()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        queue.QueueOptions.MaxQuarantineDuration = TimeSpan.FromMinutes(3);
        var broken = await queue.AddWorkerAsync("keeps-breaking");
        await AddStepsAsync(queue, 9);
        var lengths = new List<TimeSpan>();

        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 3; i++)
            {
                await queue.ClaimAndFinishAsync(broken, Request, StepOutcome.Aborted);
            }
            var until = (await QuarantinedUntilAsync(queue, broken))!.Value;
            lengths.Add(until - queue.Clock.GetUtcNow());
            queue.Clock.Advance(until - queue.Clock.GetUtcNow() + TimeSpan.FromSeconds(1));
        }

        Assert.Equal([TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(3)], lengths);
    }

    [Fact]
    public async Task A_quarantined_worker_waiting_for_work_is_sent_away_and_does_not_hold_up_workers_like_it()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var quarantined = await queue.AddWorkerAsync("waiting-quarantined");
        var healthy = await queue.AddWorkerAsync("waiting-healthy");
        var dispatcher = queue.Dispatcher();
        var first = dispatcher.ClaimAsync(new WorkerIdentity(quarantined, "q"), Request, TimeSpan.FromMinutes(1), CancellationToken.None);
        var second = dispatcher.ClaimAsync(new WorkerIdentity(healthy, "h"), Request, TimeSpan.FromMinutes(1), CancellationToken.None);
        while (dispatcher.WaitingCount < 2)
        {
            await Task.Delay(10);
        }
        await queue.ExecuteAsync($"UPDATE workers SET quarantined_until = '{queue.Clock.GetUtcNow().AddHours(1):O}' WHERE id = {quarantined}");
        var step = await queue.AddStepAsync("wanted", _system);

        await dispatcher.RunRoundAsync(CancellationToken.None);

        Assert.Null(await first);
        Assert.Equal(step, (await second)?.StepId);
    }
}
