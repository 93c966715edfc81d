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
    private readonly List<Process> _builders = [];
    private WebApplication? _app;
    private string _connectionString = "";

    public string DataDir { get; } = Directory.CreateTempSubdirectory("hydra-e2e-").FullName;
    public string Url { get; private set; } = "";
    public HttpClient Client { get; private set; } = null!;
    public IServiceProvider Services => _app!.Services;

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
            if (_builders.FirstOrDefault(b => b.HasExited) is { } exited)
            {
                throw new InvalidOperationException($"hydra-builder exited with {exited.ExitCode}:\n{string.Join("\n", BuilderOutput)}");
            }
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"Condition not met within {timeout}. Builder output:\n{string.Join("\n", BuilderOutput)}");
            }
            await Task.Delay(200);
        }
    }

    public List<string> BuilderOutput { get; } = [];

    public bool BuilderOutputContains(string text)
    {
        lock (BuilderOutput)
        {
            return BuilderOutput.Any(line => line.Contains(text, StringComparison.Ordinal));
        }
    }

    public string BuilderOutputText()
    {
        lock (BuilderOutput)
        {
            return string.Join("\n", BuilderOutput);
        }
    }

    /// <summary>
    /// Starts a real hydra-builder process with a fresh worker token. With <paramref name="ownStore"/> it
    /// runs in its own mount namespace with an empty tmpfs over <c>/nix</c>: a machine of its own, whose
    /// store starts empty and can only receive paths through the farm's binary cache.
    /// <paramref name="systems"/> (comma-separated) and <paramref name="extraNixConfig"/> go to the builder as is.
    /// </summary>
    public async Task<Process> StartBuilderAsync(string name, int maxJobs = 2, bool ownStore = false, string? systems = null, string? extraNixConfig = null)
    {
        var token = await Services.GetRequiredService<WorkerTokens>().CreateOrRotateAsync(name, CancellationToken.None);
        var workDir = Path.Combine(DataDir, "builders", name);
        Directory.CreateDirectory(workDir);
        var tokenFile = Path.Combine(workDir, "token");
        await File.WriteAllTextAsync(tokenFile, token);
        // tests/Hydra.EndToEnd.Tests/bin/<Configuration>/net10.0/ -> Hydra.Builder/bin/<Configuration>/net10.0/
        var testBin = AppContext.BaseDirectory.TrimEnd('/');
        var configuration = Path.GetFileName(Path.GetDirectoryName(testBin))!;
        var builderDll = Path.GetFullPath(Path.Combine(testBin, "../../../../../Hydra.Builder/bin", configuration, "net10.0/hydra-builder.dll"));
        if (!File.Exists(builderDll))
        {
            throw new FileNotFoundException($"hydra-builder is not built at {builderDll}.");
        }
        List<string> command = ["dotnet", builderDll, "--server", Url, "--token-file", tokenFile, "--name", name, "--max-jobs", maxJobs.ToString(), "--work-dir", workDir];
        if (systems is not null)
        {
            command.AddRange(["--systems", systems]);
        }
        if (ownStore)
        {
            // unshare and sh exec into the builder, so killing the process tree stops it and frees the tmpfs.
            command = ["unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", "mount -t tmpfs hydra-builder-store /nix && exec \"$@\"", "sh", .. command];
        }
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }
        // The nixbld uids are the machine's, but a store of its own has its own pool of them, and Nix kills every
        // process of a build user before building as it: builders with separate stores would kill each other's
        // (and every other test's) builds. So those build as root, with no build users.
        List<string> nixConfig = [NixTestEnvironment.Config, .. ownStore ? ["build-users-group ="] : Array.Empty<string>()];
        if (extraNixConfig is not null)
        {
            nixConfig.Add(extraNixConfig);
        }
        if (nixConfig.Count > 1)
        {
            start.Environment["NIX_CONFIG"] = string.Join('\n', nixConfig);
        }
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (BuilderOutput) { BuilderOutput.Add(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (BuilderOutput) { BuilderOutput.Add(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _builders.Add(process);
        return process;
    }

    /// <summary>SIGKILLs a builder and its Nix processes, as a crash would; waits stop watching it.</summary>
    public async Task KillBuilderAsync(Process builder)
    {
        _builders.Remove(builder);
        builder.Kill(entireProcessTree: true);
        await builder.WaitForExitAsync();
    }

    /// <summary>Kills every builder started so far, so the next test starts with none.</summary>
    public async Task StopBuildersAsync()
    {
        foreach (var builder in _builders.ToList())
        {
            await KillBuilderAsync(builder);
        }
        lock (BuilderOutput)
        {
            BuilderOutput.Clear();
        }
    }

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
