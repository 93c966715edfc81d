using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Hydra.Core.Protocol;
using Hydra.Queue.Dispatch;
using Hydra.Queue.Workers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Hydra.Web.Tests;

/// <summary>Hydra:Queue:UseNotify = false (say, behind a pooler that cannot LISTEN): waiting claims poll instead.</summary>
public sealed class PollingClaimTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    [Fact]
    public async Task Without_notify_the_server_does_not_listen_and_a_waiting_claim_finds_new_work_by_polling()
    {
        await using var server = factory.WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Hydra:Queue:UseNotify", "false");
            builder.UseSetting("Hydra:Queue:ClaimPollInterval", "00:00:00.200");
        });
        var system = $"poll-{Guid.NewGuid():N}-linux";
        var token = await server.Services.GetRequiredService<WorkerTokens>().CreateOrRotateAsync("poller", CancellationToken.None);
        using var client = server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var claiming = client.PostAsJsonAsync(WorkerProtocol.Claim, new ClaimRequest([system], [], 20));
        await Task.Delay(300);
        await using var insert = server.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
            $"INSERT INTO steps (drv_path, system, state, created_at) VALUES ('/nix/store/{Guid.NewGuid():N}-p.drv', '{system}', 1, now()) RETURNING id");
        var step = (long)(await insert.ExecuteScalarAsync())!;
        using var response = await claiming;

        Assert.DoesNotContain(server.Services.GetServices<IHostedService>(), service => service is QueueListener);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(step, (await response.Content.ReadFromJsonAsync<ClaimResponse>())!.StepId);
    }
}
