using Hydra.Queue.Workers;
using Hydra.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Hydra.Bench.Protocol;

/// <summary>
/// The real hydra-server (web and queue roles, no evaluator) on Kestrel at a free loopback port, over the
/// benchmark's database and a temporary data dir; <paramref name="settings"/> add or override configuration.
/// </summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BenchServer(WebApplication app, string url, string dataDir)
    {
        _app = app;
        Url = url;
        DataDir = dataDir;
    }

    public string Url { get; }

    public string DataDir { get; }

    public string CacheDir => Path.Combine(DataDir, "cache");

    public IServiceProvider Services => _app.Services;

    public static async Task<BenchServer> StartAsync(string connectionString, string dataDir, IReadOnlyDictionary<string, string?> settings)
    {
        var app = HydraServer.Build(["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Hydra"] = connectionString,
                ["Hydra:DataDir"] = dataDir,
                ["Hydra:Roles"] = "web,queue",
                ["Serilog:MinimumLevel:Default"] = "Warning",
            });
            builder.Configuration.AddInMemoryCollection(settings);
        });
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new BenchServer(app, url, dataDir);
    }

    /// <summary>Creates <paramref name="count"/> workers and returns their tokens.</summary>
    public async Task<string[]> WorkerTokensAsync(string prefix, int count)
    {
        var tokens = _app.Services.GetRequiredService<WorkerTokens>();
        var result = new string[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = await tokens.CreateOrRotateAsync($"{prefix}-{i}", CancellationToken.None);
        }
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
