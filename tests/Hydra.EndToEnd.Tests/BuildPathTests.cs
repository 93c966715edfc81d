using System.Net.Http.Json;
using System.Text.Json;
using Hydra.Core;
using Hydra.Core.Nix;
using Hydra.Testing;
using Microsoft.EntityFrameworkCore;

namespace Hydra.EndToEnd.Tests;

/// <summary>
/// The path a build takes, with real git, real Nix, real PostgreSQL and a real hydra-builder
/// process: push -> evaluation -> builds and steps -> builder -> binary cache -> results.
/// </summary>
public sealed class BuildPathTests(Farm farm) : IClassFixture<Farm>
{
    private static string Release(string salt, string greeting) =>
        $$"""
        { src }:
        {
        {{NixTestEnvironment.Derivation("base", "echo building base; echo base-" + salt + " > $out", salt)}}
        {{NixTestEnvironment.Derivation("app", "echo " + greeting + "; cat $deps > $out; echo app >> $out", salt, "base")}}
        {{NixTestEnvironment.Derivation("broken", "echo this job fails on purpose; exit 1", salt)}}
        {{NixTestEnvironment.Derivation("needs-broken", "cat $deps > $out", salt, "broken")}}
        }
        """;

    [Fact]
    public async Task A_pushed_jobset_builds_through_the_builder_into_the_binary_cache()
    {
        var salt = Guid.NewGuid().ToString("N");
        using var repository = new GitRepository();
        repository.Commit("first", ("release.nix", WithSelfReferences(Release(salt, "hello from app"))));
        await farm.CreateJobsetAsync("e2e", "main", repository.Url);
        await farm.StartBuilderAsync("builder-1");

        await farm.PushAndWaitForCheckAsync("e2e", "main");
        await farm.WaitUntilAsync(async db => await db.Builds.CountAsync() == 4 && await db.Builds.AllAsync(b => b.Finished), TimeSpan.FromMinutes(3));

        var builds = await farm.QueryAsync(db => db.Builds.Include(b => b.Outputs).ToDictionaryAsync(b => b.Job));
        Assert.Equal(BuildStatus.Succeeded, builds["base"].BuildStatus);
        Assert.Equal(BuildStatus.Succeeded, builds["app"].BuildStatus);
        Assert.Equal(BuildStatus.Failed, builds["broken"].BuildStatus);
        Assert.Equal(BuildStatus.DependencyFailed, builds["needs-broken"].BuildStatus);

        // Successful outputs are in the farm's cache, signed with the farm's key.
        var publicKey = (await File.ReadAllTextAsync(Path.Combine(farm.DataDir, "keys", "cache-public-key"))).Trim();
        foreach (var job in new[] { "base", "app" })
        {
            var output = StorePath.Parse(builds[job].Outputs.Single().Path);
            var narinfo = NarInfo.Parse(await farm.Client.GetStringAsync($"/cache/{output.HashPart}.narinfo"));
            Assert.Equal(output.FullPath, narinfo.StorePath);
            Assert.Contains(narinfo.Sigs, sig => NixSigningKey.Verify(publicKey, narinfo.Fingerprint(), sig));
            var nar = await farm.Client.GetAsync($"/cache/{narinfo.Url}");
            Assert.True(nar.IsSuccessStatusCode, $"NAR {narinfo.Url} should be downloadable");
        }

        // The failing job's log holds what its builder printed; the build JSON says failed.
        var log = await farm.Client.GetStringAsync($"/build/{builds["broken"].Id}/log");
        Assert.Contains("this job fails on purpose", log);
        var json = await farm.Client.GetFromJsonAsync<JsonElement>($"/build/{builds["broken"].Id}");
        Assert.Equal(BuildStatus.Failed, json.GetProperty("buildstatus").GetInt32());
        Assert.Equal(1, json.GetProperty("finished").GetInt32());

        // Every step ran on the builder.
        var workers = await farm.QueryAsync(db => db.StepAttempts.Select(a => a.Worker!.Name).Distinct().ToListAsync());
        Assert.Equal(["builder-1"], workers);

        // A second push with no new commit makes no new evaluation and no new builds.
        var evaluations = await farm.QueryAsync(db => db.Evaluations.CountAsync());
        await farm.PushAndWaitForCheckAsync("e2e", "main");
        Assert.Equal(evaluations, await farm.QueryAsync(db => db.Evaluations.CountAsync()));
        Assert.Equal(4, await farm.QueryAsync(db => db.Builds.CountAsync()));

        // A new commit makes a new evaluation; only the changed job gets a new build.
        repository.Commit("second", ("release.nix", WithSelfReferences(Release(salt, "hello again from app"))));
        await farm.PushAndWaitForCheckAsync("e2e", "main");
        Assert.Equal(evaluations + 1, await farm.QueryAsync(db => db.Evaluations.CountAsync()));
        var newest = await farm.QueryAsync(db => db.Evaluations.OrderByDescending(e => e.Id).FirstAsync());
        var members = await farm.QueryAsync(db => db.EvaluationMembers.Where(m => m.EvaluationId == newest.Id).Include(m => m.Build).ToListAsync());
        Assert.Equal(4, members.Count);
        Assert.Equal(["app"], members.Where(m => m.IsNew).Select(m => m.Build!.Job).ToList());
        await farm.WaitUntilAsync(db => db.Builds.AllAsync(b => b.Finished), TimeSpan.FromMinutes(2));
        Assert.Equal(BuildStatus.Succeeded, await farm.QueryAsync(db => db.Builds.Where(b => b.Job == "app").OrderByDescending(b => b.Id).Select(b => b.BuildStatus).FirstAsync()));
    }

    /// <summary>The jobset is a recursive set so jobs can name their dependencies.</summary>
    private static string WithSelfReferences(string expression) => expression.Replace("{ src }:\n{", "{ src }:\nrec {");
}
