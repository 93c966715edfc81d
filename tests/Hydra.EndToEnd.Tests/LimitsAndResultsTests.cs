using System.Net.Http.Json;
using System.Text.Json;
using Hydra.Core;
using Hydra.Queue.Logs;
using Hydra.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hydra.EndToEnd.Tests;

/// <summary>
/// Build results beyond success and failure, through the whole farm with a real hydra-builder: products, metrics
/// and release name; a job's meta.timeout; compressed logs; the failure cache and clearing it.
/// </summary>
public sealed class LimitsAndResultsTests(Farm farm) : IClassFixture<Farm>
{
    private static string Job(string name, string salt, string script, string deps = "", string meta = "") =>
        $$"""
          {{name}} = (derivation {
            name = "{{name}}"; system = builtins.currentSystem; builder = "/bin/sh"; PATH = "/bin:/usr/bin";
            salt = "{{salt}}"; deps = [ {{deps}} ];
            args = [ "-c" ''
              {{script}}
            '' ];
          }) // { meta = { {{meta}} }; };
        """;

    private static string Release(string salt, params string[] extraJobs) =>
        $$"""
        { src }:
        rec {
        {{Job("report", salt, """
            mkdir -p $out/nix-support
            echo hello > $out/hello.txt
            echo "file binary-dist $out/hello.txt" > $out/nix-support/hydra-build-products
            echo "file evil /etc/passwd" >> $out/nix-support/hydra-build-products
            echo "time 1.5 s" > $out/nix-support/hydra-metrics
            echo report-1.0 > $out/nix-support/hydra-release-name
            """)}}
        {{Job("slow", salt, "while true; do echo tick; sleep 0.2; done", meta: "timeout = 2;")}}
        {{Job("broken", salt, "echo this job fails on purpose; exit 1")}}
        {{string.Join("\n", extraJobs)}}
        }
        """;

    [Fact]
    public async Task Products_timeouts_compressed_logs_and_the_failure_cache_work_through_the_farm()
    {
        var salt = Guid.NewGuid().ToString("N");
        using var repository = new GitRepository();
        repository.Commit("first", ("release.nix", Release(salt)));
        await farm.CreateJobsetAsync("results", "main", repository.Url);
        await farm.StartBuilderAsync("results-builder");

        await farm.PushAndWaitForCheckAsync("results", "main");
        await WaitForJobsAsync(3);

        var builds = await BuildsAsync();
        Assert.Equal(BuildStatus.Succeeded, builds["report"].BuildStatus);
        Assert.Equal(BuildStatus.TimedOut, builds["slow"].BuildStatus);
        Assert.Equal(BuildStatus.Failed, builds["broken"].BuildStatus);

        var report = await farm.Client.GetFromJsonAsync<JsonElement>($"/build/{builds["report"].Id}");
        Assert.Equal("report-1.0", report.GetProperty("releasename").GetString());
        var product = report.GetProperty("buildproducts").EnumerateObject().Single().Value;
        Assert.EndsWith("/hello.txt", product.GetProperty("path").GetString(), StringComparison.Ordinal);
        Assert.Equal(6, product.GetProperty("filesize").GetInt64());
        Assert.Equal(1.5, report.GetProperty("buildmetrics").GetProperty("time").GetProperty("value").GetDouble());

        // The ended steps' logs are compressed, and still read back as text.
        var brokenStep = builds["broken"].TopStepId!.Value;
        var logs = farm.Services.GetRequiredService<StepLogStore>();
        Assert.True(File.Exists(logs.CompressedPath(brokenStep)), "the failed step's log was not compressed");
        Assert.Contains("this job fails on purpose", await farm.Client.GetStringAsync($"/build/{builds["broken"].Id}/log"));
        Assert.Contains("timed out after 2 seconds", await farm.Client.GetStringAsync($"/build/{builds["slow"].Id}/log/tail?lines=5"));
        Assert.Contains("this job fails on purpose", await farm.Client.GetStringAsync($"/cache/log/{Path.GetFileName(builds["broken"].DrvPath)}"));

        // A new job needing the broken derivation fails at once from the failure cache: nothing is built.
        // (Counted against the attempts so far: a claim that found its worker gone is given back as an
        // aborted attempt, so a loaded machine can show more than one before the failure.)
        var attempts = await AttemptsOfAsync(builds["broken"].DrvPath);
        var needsBroken = await AddJobNeedingBrokenAsync(repository, salt, "needs_broken", jobs: 4);
        Assert.Equal((BuildStatus.DependencyFailed, true), (needsBroken.BuildStatus, needsBroken.IsCachedBuild));
        Assert.Equal(attempts, await AttemptsOfAsync(builds["broken"].DrvPath));

        // Once an administrator clears the cache, the next build that needs it builds it again.
        (await farm.Client.PostAsync("/api/clear-failed-cache", null)).EnsureSuccessStatusCode();
        var again = await AddJobNeedingBrokenAsync(repository, salt, "needs_broken_again", jobs: 5);
        Assert.Equal((BuildStatus.DependencyFailed, false), (again.BuildStatus, again.IsCachedBuild));
        Assert.True(await AttemptsOfAsync(builds["broken"].DrvPath) > attempts, "the cleared derivation should have been built again");
    }

    /// <summary>Commits a jobset with one more job that depends on "broken", evaluates it and returns that job's finished build.</summary>
    private async Task<Core.Data.Entities.Build> AddJobNeedingBrokenAsync(GitRepository repository, string salt, string job, int jobs)
    {
        repository.Commit(job, ("release.nix", Release(salt, Job(job, salt, "cat $deps > $out", "broken"))));
        await farm.PushAndWaitForCheckAsync("results", "main");
        await WaitForJobsAsync(jobs);
        return (await BuildsAsync())[job];
    }

    private Task WaitForJobsAsync(int count) => farm.WaitUntilAsync(async db =>
        await db.Builds.CountAsync(b => b.Jobset!.Project!.Name == "results") == count
        && await db.Builds.Where(b => b.Jobset!.Project!.Name == "results").AllAsync(b => b.Finished), TimeSpan.FromMinutes(3));

    private Task<Dictionary<string, Core.Data.Entities.Build>> BuildsAsync() => farm.QueryAsync(db =>
        db.Builds.AsNoTracking().Where(b => b.Jobset!.Project!.Name == "results").ToDictionaryAsync(b => b.Job));

    private Task<int> AttemptsOfAsync(string drvPath) => farm.QueryAsync(db =>
        db.StepAttempts.CountAsync(a => db.Steps.Any(s => s.Id == a.StepId && s.DrvPath == drvPath)));
}
