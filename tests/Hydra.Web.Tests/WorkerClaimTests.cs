using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Hydra.Core.Protocol;
using Hydra.Queue.Logs;
using Hydra.Queue.Workers;
using Hydra.Web.Tests.Cache;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Hydra.Web.Tests;

/// <summary>The claim endpoint over real HTTP: long-polling through the dispatcher, and what it records about the worker.</summary>
public sealed class WorkerClaimTests(CacheServerFactory factory) : IClassFixture<CacheServerFactory>
{
    [Fact]
    public async Task A_waiting_claim_gets_a_step_that_becomes_runnable_and_the_worker_capabilities_are_recorded()
    {
        var system = $"claim-{Guid.NewGuid():N}-linux";
        using var client = await WorkerClientAsync("long-poller");
        var request = new ClaimRequest([system], ["kvm"], 20, MandatoryFeatures: ["big-parallel"], MaxJobs: 3, SpeedFactor: 2.5);

        var claiming = client.PostAsJsonAsync(WorkerProtocol.Claim, request);
        await Task.Delay(300);
        var step = await ScalarAsync<long>(
            $"INSERT INTO steps (drv_path, system, required_features, state, created_at) VALUES ('/nix/store/{Guid.NewGuid():N}-x.drv', '{system}', '{{big-parallel}}', 1, now()) RETURNING id; " +
            "SELECT pg_notify('hydra_steps_runnable', '')");
        using var response = await claiming;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(step, (await response.Content.ReadFromJsonAsync<ClaimResponse>())!.StepId);
        Assert.Equal(
            $"{{{system}}}|{{kvm}}|{{big-parallel}}|3|2.5",
            await ScalarAsync<string>("SELECT systems::text || '|' || features::text || '|' || mandatory_features::text || '|' || max_jobs || '|' || speed_factor FROM workers WHERE name = 'long-poller'"));
    }

