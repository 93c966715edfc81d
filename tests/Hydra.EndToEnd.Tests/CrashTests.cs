using System.Diagnostics;
using Hydra.Core;
using Hydra.Core.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Hydra.EndToEnd.Tests;

/// <summary>
/// The farm with leases short enough for a test to outlive one, and a quarantine long enough that none
/// ends while a test runs.
/// </summary>
public sealed class ShortLeaseFarm : Farm
{
    protected override IEnumerable<string> ExtraArguments =>
    [
        "--Hydra:Queue:LeaseDuration=00:00:04",
        "--Hydra:Queue:HeartbeatInterval=00:00:01",
        "--Hydra:Queue:RetryInterval=00:00:01",
        "--Hydra:Queue:QuarantineDuration=00:10:00",
    ];
}

/// <summary>
/// Workers dying or freezing in the middle of a build: the step comes back when the lease runs out,
/// is built by another worker, and the dead or frozen one can change nothing afterwards. A worker
/// whose Nix is broken is quarantined while a healthy one builds everything.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CrashTests(ShortLeaseFarm farm) : IClassFixture<ShortLeaseFarm>, IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    // Each test brings its own workers; none may linger into the next one.
    public Task DisposeAsync() => farm.StopBuildersAsync();

    private static string Release(string salt, string job, string script) =>
        $$"""
        { src }:
        {
        {{Hydra.Testing.NixTestEnvironment.Derivation(job, script, salt)}}
        }
        """;

    [Fact]
    public async Task A_worker_killed_mid_build_loses_the_step_to_another_worker_and_the_build_succeeds()
    {
        using var repository = new Hydra.Testing.GitRepository();
        repository.Commit("first", ("release.nix", Release(Guid.NewGuid().ToString("N"), "slow", "echo started; sleep 3; echo done > $out")));
        await farm.CreateJobsetAsync("killed", "main", repository.Url);
        var doomed = await farm.StartBuilderAsync("doomed", maxJobs: 1, ownStore: true);

        await farm.PushAndWaitForCheckAsync("killed", "main");
        await WaitForRunningAttemptAsync("doomed");
        await farm.KillBuilderAsync(doomed); // SIGKILL: no goodbye, no report
        await farm.StartBuilderAsync("rescuer", maxJobs: 1, ownStore: true);

        var build = await WaitForBuildAsync("killed");
        Assert.True(build.BuildStatus == BuildStatus.Succeeded, await DescribeAsync());
        var attempts = await AttemptsAsync("killed");
        Assert.Equal([("doomed", AttemptState.Aborted), ("rescuer", AttemptState.Succeeded)], attempts);
    }

    [Fact]
    public async Task A_worker_frozen_past_its_lease_cannot_report_or_replace_the_result_when_it_wakes()
    {
        using var repository = new Hydra.Testing.GitRepository();
        // Every run of the builder writes different bytes, so whose upload the cache holds is visible.
        repository.Commit("first", ("release.nix", Release(Guid.NewGuid().ToString("N"), "unique",
            "cat /proc/sys/kernel/random/uuid > $out; echo building; sleep 3")));
        await farm.CreateJobsetAsync("frozen", "main", repository.Url);
        var sleeper = await farm.StartBuilderAsync("sleeper", maxJobs: 1, ownStore: true);

        await farm.PushAndWaitForCheckAsync("frozen", "main");
        await WaitForRunningAttemptAsync("sleeper");
        var frozen = Hydra.Core.Processes.ProcessTree.Descendants(sleeper.Id);
        Signal(frozen, "STOP");
        try
        {
            await farm.StartBuilderAsync("awake", maxJobs: 1, ownStore: true);
            var build = await WaitForBuildAsync("frozen");
            Assert.True(build.BuildStatus == BuildStatus.Succeeded, await DescribeAsync());
            var output = await farm.QueryAsync(db => db.BuildOutputs.Where(o => o.BuildId == build.Id).Select(o => o.Path).SingleAsync());
            var narinfoUrl = $"/cache/{Path.GetFileName(output)[..32]}.narinfo";
            var published = await farm.Client.GetStringAsync(narinfoUrl);

            Signal(frozen, "CONT");
            await WaitForOutputAsync("lost its lease", TimeSpan.FromSeconds(60));

            Assert.Equal(published, await farm.Client.GetStringAsync(narinfoUrl));
            Assert.Equal([("sleeper", AttemptState.Aborted), ("awake", AttemptState.Succeeded)], await AttemptsAsync("frozen"));
            Assert.Equal(BuildStatus.Succeeded, (await WaitForBuildAsync("frozen")).BuildStatus);
        }
        finally
        {
            Signal(frozen, "CONT");
        }
    }

    [Fact]
    public async Task A_worker_whose_Nix_fails_every_build_is_quarantined_and_its_steps_succeed_elsewhere()
    {
        const int jobs = 5;
        var salt = Guid.NewGuid().ToString("N");
        using var repository = new Hydra.Testing.GitRepository();
        var expression = string.Join("\n", Enumerable.Range(0, jobs).Select(i => Hydra.Testing.NixTestEnvironment.Derivation($"job{i}", $"echo {i} > $out", salt)));
        repository.Commit("first", ("release.nix", $"{{ src }}:\n{{\n{expression}\n}}\n"));
        await farm.CreateJobsetAsync("quarantine", "main", repository.Url);
        // A Nix that cannot even start a build (the builder builds through nix-daemon and reads its store through
        // nix-store): the worker reports it as an infrastructure failure (aborted), not as a failure of the derivations.
        var brokenBin = Directory.CreateDirectory(Path.Combine(farm.DataDir, "broken-bin")).FullName;
        foreach (var program in new[] { "nix-store", "nix-daemon" })
        {
            var script = Path.Combine(brokenBin, program);
            await File.WriteAllTextAsync(script, $"#!/bin/sh\necho '{program}: this machine is broken on purpose' >&2\nexit 1\n");
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        var path = $"{brokenBin}:{Environment.GetEnvironmentVariable("PATH")}";
        await farm.StartBuilderAsync("broken", maxJobs: 1, ownStore: true, environment: new Dictionary<string, string> { ["PATH"] = path });

        await farm.PushAndWaitForCheckAsync("quarantine", "main");
        await farm.WaitUntilAsync(db => db.Workers.AnyAsync(w => w.Name == "broken" && w.QuarantinedUntil != null), TimeSpan.FromMinutes(2));
        await farm.StartBuilderAsync("healthy", maxJobs: 2, ownStore: true);
        await farm.WaitUntilAsync(async db => await db.Builds.CountAsync(b => b.Jobset!.Project!.Name == "quarantine" && b.Finished) == jobs, TimeSpan.FromMinutes(3));

        var builds = await farm.QueryAsync(db => db.Builds.Where(b => b.Jobset!.Project!.Name == "quarantine").Select(b => b.BuildStatus).ToListAsync());
        Assert.True(builds.All(s => s == BuildStatus.Succeeded), await DescribeAsync());
        var broken = await farm.QueryAsync(db => db.Workers.SingleAsync(w => w.Name == "broken"));
        Assert.True(broken.QuarantinedUntil > DateTimeOffset.UtcNow, "the broken worker must still be quarantined");
        var quarantinedAt = broken.QuarantinedUntil!.Value - TimeSpan.FromMinutes(10);
        var attempts = await farm.QueryAsync(db => db.StepAttempts.Where(a => a.Worker!.Name == "broken").ToListAsync());
        Assert.True(attempts.Select(a => a.StepId).Distinct().Count() >= 3, await DescribeAsync());
        Assert.All(attempts, a => Assert.Equal(AttemptState.Aborted, a.State));
        Assert.All(attempts, a => Assert.Contains("broken on purpose", a.ErrorMessage, StringComparison.Ordinal));
        // Quarantined: its claims answered empty from then on.
        Assert.All(attempts, a => Assert.True(a.StartedAt <= quarantinedAt, $"attempt {a.Id} started after the quarantine"));
        // Every step it failed was built by the healthy worker.
        var rescued = await farm.QueryAsync(db => db.StepAttempts.Where(a => a.Worker!.Name == "healthy" && a.State == AttemptState.Succeeded)
            .Select(a => a.StepId).ToListAsync());
        Assert.Subset(rescued.ToHashSet(), attempts.Select(a => a.StepId).ToHashSet());
    }

    /// <summary>Every attempt with its error, and the builders' output, for a failure message.</summary>
    private async Task<string> DescribeAsync()
    {
        var attempts = await farm.QueryAsync(db => db.StepAttempts.OrderBy(a => a.Id)
            .Select(a => $"attempt {a.Id} step {a.StepId} on {a.Worker!.Name}: {a.State} {a.ErrorMessage}").ToListAsync());
        return string.Join("\n", attempts) + "\n" + farm.BuilderOutputText();
    }

    private Task WaitForRunningAttemptAsync(string worker) =>
        farm.WaitUntilAsync(db => db.StepAttempts.AnyAsync(a => a.Worker!.Name == worker && a.State == AttemptState.Running), TimeSpan.FromMinutes(2));

    private async Task<Build> WaitForBuildAsync(string project)
    {
        await farm.WaitUntilAsync(db => db.Builds.AnyAsync(b => b.Jobset!.Project!.Name == project && b.Finished), TimeSpan.FromMinutes(2));
        return await farm.QueryAsync(db => db.Builds.SingleAsync(b => b.Jobset!.Project!.Name == project));
    }

    /// <summary>Workers and states of the attempts at the project's steps, oldest first.</summary>
    private async Task<List<(string Worker, AttemptState State)>> AttemptsAsync(string project)
    {
        var rows = await farm.QueryAsync(db => db.StepAttempts
            .Where(a => db.BuildSteps.Any(bs => bs.StepId == a.StepId && db.Builds.Any(b => b.Id == bs.BuildId && b.Jobset!.Project!.Name == project)))
            .OrderBy(a => a.Id)
            .Select(a => new { a.Worker!.Name, a.State })
            .ToListAsync());
        return rows.Select(r => (r.Name, r.State)).ToList();
    }

    private async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!farm.BuilderOutputContains(text))
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"No builder said '{text}' within {timeout}:\n{farm.BuilderOutputText()}");
            }
            await Task.Delay(200);
        }
    }

    private static void Signal(IEnumerable<int> pids, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", .. pids.Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        kill.WaitForExit();
    }
}
