using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Hydra.Core.Protocol;
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