    [Fact]
    public async Task A_claim_that_finds_nothing_within_its_wait_gets_204()
    {
        using var client = await WorkerClientAsync("idle");

        using var response = await client.PostAsJsonAsync(WorkerProtocol.Claim, new ClaimRequest([$"none-{Guid.NewGuid():N}"], [], 1));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task Aborted_reports_on_three_steps_quarantine_the_worker_whose_claims_then_answer_empty()
    {
        var system = $"quarantine-{Guid.NewGuid():N}-linux";
        using var client = await WorkerClientAsync("aborts-everything");
        for (var i = 0; i < 4; i++)
        {
            await ScalarAsync<long>($"INSERT INTO steps (drv_path, system, state, created_at) VALUES ('/nix/store/{Guid.NewGuid():N}-q{i}.drv', '{system}', 1, now()) RETURNING id");
        }

        for (var i = 0; i < 3; i++)
        {
            using var claimed = await client.PostAsJsonAsync(WorkerProtocol.Claim, new ClaimRequest([system], [], 0));
            var claim = (await claimed.Content.ReadFromJsonAsync<ClaimResponse>())!;
            using var finished = await client.PostAsJsonAsync(WorkerProtocol.ForAttempt(WorkerProtocol.Finish, claim.AttemptId),
                new FinishRequest(StepOutcome.Aborted, 1, "nix-store: cannot open connection", []));
            finished.EnsureSuccessStatusCode();
        }
        using var refused = await client.PostAsJsonAsync(WorkerProtocol.Claim, new ClaimRequest([system], [], 1));

        Assert.Equal(HttpStatusCode.NoContent, refused.StatusCode);
        Assert.True(await ScalarAsync<bool>("SELECT quarantined_until > now() FROM workers WHERE name = 'aborts-everything'"));
        Assert.Equal(1L, await ScalarAsync<long>($"SELECT count(*) FROM steps WHERE system = '{system}' AND state = 1 AND tries = 0"));
    }

    [Fact]
    public async Task A_disabled_worker_is_still_known_but_gets_no_steps()
    {
        var system = $"disabled-{Guid.NewGuid():N}-linux";
        using var client = await WorkerClientAsync("switched-off");
        await ScalarAsync<long>($"INSERT INTO steps (drv_path, system, state, created_at) VALUES ('/nix/store/{Guid.NewGuid():N}-d.drv', '{system}', 1, now()) RETURNING id");
        await factory.Services.GetRequiredService<WorkerDirectory>().SetEnabledAsync("switched-off", false, CancellationToken.None);

        using var info = await client.GetAsync(WorkerProtocol.Info);
        using var claim = await client.PostAsJsonAsync(WorkerProtocol.Claim, new ClaimRequest([system], [], 1));

        Assert.Equal(HttpStatusCode.OK, info.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, claim.StatusCode);
    }

    [Fact]
    public async Task A_restarted_worker_releases_the_attempts_of_its_previous_run()
    {
        var system = $"release-{Guid.NewGuid():N}-linux";
        using var client = await WorkerClientAsync("restarting");
        var step = await ScalarAsync<long>($"INSERT INTO steps (drv_path, system, state, created_at) VALUES ('/nix/store/{Guid.NewGuid():N}-r.drv', '{system}', 1, now()) RETURNING id");
        using (var claimed = await client.PostAsJsonAsync(WorkerProtocol.Claim, new ClaimRequest([system], [], 0)))
        {
            Assert.Equal(step, (await claimed.Content.ReadFromJsonAsync<ClaimResponse>())!.StepId);
        }

        using var released = await client.PostAsync(WorkerProtocol.Release, null);

        Assert.Equal(1, (await released.Content.ReadFromJsonAsync<ReleaseResponse>())!.Released);
        Assert.Equal((short)1, await ScalarAsync<short>($"SELECT state FROM steps WHERE id = {step}"));
        using var again = await client.PostAsJsonAsync(WorkerProtocol.Claim, new ClaimRequest([system], [], 0));
        Assert.Equal(step, (await again.Content.ReadFromJsonAsync<ClaimResponse>())!.StepId);
    }

    [Fact]
    public async Task A_report_carrying_the_log_s_last_batch_puts_it_after_the_earlier_batches()
    {
        var system = $"log-tail-{Guid.NewGuid():N}-linux";
        using var client = await WorkerClientAsync("log-tail");
        using (var info = await client.GetAsync(WorkerProtocol.Info))
        {
            Assert.True((await info.Content.ReadFromJsonAsync<WorkerInfo>())!.FinishTakesLog);
        }

        var step = await ScalarAsync<long>($"INSERT INTO steps (drv_path, system, state, created_at) VALUES ('/nix/store/{Guid.NewGuid():N}-l.drv', '{system}', 1, now()) RETURNING id");
        using var claimed = await client.PostAsJsonAsync(WorkerProtocol.Claim, new ClaimRequest([system], [], 0));
        var claim = (await claimed.Content.ReadFromJsonAsync<ClaimResponse>())!;
        using (var batch = await client.PostAsync(WorkerProtocol.ForAttempt(WorkerProtocol.Log, claim.AttemptId), new StringContent("first batch\n")))
        {
            batch.EnsureSuccessStatusCode();
        }

        using var finished = await client.PostAsJsonAsync(WorkerProtocol.ForAttempt(WorkerProtocol.Finish, claim.AttemptId),
            new FinishRequest(StepOutcome.Failed, 100, "failed on purpose", [], Log: "last batch\n"));
        finished.EnsureSuccessStatusCode();
        // A repeated report (its answer lost on the way) is still answered as accepted and adds nothing.
        using var repeated = await client.PostAsJsonAsync(WorkerProtocol.ForAttempt(WorkerProtocol.Finish, claim.AttemptId),
            new FinishRequest(StepOutcome.Failed, 100, "failed on purpose", [], Log: "last batch\n"));
        repeated.EnsureSuccessStatusCode();

        Assert.Equal((short)4, await ScalarAsync<short>($"SELECT state FROM steps WHERE id = {step}"));
        var log = await factory.Services.GetRequiredService<StepLogStore>().ReadTailAsync(step, 10, CancellationToken.None);
        Assert.NotNull(log);
        Assert.EndsWith("first batch\nlast batch", log, StringComparison.Ordinal);
        Assert.Single(log.Split('\n'), l => l == "last batch");
    }

    private async Task<HttpClient> WorkerClientAsync(string name)
    {
        var token = await factory.CreateWorkerTokenAsync(name);
        var client = factory.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var command = factory.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
