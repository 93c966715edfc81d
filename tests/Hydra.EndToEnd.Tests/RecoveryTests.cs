using System.Net;
using System.Net.Http.Json;
using Hydra.Core;
using Hydra.Testing;
using Npgsql;

namespace Hydra.EndToEnd.Tests;

/// <summary>
/// The server dying (SIGKILL) and PostgreSQL restarting while steps are being dispatched and built:
/// afterwards every build finishes, none is lost, and no step or attempt is left running.
/// </summary>
public sealed class RecoveryTests : IAsyncLifetime
{
    private const int Jobs = 6;
    private readonly string _dataDir = Directory.CreateTempSubdirectory("hydra-recovery-").FullName;
    private BuilderProcesses _builders = null!;

    public Task InitializeAsync()
    {
        NixTestEnvironment.Apply();
        _builders = new BuilderProcesses(_dataDir);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _builders.StopAllAsync();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task The_server_killed_during_dispatch_and_restarted_loses_no_build_and_leaves_no_step_busy()
    {
        var database = await TestDatabase.CreateAsync();
        try
        {
            await using var server = new ServerProcess(database, _dataDir, Settings);
            await server.StartAsync();
            using var client = await PrepareAsync(server, database, "crash");

            await WaitAsync(database, "SELECT count(*) FROM step_attempts WHERE state = 1", n => n >= 1, server);
            Assert.True(await CountAsync(database, "SELECT count(*) FROM builds WHERE NOT finished") > 0, "the kill should land mid-dispatch");
            await server.KillAsync();
            await server.StartAsync();

            await AssertAllBuiltAsync(database, server);
        }
        finally
        {
            await TestDatabase.DropAsync(database);
        }
    }

    [Fact]
    public async Task PostgreSQL_restarted_during_dispatch_is_survived_by_server_and_workers()
    {
        await using var postgres = new PrivatePostgres();
        await postgres.StartAsync();
        await using var server = new ServerProcess(postgres.ConnectionString, _dataDir, Settings);
        await server.StartAsync();
        using var client = await PrepareAsync(server, postgres.ConnectionString, "restart");

        await WaitAsync(postgres.ConnectionString, "SELECT count(*) FROM step_attempts WHERE state = 1", n => n >= 1, server);
        Assert.True(await CountAsync(postgres.ConnectionString, "SELECT count(*) FROM builds WHERE NOT finished") > 0, "the restart should land mid-dispatch");
        NpgsqlConnection.ClearAllPools();
        await postgres.RestartAsync(TimeSpan.FromSeconds(3));

        await AssertAllBuiltAsync(postgres.ConnectionString, server);
        Assert.True(server.IsRunning, "the server must survive the database restart");
        using var health = await new HttpClient().GetAsync(server.Url + "/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private static readonly string[] Settings =
    [
        "--Hydra:Queue:LeaseDuration=00:00:05",
        "--Hydra:Queue:HeartbeatInterval=00:00:01",
        "--Hydra:Queue:RetryInterval=00:00:01",
        "--Hydra:Queue:ReaperInterval=00:00:01",
        "--Hydra:Evaluator:PollInterval=00:00:01",
        "--Serilog:MinimumLevel:Default=Warning",
    ];

    /// <summary>Admin, a worker with its own store, a jobset of <see cref="Jobs"/> one-second jobs, pushed.</summary>
    private async Task<HttpClient> PrepareAsync(ServerProcess server, string database, string project)
    {
        await server.RunAsync("create-user", "admin", "--password", "recovery-password", "--role", "admin");
        var token = (await server.RunAsync("create-worker", "worker")).Split('\n').Last().Trim();
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(server.Url) };
        client.DefaultRequestHeaders.Add("Origin", server.Url);
        client.DefaultRequestHeaders.Add("Accept", "application/json");
        (await client.PostAsJsonAsync("/login", new { username = "admin", password = "recovery-password" })).EnsureSuccessStatusCode();

        var salt = Guid.NewGuid().ToString("N");
        using var repository = new GitRepository();
        var jobs = string.Join("\n", Enumerable.Range(0, Jobs).Select(i => NixTestEnvironment.Derivation($"job{i}", $"echo job {i}; sleep 1; echo {i} > $out", salt)));
        repository.Commit("first", ("release.nix", $"{{ src }}:\n{{\n{jobs}\n}}\n"));
        (await client.PutAsJsonAsync($"/project/{project}", new { displayname = project, enabled = true, visible = true, owner = "admin" })).EnsureSuccessStatusCode();
        (await client.PutAsJsonAsync($"/jobset/{project}/main", new
        {
            nixexprinput = "src", nixexprpath = "release.nix", enabled = 1, visible = true, checkinterval = 0, schedulingshares = 100, keepnr = 3,
            inputs = new { src = new { type = "git", value = $"{repository.Url} main", emailresponsible = false } },
        })).EnsureSuccessStatusCode();
        await _builders.StartAsync(server.Url, "worker", token, maxJobs: 2, ownStore: true);
        (await client.PostAsync($"/api/push?jobsets={project}:main", null)).EnsureSuccessStatusCode();
        // The repository must outlive the evaluation: wait until the builds exist.
        await WaitAsync(database, "SELECT count(*) FROM builds", n => n == Jobs, server);
        return client;
    }

    private static async Task AssertAllBuiltAsync(string database, ServerProcess server)
    {
        await WaitAsync(database, "SELECT count(*) FROM builds WHERE finished", n => n == Jobs, server, TimeSpan.FromMinutes(10));
        Assert.Equal(Jobs, await CountAsync(database, $"SELECT count(*) FROM builds WHERE build_status = {BuildStatus.Succeeded}"));
        Assert.Equal(Jobs, await CountAsync(database, "SELECT count(*) FROM builds"));
        Assert.Equal(0, await CountAsync(database, "SELECT count(*) FROM steps WHERE state < 3"));
        Assert.Equal(0, await CountAsync(database, "SELECT count(*) FROM step_attempts WHERE state = 0"));
    }

    /// <summary>
    /// Polls <paramref name="sql"/> until <paramref name="done"/> holds. The deadline only ends a run that hangs:
    /// on a loaded machine evaluation, restarts and builds take minutes, not seconds.
    /// </summary>
    private static async Task WaitAsync(string database, string sql, Func<long, bool> done, ServerProcess server, TimeSpan? timeout = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (done(await CountAsync(database, sql)))
                {
                    return;
                }
            }
            catch (NpgsqlException)
            {
                // The database may be restarting.
            }
            if (clock.Elapsed > (timeout ?? TimeSpan.FromMinutes(5)))
            {
                throw new TimeoutException($"'{sql}' did not reach the expected value. Server output:\n{server.Output()}");
            }
            await Task.Delay(200);
        }
    }

    private static async Task<long> CountAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
