using Hydra.Core.Protocol;
using Hydra.Testing;

namespace Hydra.Queue.Tests.Dispatch;

/// <summary>The claim order: bump, fair share, local priority, critical path, age.</summary>
public sealed class ClaimOrderTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    private readonly string _system = DispatchSeed.UniqueSystem();

    private ClaimRequest Request => new([_system], [], 0);

    [Fact]
    public async Task Older_steps_go_first_when_nothing_else_differs()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("age");
        var first = await queue.AddRunnableAsync(_system);
        var second = await queue.AddRunnableAsync(_system);

        await queue.AssertClaimsInOrderAsync(worker, Request, first, second);
    }

    [Fact]
    public async Task Higher_local_priority_goes_first()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("local-priority");
        var ordinary = await queue.AddRunnableAsync(_system, "local_priority = 100, critical_path = 9");
        var urgent = await queue.AddRunnableAsync(_system, "local_priority = 200");

        await queue.AssertClaimsInOrderAsync(worker, Request, urgent, ordinary);
    }

    [Fact]
    public async Task A_longer_critical_path_goes_before_an_older_step()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("critical-path");
        var old = await queue.AddRunnableAsync(_system, "critical_path = 1");
        var deep = await queue.AddRunnableAsync(_system, "critical_path = 3");
        var deeper = await queue.AddRunnableAsync(_system, "critical_path = 7");

        await queue.AssertClaimsInOrderAsync(worker, Request, deeper, deep, old);
    }

    [Fact]
    public async Task The_jobset_that_used_less_of_its_share_goes_first_even_against_a_higher_local_priority()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("fair");
        var busy = await queue.AddJobsetAsync();
        var idle = await queue.AddJobsetAsync();
        await queue.ChargeAsync(busy, TimeSpan.FromHours(2));
        var busyStep = await queue.AddRunnableAsync(_system, "local_priority = 500, critical_path = 9");
        var idleStep = await queue.AddRunnableAsync(_system);
        await queue.LinkAsync(busyStep, busy);
        await queue.LinkAsync(idleStep, idle);

        Assert.True(await queue.Shares().RefreshAsync(CancellationToken.None) >= 1);

        Assert.True(await queue.StepColumnAsync<int>(busyStep, "share_bucket") > await queue.StepColumnAsync<int>(idleStep, "share_bucket"));
        await queue.AssertClaimsInOrderAsync(worker, Request, idleStep, busyStep);
    }

    [Fact]
    public async Task Usage_is_divided_by_scheduling_shares_and_a_shared_step_takes_its_lowest_jobset()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("shares");
        var big = await queue.AddJobsetAsync(shares: 10_000);
        var small = await queue.AddJobsetAsync(shares: 100);
        await queue.ChargeAsync(big, TimeSpan.FromHours(2));
        await queue.ChargeAsync(small, TimeSpan.FromHours(1));
        var smallStep = await queue.AddRunnableAsync(_system);
        var bigStep = await queue.AddRunnableAsync(_system);
        var sharedStep = await queue.AddRunnableAsync(_system);
        await queue.LinkAsync(smallStep, small);
        await queue.LinkAsync(bigStep, big);
        await queue.LinkAsync(sharedStep, small);
        await queue.LinkAsync(sharedStep, big);

        await queue.Shares().RefreshAsync(CancellationToken.None);

        // 7200 s / 10000 shares is far less used than 3600 s / 100 shares.
        Assert.True(await queue.ScalarAsync<double>($"SELECT share_used FROM jobset_shares WHERE jobset_id = {big}") < 1);
        Assert.Equal(36.0, await queue.ScalarAsync<double>($"SELECT share_used FROM jobset_shares WHERE jobset_id = {small}"), 3);
        await queue.AssertClaimsInOrderAsync(worker, Request, bigStep, sharedStep, smallStep);
    }

    [Fact]
    public async Task Usage_older_than_the_window_no_longer_counts()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var jobset = await queue.AddJobsetAsync();
        await queue.ChargeAsync(jobset, TimeSpan.FromHours(1));
        var step = await queue.AddRunnableAsync(_system);
        await queue.LinkAsync(step, jobset);
        await queue.Shares().RefreshAsync(CancellationToken.None);
        Assert.True(await queue.StepColumnAsync<int>(step, "share_bucket") > 0);

        queue.Clock.Advance(TimeSpan.FromHours(26));
        await queue.Shares().RefreshAsync(CancellationToken.None);

        Assert.Equal(0, await queue.StepColumnAsync<int>(step, "share_bucket"));
        Assert.Equal(0.0, await queue.ScalarAsync<double>($"SELECT seconds FROM jobset_shares WHERE jobset_id = {jobset}"));
    }

    [Fact]
    public async Task A_share_refresh_that_stopped_half_way_is_finished_by_the_next_one()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var jobset = await queue.AddJobsetAsync();
        await queue.ChargeAsync(jobset, TimeSpan.FromHours(1));
        var step = await queue.AddRunnableAsync(_system);
        await queue.LinkAsync(step, jobset);
        await queue.Shares().RefreshAsync(CancellationToken.None);
        var bucket = await queue.StepColumnAsync<int>(step, "share_bucket");

        // As if the process died after recording the jobset's new bucket but before rewriting its steps.
        await queue.ExecuteAsync($"UPDATE steps SET share_bucket = 0 WHERE id = {step}; UPDATE jobset_shares SET applied_bucket = 0 WHERE jobset_id = {jobset}");
        await queue.Shares().RefreshAsync(CancellationToken.None);

        Assert.True(bucket > 0);
        Assert.Equal(bucket, await queue.StepColumnAsync<int>(step, "share_bucket"));
    }

    [Fact]
    public async Task A_bumped_build_goes_before_everything_else()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("bump");
        var busy = await queue.AddJobsetAsync();
        await queue.ChargeAsync(busy, TimeSpan.FromHours(5));
        var favourite = await queue.AddRunnableAsync(_system, "local_priority = 900, critical_path = 50");
        var dependency = await queue.AddRunnableAsync(_system);
        var laggard = await queue.AddStepAsync("laggard", _system, dependency);
        await queue.LinkAsync(dependency, busy);
        await queue.LinkAsync(laggard, busy);
        await queue.Shares().RefreshAsync(CancellationToken.None);
        var build = await queue.AddBuildAsync(laggard, dependency);

        Assert.True(await queue.Bumps().BumpAsync(build, CancellationToken.None));

        Assert.Equal(queue.Clock.GetUtcNow().ToUnixTimeSeconds(), await queue.BuildColumnAsync<int>(build, "global_priority"));
        await queue.AssertClaimsInOrderAsync(worker, Request, dependency, favourite);
        Assert.Equal(queue.Clock.GetUtcNow().ToUnixTimeSeconds(), await queue.StepColumnAsync<int>(laggard, "global_priority"));
    }

    [Fact]
    public async Task Bumping_a_finished_or_unknown_build_changes_nothing()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var step = await queue.AddRunnableAsync(_system);
        var build = await queue.AddBuildAsync(step);
        await queue.ExecuteAsync($"UPDATE builds SET finished = true, build_status = 4 WHERE id = {build}");

        Assert.False(await queue.Bumps().BumpAsync(build, CancellationToken.None));
        Assert.False(await queue.Bumps().BumpAsync(long.MaxValue, CancellationToken.None));
        Assert.Equal(0, await queue.StepColumnAsync<int>(step, "global_priority"));
    }
}
