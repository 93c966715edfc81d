using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Hydra.Core.Data;
using Hydra.Queue.Workers;
using Hydra.Testing;
using Hydra.Web;
using Hydra.Web.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hydra.EndToEnd.Tests;

/// <summary>
/// The whole farm for a test: the real server (all roles) on a loopback port over a fresh database
/// and data dir, a signed-in API client, and hydra-builder processes started on demand.
/// </summary>
public class Farm : IAsyncLifetime
{
    private WebApplication? _app;
    private string _connectionString = "";

    public string DataDir { get; } = Directory.CreateTempSubdirectory("hydra-e2e-").FullName;
    public string Url { get; private set; } = "";
    public HttpClient Client { get; private set; } = null!;
    public IServiceProvider Services => _app!.Services;
    public BuilderProcesses Builders { get; }

    public Farm() => Builders = new BuilderProcesses(DataDir);

    /// <summary>More server settings (command-line form) for a fixture that needs them.</summary>
    protected virtual IEnumerable<string> ExtraArguments => [];

    public async Task InitializeAsync()
    {
        NixTestEnvironment.Apply();
        _connectionString = await TestDatabase.CreateAsync();
        _app = HydraServer.Build(
        [
            "--urls", "http://127.0.0.1:0",
            $"--ConnectionStrings:Hydra={_connectionString}",
            $"--Hydra:DataDir={DataDir}",
            "--Hydra:Evaluator:PollInterval=00:00:01",
            "--Hydra:Queue:RetryInterval=00:00:02",
            "--Hydra:Queue:ReaperInterval=00:00:01",
            "--Serilog:MinimumLevel:Default=Warning",
            .. ExtraArguments,
        ]);
        await _app.StartAsync();
        Url = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        await using (var scope = Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<UserService>().CreateOrUpdateUserAsync("admin", "e2e-password", ["admin"], CancellationToken.None);
        }
        Client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(Url) };
        Client.DefaultRequestHeaders.Add("Origin", Url);
        Client.DefaultRequestHeaders.Add("Accept", "application/json");
        var login = await Client.PostAsJsonAsync("/login", new { username = "admin", password = "e2e-password" });
        login.EnsureSuccessStatusCode();
    }

    /// <summary>Creates a project and a git jobset over <paramref name="repositoryUrl"/>.</summary>
    public async Task CreateJobsetAsync(string project, string jobset, string repositoryUrl, string nixFile = "release.nix")
    {
        (await Client.PutAsJsonAsync($"/project/{project}", new { displayname = project, enabled = true, visible = true, owner = "admin" })).EnsureSuccessStatusCode();
        (await Client.PutAsJsonAsync($"/jobset/{project}/{jobset}", new
        {
            nixexprinput = "src",
            nixexprpath = nixFile,
            enabled = 1,
            visible = true,
            checkinterval = 0,
            schedulingshares = 100,
            keepnr = 3,
            inputs = new { src = new { type = "git", value = $"{repositoryUrl} main", emailresponsible = false } },
        })).EnsureSuccessStatusCode();
    }

    /// <summary>Triggers the jobset and waits until the evaluator has checked it.</summary>
    public async Task PushAndWaitForCheckAsync(string project, string jobset)
    {
        var before = DateTimeOffset.UtcNow;
        var response = await Client.PostAsync($"/api/push?jobsets={project}:{jobset}", null);
        response.EnsureSuccessStatusCode();
        await WaitUntilAsync(async db => await db.Jobsets.AnyAsync(j =>
            j.Name == jobset && j.Project!.Name == project && j.TriggerTime == null && j.LastCheckedAt >= before), TimeSpan.FromMinutes(2));
    }

    public async Task<T> QueryAsync<T>(Func<HydraDbContext, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<HydraDbContext>());
    }

    /// <summary>Polls the database until <paramref name="condition"/> holds; fails with a timeout otherwise.</summary>
    public async Task WaitUntilAsync(Func<HydraDbContext, Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!await QueryAsync(condition))
        {
            if (Builders.Exited() is { } exited)
            {
                throw new InvalidOperationException($"hydra-builder exited with {exited.ExitCode}:\n{Builders.OutputText()}");
            }
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"Condition not met within {timeout}. Builder output:\n{Builders.OutputText()}");
            }
            await Task.Delay(200);
        }
    }

    public bool BuilderOutputContains(string text) => Builders.OutputContains(text);

    public string BuilderOutputText() => Builders.OutputText();

    /// <summary>Starts a real hydra-builder process with a fresh worker token (see <see cref="BuilderProcesses.StartAsync"/>).</summary>
    public async Task<Process> StartBuilderAsync(string name, int maxJobs = 2, bool ownStore = false, string? systems = null, string? extraNixConfig = null,
        IReadOnlyDictionary<string, string>? environment = null) =>
        await Builders.StartAsync(Url, name, await CreateWorkerTokenAsync(name), maxJobs, ownStore, systems, extraNixConfig, environment);

    /// <summary>Creates the worker, or rotates its token; returns the token.</summary>
    public Task<string> CreateWorkerTokenAsync(string name) => Services.GetRequiredService<WorkerTokens>().CreateOrRotateAsync(name, CancellationToken.None);

    /// <summary>SIGKILLs a builder and its Nix processes, as a crash would; waits stop watching it.</summary>
    public Task KillBuilderAsync(Process builder) => Builders.KillAsync(builder);

    /// <summary>Kills every builder started so far, so the next test starts with none.</summary>
    public Task StopBuildersAsync() => Builders.StopAllAsync();

    public async Task DisposeAsync()
    {
        await StopBuildersAsync();
        Client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        await TestDatabase.DropAsync(_connectionString);
        Directory.Delete(DataDir, recursive: true);
    }
}
