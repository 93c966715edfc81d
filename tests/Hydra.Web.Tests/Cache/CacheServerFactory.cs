using System.Net;
using Hydra.Queue.Workers;
using Npgsql;
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
public class CacheServerFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly bool _ownsState = true;
    private string _connectionString = "";

    public CacheServerFactory()
    {
    }

    private CacheServerFactory(CacheServerFactory earlier)
    {
        _ownsState = false;
        _connectionString = earlier._connectionString;
        DataDir = earlier.DataDir;
    }

    /// <summary>
    /// A second server over this one's database and data dir, with nothing in memory, as after a restart. It neither
    /// creates nor removes them; initialize it, and dispose it before this one.
    /// </summary>
    public CacheServerFactory Restarted() => new(this);

    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), $"hydra-cache-test-{Guid.NewGuid():N}");

    public string CacheDir => Path.Combine(DataDir, "cache");

    /// <summary>e.g. <c>http://127.0.0.1:41234</c>, no trailing slash.</summary>
    public string BaseUrl { get; private set; } = "";

    public string CacheUrl => BaseUrl + "/cache";

    public async Task InitializeAsync()
    {
        if (_ownsState)
        {
            _connectionString = await TestDatabase.CreateAsync();
            Directory.CreateDirectory(DataDir);
        }

        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseUrl = addresses.First().TrimEnd('/');
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        if (_ownsState)
        {
            await TestDatabase.DropAsync(_connectionString);
            Directory.Delete(DataDir, recursive: true);
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:Hydra", _connectionString);
        builder.UseSetting("Hydra:DataDir", DataDir);
        builder.UseSetting("Hydra:Roles", "web");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>Extra configuration for a variant of the server (a private cache, a rotated key).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string>> Settings => [];

    /// <summary>A plain client for the real server.</summary>
    public HttpClient Client() => new() { BaseAddress = new Uri(BaseUrl) };

    public async Task<string> CreateWorkerTokenAsync(string name) =>
        await Services.GetRequiredService<WorkerTokens>().CreateOrRotateAsync(name, CancellationToken.None);

    /// <summary>
    /// Gives worker <paramref name="workerName"/> a running step with <paramref name="outputPaths"/> on a lease
    /// expiring after <paramref name="lease"/> (default an hour), as a claim would: uploads need one. The step builds
    /// <paramref name="drvPath"/> (default a random derivation). Returns the attempt id.
    /// </summary>
    public async Task<long> HoldStepAsync(string workerName, string[] outputPaths, TimeSpan? lease = null, string? drvPath = null)
    {
        await using var command = Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
            """
            WITH ids AS (SELECT nextval('steps_id_seq') AS step, nextval('step_attempts_id_seq') AS attempt),
            step AS (
                INSERT INTO steps (id, drv_path, system, output_paths, state, current_attempt_id, created_at, started_at)
                SELECT ids.step, coalesce(@drv, '/nix/store/' || md5(random()::text) || '-held.drv'), 'x86_64-linux', @outputs, 2, ids.attempt, now(), now() FROM ids
                RETURNING id
            )
            INSERT INTO step_attempts (id, step_id, worker_id, state, lease_expires_at, started_at)
            SELECT ids.attempt, step.id, w.id, 0, now() + @lease, now() FROM ids, step, workers w WHERE w.name = @worker
            RETURNING id
            """);
        command.Parameters.AddWithValue("outputs", outputPaths);
        command.Parameters.AddWithValue("lease", lease ?? TimeSpan.FromHours(1));
        command.Parameters.AddWithValue("worker", workerName);
        command.Parameters.Add("drv", NpgsqlTypes.NpgsqlDbType.Text).Value = (object?)drvPath ?? DBNull.Value;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async Task<string> PublicKeyAsync() =>
        (await Services.GetRequiredService<CacheSigningKey>().GetAsync(CancellationToken.None)).PublicKeyText;
}
