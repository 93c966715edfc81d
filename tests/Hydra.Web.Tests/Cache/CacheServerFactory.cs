using System.Net;
using Hydra.Queue.Workers;
using Hydra.Testing;
using Hydra.Web.Cache;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Hydra.Web.Tests.Cache;

/// <summary>
/// The real server (web role) on Kestrel at a free loopback port, so Nix can reach the cache over TCP.
/// Fresh database and data dir per test class.
/// </summary>
public sealed class CacheServerFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    private string _connectionString = "";

    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), $"hydra-cache-test-{Guid.NewGuid():N}");

    public string CacheDir => Path.Combine(DataDir, "cache");

    /// <summary>e.g. <c>http://127.0.0.1:41234</c>, no trailing slash.</summary>
    public string BaseUrl { get; private set; } = "";

    public string CacheUrl => BaseUrl + "/cache";

    public async Task InitializeAsync()
    {
        _connectionString = await TestDatabase.CreateAsync();
        Directory.CreateDirectory(DataDir);
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseUrl = addresses.First().TrimEnd('/');
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await TestDatabase.DropAsync(_connectionString);
        Directory.Delete(DataDir, recursive: true);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:Hydra", _connectionString);
        builder.UseSetting("Hydra:DataDir", DataDir);
        builder.UseSetting("Hydra:Roles", "web");
    }

    /// <summary>A plain client for the real server.</summary>
    public HttpClient Client() => new() { BaseAddress = new Uri(BaseUrl) };

    public async Task<string> CreateWorkerTokenAsync(string name) =>
        await Services.GetRequiredService<WorkerTokens>().CreateOrRotateAsync(name, CancellationToken.None);

    public async Task<string> PublicKeyAsync() =>
        (await Services.GetRequiredService<CacheSigningKey>().GetAsync(CancellationToken.None)).PublicKeyText;
}
