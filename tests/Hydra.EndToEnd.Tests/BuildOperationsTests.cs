using System.Net;
using System.Net.Http.Json;
using Hydra.Core;
using Hydra.Core.Data.Entities;
using Hydra.Queue.Completion;
using Hydra.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hydra.EndToEnd.Tests;

/// <summary>
/// Cancel and restart through the API with real builders, and a builder restarted under its token: the
/// cancelled build's Nix process is killed, a restarted build builds again next to its first attempt, and a
/// restarted builder gives its steps back at once instead of after the lease (a minute in this farm).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class BuildOperationsTests(Farm farm) : IClassFixture<Farm>, IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    // Each test brings its own workers; none may linger into the next one.
    public Task DisposeAsync() => farm.StopBuildersAsync();

    private static string Release(string job, string script) =>
        $"{{ src }}:\n{{\n{NixTestEnvironment.Derivation(job, script, Guid.NewGuid().ToString("N"))}\n}}\n";

    private async Task<Build> OnlyBuildAsync(string project) =>
        await farm.QueryAsync(db => db.Builds.AsNoTracking().SingleAsync(b => b.Jobset!.Project!.Name == project));

    private Task WaitForBuildAsync(string project, Func<Build, bool> done) =>
        farm.WaitUntilAsync(async db => done(await db.Builds.AsNoTracking().SingleAsync(b => b.Jobset!.Project!.Name == project)), TimeSpan.FromMinutes(3));

    [Fact]
    public async Task Cancelling_a_running_build_kills_its_Nix_process_and_the_build_ends_cancelled()
    {
        // A sleep no other process on the machine runs, so the test can see it come and go.
        var marker = $"1000.{Random.Shared.Next(100_000, 999_999)}";
        using var repository = new GitRepository();
        repository.Commit("first", ("release.nix", Release("sleeper", $"echo started; sleep {marker}; echo done > $out")));
        await farm.CreateJobsetAsync("cancelled", "main", repository.Url);
        await farm.StartBuilderAsync("canceller-target", maxJobs: 1, ownStore: true);

        await farm.PushAndWaitForCheckAsync("cancelled", "main");
        await farm.WaitUntilAsync(_ => Task.FromResult(Processes($"sleep {marker}").Count > 0), TimeSpan.FromMinutes(2));
        var build = await OnlyBuildAsync("cancelled");
        // The builder builds through a long-lived nix-daemon --stdio per job slot: the sleep runs below it.
        var nix = NixAncestor(Processes($"sleep {marker}").First());
        Assert.NotNull(nix);

        var response = await farm.Client.PostAsJsonAsync($"/build/{build.Id}/cancel", new { });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(BuildStatus.Cancelled, (await OnlyBuildAsync("cancelled")).BuildStatus);
        // The worker hears it at its next heartbeat and kills Nix with the build it runs.
        await farm.WaitUntilAsync(_ => Task.FromResult(Processes($"sleep {marker}").Count == 0 && !Directory.Exists($"/proc/{nix}")), TimeSpan.FromMinutes(1));
        await farm.WaitUntilAsync(_ => Task.FromResult(farm.BuilderOutputContains("cancelled on the server")), TimeSpan.FromMinutes(1));
        var step = await farm.QueryAsync(db => db.Steps.AsNoTracking().SingleAsync(s => s.Id == build.TopStepId));
        Assert.Equal(StepState.Cancelled, step.State);
        var attempt = await farm.QueryAsync(db => db.StepAttempts.AsNoTracking().SingleAsync(a => a.StepId == step.Id));
        Assert.Equal(AttemptState.Aborted, attempt.State);
        Assert.StartsWith("cancelled", attempt.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(BuildStatus.Cancelled, (await OnlyBuildAsync("cancelled")).BuildStatus);
    }

    [Fact]
    public async Task A_restarted_failed_build_builds_again_and_keeps_its_first_attempt()
    {
        // Fails the first time it runs, succeeds afterwards: the flag file outlives the first build.
        var flags = Directory.CreateDirectory(Path.Combine(farm.DataDir, $"flags-{Guid.NewGuid():N}"));
        File.SetUnixFileMode(flags.FullName, (UnixFileMode)0b111_111_111);
        var flag = Path.Combine(flags.FullName, "ran-once");
        using var repository = new GitRepository();
        repository.Commit("first", ("release.nix", Release("flaky", $"if [ -e {flag} ]; then echo ok > $out; else touch {flag}; echo failing once; exit 1; fi")));
        await farm.CreateJobsetAsync("restarted", "main", repository.Url);
        await farm.StartBuilderAsync("restart-builder", maxJobs: 1, ownStore: true);

        await farm.PushAndWaitForCheckAsync("restarted", "main");
        await WaitForBuildAsync("restarted", b => b.Finished);
        var failed = await OnlyBuildAsync("restarted");
        Assert.Equal(BuildStatus.Failed, failed.BuildStatus);

        var response = await farm.Client.PostAsJsonAsync($"/build/{failed.Id}/restart", new { });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await WaitForBuildAsync("restarted", b => b.Finished);
        var build = await OnlyBuildAsync("restarted");
        Assert.Equal(BuildStatus.Succeeded, build.BuildStatus);
        Assert.NotEqual(failed.TopStepId, build.TopStepId);
        var attempts = await farm.QueryAsync(db => db.StepAttempts.AsNoTracking()
            .Where(a => a.StepId == failed.TopStepId || a.StepId == build.TopStepId).OrderBy(a => a.Id).Select(a => a.State).ToListAsync());
        Assert.Equal([AttemptState.Failed, AttemptState.Succeeded], attempts);
        Assert.False(await farm.Services.GetRequiredService<FailureCache>().ContainsAsync(build.DrvPath, CancellationToken.None));
        var log = await farm.Client.GetStringAsync($"/build/{build.Id}/step/{failed.TopStepId}/log/raw");
        Assert.Contains("failing once", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_builder_restarted_under_its_token_gives_its_steps_back_at_once()
    {
        using var repository = new GitRepository();
        repository.Commit("first", ("release.nix", Release("slow", "echo started; sleep 5; echo done > $out")));
        await farm.CreateJobsetAsync("phoenix", "main", repository.Url);
        var token = await farm.CreateWorkerTokenAsync("phoenix");
        var first = await farm.Builders.StartAsync(farm.Url, "phoenix", token, maxJobs: 1, ownStore: true);

        await farm.PushAndWaitForCheckAsync("phoenix", "main");
        await farm.WaitUntilAsync(db => db.StepAttempts.AnyAsync(a => a.Worker!.Name == "phoenix" && a.State == AttemptState.Running), TimeSpan.FromMinutes(2));
        await farm.KillBuilderAsync(first);
        await farm.Builders.StartAsync(farm.Url, "phoenix", token, maxJobs: 1, ownStore: true);

        await WaitForBuildAsync("phoenix", b => b.Finished);
        Assert.Equal(BuildStatus.Succeeded, (await OnlyBuildAsync("phoenix")).BuildStatus);
        var attempts = await farm.QueryAsync(db => db.StepAttempts.AsNoTracking().Where(a => a.Worker!.Name == "phoenix").OrderBy(a => a.Id).ToListAsync());
        Assert.Equal([AttemptState.Aborted, AttemptState.Succeeded], attempts.Select(a => a.State));
        Assert.StartsWith("released", attempts[0].ErrorMessage, StringComparison.Ordinal);
        // Claimed again while the killed run's lease (a minute) still had time left.
        Assert.True(attempts[1].StartedAt < attempts[0].LeaseExpiresAt, $"{attempts[1].StartedAt:O} vs lease {attempts[0].LeaseExpiresAt:O}");
        Assert.True(farm.BuilderOutputContains("Released 1 attempt(s)"), farm.BuilderOutputText());
    }

    /// <summary>Processes whose command line contains <paramref name="text"/>.</summary>
    /// <summary>The nearest process above <paramref name="pid"/> that is a Nix daemon, from <c>/proc</c>.</summary>
    private static int? NixAncestor(int pid)
    {
        try
        {
            for (var current = pid; current > 1;)
            {
                var stat = File.ReadAllText($"/proc/{current}/stat");
                current = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                if (File.ReadAllText($"/proc/{current}/cmdline").Contains("nix-daemon", StringComparison.Ordinal))
                {
                    return current;
                }
            }
        }
        catch (IOException)
        {
            // Gone while we looked.
        }

        return null;
    }

    private static List<int> Processes(string text)
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }
            try
            {
                if (File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ').Contains(text, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Exited while we looked.
            }
        }
        return found;
    }
}
