using Hydra.Core;
using Hydra.Core.Protocol;
using Hydra.Queue.Completion;
using Hydra.Testing;

namespace Hydra.Queue.Tests;

/// <summary>Success reports group-committed into one statement, each still a compare-and-set on its own attempt.</summary>
public sealed class ReportBatchTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    private readonly string _system = $"batch-{Guid.NewGuid():N}-linux";

    private ClaimRequest Request => new([_system], [], 0);

    [Fact]
    public async Task One_statement_applies_the_current_reports_and_leaves_stale_and_repeated_ones_to_be_told_apart()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var zombie = await queue.AddWorkerAsync("batch-zombie");
        var worker = await queue.AddWorkerAsync("batch-worker");
        var contested = await queue.AddStepAsync("contested", _system);
        var library = await queue.AddStepAsync("library", _system);
        var tool = await queue.AddStepAsync("tool", _system);
        var app = await queue.AddStepAsync("app", _system, library, tool);
        var libraryBuild = await queue.AddBuildAsync(library);
        var appBuild = await queue.AddBuildAsync(app, library, tool);
        var lost = (await queue.Claimer.TryClaimAsync(zombie, "w", Request, CancellationToken.None))!;
        Assert.Equal(contested, lost.StepId);
        // The zombie's lease runs out and the step goes to the other worker.
        queue.Clock.Advance(queue.QueueOptions.LeaseDuration * 2);
        await queue.Maintenance.ReapExpiredLeasesAsync(CancellationToken.None);
        queue.Clock.Advance(queue.QueueOptions.RetryDelay(1));
        var claims = new List<ClaimResponse>();
        while (await queue.Claimer.TryClaimAsync(worker, "w", Request, CancellationToken.None) is { } claim)
        {
            claims.Add(claim);
        }
        Assert.Equal([contested, library, tool], claims.Select(c => c.StepId).Order());
        var libraryClaim = claims.Single(c => c.StepId == library);
        var toolClaim = claims.Single(c => c.StepId == tool);
        await queue.ExecuteAsync($"UPDATE workers SET failed_steps = '{{{contested}}}', quarantine_level = 1 WHERE id = {worker}");

        var reports = new SuccessReports(queue.DataSource, queue.Notifier, queue.Clock);
        SuccessReport Success(long attempt, long by) => new(attempt, by, 0, null, false, [], [], [], null);
        var applied = await reports.ApplyBatchAsync(
        [
            Success(libraryClaim.AttemptId, worker),
            Success(lost.AttemptId, zombie),
            Success(toolClaim.AttemptId, worker),
            Success(toolClaim.AttemptId, worker),
        ]);

        Assert.Equal([library, null, tool, null], applied.Select(a => a?.StepId));
        // Both dependencies succeeded in the same statement: the app is runnable, and the library's build finished.
        Assert.Equal(1, await queue.ScalarAsync<short>($"SELECT state FROM steps WHERE id = {app}"));
        Assert.Equal(BuildStatus.Succeeded, await queue.ScalarAsync<int>($"SELECT build_status FROM builds WHERE id = {libraryBuild}"));
        Assert.False(await queue.ScalarAsync<bool>($"SELECT finished FROM builds WHERE id = {appBuild}"));
        // A success clears the worker's count of aborted attempts.
        Assert.Equal(0, await queue.ScalarAsync<int>($"SELECT cardinality(failed_steps) + quarantine_level FROM workers WHERE id = {worker}"));
        // What the statement left alone is classified one by one: the zombie lost its lease (409), the repeat is a duplicate.
        Assert.Equal(FinishResult.Stale,
            await queue.Results.FinishAsync(lost.AttemptId, zombie, new FinishRequest(StepOutcome.Succeeded, 0, null, []), CancellationToken.None));
        Assert.Equal(FinishResult.Duplicate,
            await queue.Results.FinishAsync(toolClaim.AttemptId, worker, new FinishRequest(StepOutcome.Succeeded, 0, null, []), CancellationToken.None));
        Assert.Equal(2, await queue.ScalarAsync<short>($"SELECT state FROM steps WHERE id = {contested}"));
    }

    [Fact]
    public async Task Concurrent_reports_of_every_kind_each_get_their_own_answer()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("batch-many");
        var other = await queue.AddWorkerAsync("batch-other");
        var steps = new List<long>();
        for (var i = 0; i < 10; i++)
        {
            var step = await queue.AddStepAsync($"s{i}", _system);
            await queue.AddBuildAsync(step);
            steps.Add(step);
        }
        var claims = new List<ClaimResponse>();
        while (await queue.Claimer.TryClaimAsync(worker, "w", Request, CancellationToken.None) is { } claim)
        {
            claims.Add(claim);
        }
        var success = new FinishRequest(StepOutcome.Succeeded, 0, null, []);

        // Every claim reported twice at once, and once more by a worker that does not hold it.
        var reports = claims.SelectMany(c => new[] { (c, worker), (c, worker), (c, other) }).ToArray();
        var results = await Task.WhenAll(reports.Select(r => Task.Run(() => queue.Results.FinishAsync(r.c.AttemptId, r.Item2, success, CancellationToken.None))));

        foreach (var claim in claims)
        {
            var own = results.Where((_, i) => reports[i].c == claim && reports[i].Item2 == worker).Order().ToArray();
            Assert.Equal([FinishResult.Accepted, FinishResult.Duplicate], own);
        }
        Assert.All(results.Where((_, i) => reports[i].Item2 == other), r => Assert.Equal(FinishResult.Stale, r));
        Assert.Equal(10, await queue.ScalarAsync<long>($"SELECT count(*) FROM builds b JOIN steps s ON s.id = b.top_step_id WHERE s.system = '{_system}' AND b.finished AND b.build_status = 0"));
        Assert.Equal(10, await queue.ScalarAsync<long>($"SELECT count(*) FROM step_attempts a JOIN steps s ON s.id = a.step_id WHERE s.system = '{_system}' AND a.state = 1"));
    }
}
