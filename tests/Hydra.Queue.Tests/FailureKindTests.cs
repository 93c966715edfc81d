using Hydra.Core;
using Hydra.Core.Protocol;
using Hydra.Testing;

namespace Hydra.Queue.Tests;

/// <summary>How each way a step can end is recorded on the step, its builds and the failure cache.</summary>
public sealed class FailureKindTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    private readonly string _system = $"sparc-linux-{Guid.NewGuid():N}";

    private ClaimRequest Request => new([_system], [], 0);

    [Theory]
    [InlineData(StepOutcome.Failed, BuildStatus.Failed, true)]
    [InlineData(StepOutcome.TimedOut, BuildStatus.TimedOut, false)]
    [InlineData(StepOutcome.LogLimitExceeded, BuildStatus.LogLimitExceeded, false)]
    [InlineData(StepOutcome.OutputLimitExceeded, BuildStatus.OutputLimitExceeded, false)]
    public async Task Each_failure_kind_ends_the_step_and_its_builds_with_its_status(StepOutcome outcome, int status, bool cached)
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync($"w-{outcome}");
        var step = await queue.AddStepAsync("failing", _system);
        var dependent = await queue.AddStepAsync("dependent", _system, step);
        var own = await queue.AddBuildAsync(step);
        var downstream = await queue.AddBuildAsync(dependent, step);

        var claim = (await queue.Claimer.TryClaimAsync(worker, "w", Request, CancellationToken.None))!;
        var result = await queue.Results.FinishAsync(claim.AttemptId, worker, new FinishRequest(outcome, 100, "it went wrong", []), CancellationToken.None);

        Assert.Equal(Completion.FinishResult.Accepted, result);
        Assert.Equal([(short)4, status, "it went wrong"], (await queue.RowsAsync($"SELECT state, status, error_message FROM steps WHERE id = {step}")).Single());
        Assert.Equal([true, status], (await queue.RowsAsync($"SELECT finished, build_status FROM builds WHERE id = {own}")).Single());
        Assert.Equal([true, BuildStatus.DependencyFailed], (await queue.RowsAsync($"SELECT finished, build_status FROM builds WHERE id = {downstream}")).Single());
        var drv = await queue.ScalarAsync<string>($"SELECT drv_path FROM steps WHERE id = {step}");
        Assert.Equal(cached, await queue.FailureCache.ContainsAsync(drv, CancellationToken.None));
    }

    [Fact]
    public async Task Failed_with_output_marks_only_its_own_builds_and_dependents_still_build()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("w-fwo");
        var tests = await queue.AddStepAsync("tests", _system);
        var report = await queue.AddStepAsync("report", _system, tests);
        var testsBuild = await queue.AddBuildAsync(tests);
        var reportBuild = await queue.AddBuildAsync(report, tests);

        var claim = (await queue.Claimer.TryClaimAsync(worker, "w", Request, CancellationToken.None))!;
        await queue.Results.FinishAsync(claim.AttemptId, worker,
            new FinishRequest(StepOutcome.FailedWithOutput, 0, "marked failed", []), CancellationToken.None);

        Assert.Equal([(short)3, BuildStatus.FailedWithOutput], (await queue.RowsAsync($"SELECT state, status FROM steps WHERE id = {tests}")).Single());
        Assert.Equal(BuildStatus.FailedWithOutput, await queue.ScalarAsync<int>($"SELECT build_status FROM builds WHERE id = {testsBuild}"));
        Assert.False(await queue.ScalarAsync<bool>($"SELECT finished FROM builds WHERE id = {reportBuild}"));
        Assert.False(await queue.FailureCache.ContainsAsync(await queue.ScalarAsync<string>($"SELECT drv_path FROM steps WHERE id = {tests}"), CancellationToken.None));
        var next = (await queue.Claimer.TryClaimAsync(worker, "w", Request, CancellationToken.None))!;
        Assert.Equal(report, next.StepId);
    }

    [Fact]
    public async Task A_reported_success_above_the_output_limit_fails_with_status_11()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        queue.QueueOptions.MaxOutputSize = 1000;
        var worker = await queue.AddWorkerAsync("w-big");
        var step = await queue.AddStepAsync("big", _system);
        var build = await queue.AddBuildAsync(step);

        var claim = (await queue.Claimer.TryClaimAsync(worker, "w", Request, CancellationToken.None))!;
        var outputs = new[] { new StepOutputInfo("out", "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-big", "sha256:x", 5000) };
        await queue.Results.FinishAsync(claim.AttemptId, worker, new FinishRequest(StepOutcome.Succeeded, 0, null, outputs), CancellationToken.None);

        Assert.Equal(BuildStatus.OutputLimitExceeded, await queue.ScalarAsync<int>($"SELECT build_status FROM builds WHERE id = {build}"));
        Assert.Contains("more than the limit of 1000 bytes", await queue.ScalarAsync<string>($"SELECT error_message FROM steps WHERE id = {step}"));
    }

    [Fact]
    public async Task An_aborted_attempt_is_retried_and_never_cached_as_a_failure()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("w-abort");
        var step = await queue.AddStepAsync("flaky", _system);
        var build = await queue.AddBuildAsync(step);

        var claim = (await queue.Claimer.TryClaimAsync(worker, "w", Request, CancellationToken.None))!;
        await queue.Results.FinishAsync(claim.AttemptId, worker, new FinishRequest(StepOutcome.Aborted, 1, "disk full", []), CancellationToken.None);

        Assert.Equal([(short)1, DBNull.Value], (await queue.RowsAsync($"SELECT state, status FROM steps WHERE id = {step}")).Single());
        Assert.False(await queue.ScalarAsync<bool>($"SELECT finished FROM builds WHERE id = {build}"));
        Assert.Equal(0L, await queue.ScalarAsync<long>($"SELECT count(*) FROM failed_derivations WHERE step_id = {step}"));
    }

    [Fact]
    public async Task A_cancelled_step_tells_its_worker_to_stop_refuses_its_report_and_ends_its_build_cancelled()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("w-cancel");
        var step = await queue.AddStepAsync("unwanted", _system);
        var build = await queue.AddBuildAsync(step);
        var claim = (await queue.Claimer.TryClaimAsync(worker, "w", Request, CancellationToken.None))!;

        // What a cancel will do to a running step (the API that decides it comes later).
        await queue.ExecuteAsync($"UPDATE steps SET state = 5, status = {BuildStatus.Cancelled}, finished_at = now() WHERE id = {step}");

        Assert.True((await queue.Leases.RenewAsync(claim.AttemptId, worker, CancellationToken.None))!.Cancel);
        var late = await queue.Results.FinishAsync(claim.AttemptId, worker, new FinishRequest(StepOutcome.Succeeded, 0, null, []), CancellationToken.None);
        Assert.Equal(Completion.FinishResult.Stale, late);
        await queue.Maintenance.RepairAsync(CancellationToken.None);
        Assert.Equal([true, BuildStatus.Cancelled], (await queue.RowsAsync($"SELECT finished, build_status FROM builds WHERE id = {build}")).Single());
    }

    [Fact]
    public async Task Clearing_the_failure_cache_forgets_the_given_derivations_or_all()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("w-clear");
        var drvs = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var step = await queue.AddStepAsync($"broken{i}", _system);
            var claim = (await queue.Claimer.TryClaimAsync(worker, "w", Request, CancellationToken.None))!;
            await queue.Results.FinishAsync(claim.AttemptId, worker, new FinishRequest(StepOutcome.Failed, 100, "no", []), CancellationToken.None);
            drvs.Add(await queue.ScalarAsync<string>($"SELECT drv_path FROM steps WHERE id = {step}"));
        }

        Assert.Equal(1, await queue.FailureCache.ClearAsync([drvs[0], "/nix/store/never-failed.drv"], CancellationToken.None));
        Assert.False(await queue.FailureCache.ContainsAsync(drvs[0], CancellationToken.None));
        Assert.True(await queue.FailureCache.ContainsAsync(drvs[1], CancellationToken.None));

        Assert.True(await queue.FailureCache.ClearAsync(CancellationToken.None) >= 2);
        Assert.False(await queue.FailureCache.ContainsAsync(drvs[2], CancellationToken.None));
    }
}
