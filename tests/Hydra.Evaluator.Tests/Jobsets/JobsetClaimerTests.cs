using Hydra.Evaluator.Jobsets;
using Hydra.Testing;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Evaluator.Tests.Jobsets;

public sealed class JobsetClaimerTests : IAsyncLifetime
{
    private readonly ManualClock _clock = new();
    private SchedulingDatabase _db = null!;

    public async Task InitializeAsync() => _db = await SchedulingDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private JobsetClaimer Claimer(NpgsqlDataSource? dataSource = null) =>
        new(dataSource ?? _db.DataSource, Options.Create(new EvaluatorOptions()), _clock);

    private DateTimeOffset LongAgo => _clock.GetUtcNow().AddHours(-1);

    [Fact]
    public async Task Disabled_jobsets_are_never_claimed_even_when_triggered()
    {
        await _db.AddJobsetAsync("off", enabled: 0, lastCheckedAt: LongAgo, triggerTime: _clock.GetUtcNow());

        Assert.Null(await Claimer().ClaimDueJobsetAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Jobsets_of_a_disabled_project_are_not_claimed()
    {
        await _db.AddJobsetAsync("j", lastCheckedAt: LongAgo, triggerTime: _clock.GetUtcNow(), projectEnabled: false);

        Assert.Null(await Claimer().ClaimDueJobsetAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Check_interval_zero_is_claimed_only_on_trigger()
    {
        var id = await _db.AddJobsetAsync("manual", checkInterval: 0, lastCheckedAt: LongAgo);
        Assert.Null(await Claimer().ClaimDueJobsetAsync(CancellationToken.None));

        await _db.ExecuteAsync("UPDATE jobsets SET trigger_time = now() WHERE id = @id", ("id", id));

        Assert.Equal(id, await Claimer().ClaimDueJobsetAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_jobset_is_due_when_its_check_interval_has_passed()
    {
        var id = await _db.AddJobsetAsync("polled", checkInterval: 300, lastCheckedAt: _clock.GetUtcNow().AddSeconds(-100));
        Assert.Null(await Claimer().ClaimDueJobsetAsync(CancellationToken.None));

        _clock.Advance(TimeSpan.FromSeconds(200));

        Assert.Equal(id, await Claimer().ClaimDueJobsetAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_claim_marks_the_jobset_as_starting_and_release_clears_the_phase()
    {
        var id = await _db.AddJobsetAsync("j", lastCheckedAt: LongAgo);
        var claimer = Claimer();

        Assert.Equal(id, await claimer.ClaimDueJobsetAsync(CancellationToken.None));
        Assert.Equal(EvaluationPhase.Starting, await _db.ScalarAsync<string>("SELECT eval_phase FROM jobsets WHERE id = @id", ("id", id)));
        Assert.Null(await claimer.ClaimDueJobsetAsync(CancellationToken.None));

        await claimer.ReleaseAsync(id, CancellationToken.None);

        Assert.Null(await _db.ScalarAsync<string>("SELECT eval_phase FROM jobsets WHERE id = @id", ("id", id)));
        Assert.Null(await _db.ScalarAsync<DateTimeOffset?>("SELECT eval_phase_since FROM jobsets WHERE id = @id", ("id", id)));
        Assert.Equal(id, await claimer.ClaimDueJobsetAsync(CancellationToken.None));
    }

    [Fact]
    public async Task One_at_a_time_waits_while_the_latest_evaluation_has_unfinished_builds()
    {
        var id = await _db.AddJobsetAsync("serial", enabled: 3, checkInterval: 60, lastCheckedAt: LongAgo);
        await _db.AddEvaluationAsync(id, false);
        var latest = await _db.AddEvaluationAsync(id, true, false);

        Assert.Null(await Claimer().ClaimDueJobsetAsync(CancellationToken.None));

        await _db.ExecuteAsync(
            "UPDATE builds SET finished = true, build_status = 1 WHERE id IN (SELECT build_id FROM evaluation_members WHERE evaluation_id = @e)",
            ("e", latest));

        // Only the latest evaluation counts: the older one still has an unfinished build.
        Assert.Equal(id, await Claimer().ClaimDueJobsetAsync(CancellationToken.None));
    }

    [Fact]
    public async Task One_at_a_time_without_evaluations_is_due()
    {
        var id = await _db.AddJobsetAsync("serial", enabled: 3, checkInterval: 60, lastCheckedAt: LongAgo);

        Assert.Equal(id, await Claimer().ClaimDueJobsetAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_trigger_overrides_one_at_a_time_as_in_Hydra()
    {
        var id = await _db.AddJobsetAsync("serial", enabled: 3, checkInterval: 60, lastCheckedAt: LongAgo, triggerTime: _clock.GetUtcNow());
        await _db.AddEvaluationAsync(id, false);

        Assert.Equal(id, await Claimer().ClaimDueJobsetAsync(CancellationToken.None));
    }

    [Fact]
    public async Task One_shot_and_enabled_jobsets_are_claimed_like_any_other()
    {
        var oneShot = await _db.AddJobsetAsync("once", enabled: 2, lastCheckedAt: null);
        var enabled = await _db.AddJobsetAsync("always", enabled: 1, lastCheckedAt: LongAgo);

        var claimed = new[] { await Claimer().ClaimDueJobsetAsync(CancellationToken.None), await Claimer().ClaimDueJobsetAsync(CancellationToken.None) };

        Assert.Equal([oneShot, enabled], claimed);
    }

    [Fact]
    public async Task Two_schedulers_share_the_work_and_never_claim_a_jobset_twice()
    {
        const int count = 60;
        var ids = new List<long>();
        for (var i = 0; i < count; i++)
        {
            ids.Add(await _db.AddJobsetAsync($"j{i}", checkInterval: 0, triggerTime: _clock.GetUtcNow()));
        }
        await using var first = NpgsqlDataSource.Create(_db.ConnectionString);
        await using var second = NpgsqlDataSource.Create(_db.ConnectionString);

        var claims = await Task.WhenAll(ClaimAllAsync(Claimer(first)), ClaimAllAsync(Claimer(second)));

        Assert.Empty(claims[0].Intersect(claims[1]));
        Assert.Equal(ids.Order(), claims[0].Concat(claims[1]).Order());
        Assert.NotEmpty(claims[0]);
        Assert.NotEmpty(claims[1]);
    }

    /// <summary>
    /// Claims until nothing is left unclaimed. A claim may come back empty while the other
    /// scheduler commits (SKIP LOCKED), so "none left" is checked against the table itself.
    /// </summary>
    private async Task<List<long>> ClaimAllAsync(JobsetClaimer claimer)
    {
        await Task.Yield();
        var claimed = new List<long>();
        while (true)
        {
            if (await claimer.ClaimDueJobsetAsync(CancellationToken.None) is { } id)
            {
                claimed.Add(id);
            }
            else if (await _db.ScalarAsync<long>("SELECT count(*) FROM jobsets WHERE eval_started_at IS NULL") == 0)
            {
                return claimed;
            }
        }
    }
}
