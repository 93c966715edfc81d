using System.Net.Http.Json;
using Hydra.Core.Data;
using Hydra.Testing;
using Hydra.Web.Auth;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Hydra.Web.Tests;

/// <summary>
/// The real server (web role only, so no evaluator or queue loops) over a fresh migrated database
/// and a temporary data dir. One per test class.
/// </summary>
public sealed class HydraWebFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string Origin = "http://localhost";

    private string _connectionString = "";

    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), $"hydra-web-test-{Guid.NewGuid():N}");

    /// <summary>The test database, for commands run as separate processes.</summary>
    public string ConnectionString => _connectionString;

    public async Task InitializeAsync()
    {
        _connectionString = await TestDatabase.CreateAsync();
        Directory.CreateDirectory(DataDir);
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
        // Tests change builds after seeding them; a comparison warmed in between would show them stale.
        builder.UseSetting("Hydra:Web:WarmEvaluationComparisons", "false");
        builder.ConfigureServices(services => services.ConfigureDbContext<HydraDbContext>(options => options.AddInterceptors(Sql)));
    }

    /// <summary>Records the server's EF Core commands while <see cref="SqlRecorder.Recording"/> is on (plan checks).</summary>
    public SqlRecorder Sql { get; } = new();

    /// <summary>Runs <paramref name="action"/> with a DbContext of the server's database.</summary>
    public async Task WithDbAsync(Func<HydraDbContext, Task> action)
    {
        await using var scope = Services.CreateAsyncScope();
        await action(scope.ServiceProvider.GetRequiredService<HydraDbContext>());
    }

    public async Task CreateUserAsync(string name, string password, params string[] roles)
    {
        await using var scope = Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<UserService>().CreateOrUpdateUserAsync(name, password, roles, CancellationToken.None);
    }

    /// <summary>A client that keeps cookies, sends a same-origin Origin header and is signed in as the user.</summary>
    public async Task<HttpClient> SignedInClientAsync(string name, string password, params string[] roles)
    {
        await CreateUserAsync(name, password, roles);
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("Origin", Origin);
        var response = await client.PostAsJsonAsync("/login", new { username = name, password });
        response.EnsureSuccessStatusCode();
        return client;
    }

    /// <summary>A client asking for JSON, as Hydra's API clients do.</summary>
    public HttpClient JsonClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("Accept", "application/json");
        return client;
    }
}
