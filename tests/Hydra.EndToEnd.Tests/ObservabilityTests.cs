using System.Collections.Concurrent;
using Hydra.Testing;
using Hydra.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Hydra.EndToEnd.Tests;

/// <summary>With Hydra:Otlp:Endpoint set, logs and traces leave the server over OTLP/HTTP (as Seq ingests them).</summary>
public sealed class ObservabilityTests
{
    [Fact]
    public async Task Otlp_endpoint_receives_logs_and_traces()
    {
        var received = new ConcurrentBag<(string Path, string? ContentType)>();
        await using var receiver = LoopbackApp.Create();
        receiver.MapPost("/ingest/otlp/{**signal}", (HttpRequest request) =>
        {
            received.Add((request.Path.Value!, request.ContentType));
            return Results.Ok();
        });
        await receiver.StartAsync();
        var receiverUrl = receiver.Address();

        var connectionString = await TestDatabase.CreateAsync();
        var dataDir = Directory.CreateTempSubdirectory("hydra-otlp-").FullName;
        try
        {
            var server = HydraServer.Build(
            [
                "--urls", "http://127.0.0.1:0",
                $"--ConnectionStrings:Hydra={connectionString}",
                $"--Hydra:DataDir={dataDir}",
                "--Hydra:Roles=web",
                $"--Hydra:Otlp:Endpoint={receiverUrl}/ingest/otlp",
            ]);
            await server.StartAsync();
            var url = server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using (var client = new HttpClient())
            {
                Assert.Equal("ok\n", await client.GetStringAsync($"{url}/health"));
            }
            await server.StopAsync();
            // Disposing the providers flushes their batches.
            await server.DisposeAsync();
        }
        finally
        {
            await TestDatabase.DropAsync(connectionString);
            Directory.Delete(dataDir, recursive: true);
        }

        Assert.Contains(received, r => r.Path == "/ingest/otlp/v1/logs" && r.ContentType == "application/x-protobuf");
        Assert.Contains(received, r => r.Path == "/ingest/otlp/v1/traces" && r.ContentType == "application/x-protobuf");
    }
}
