using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hydra.Core;
using Hydra.Core.Data.Entities;
using Hydra.Core.Nix;
using Hydra.Testing;
using Microsoft.EntityFrameworkCore;

namespace Hydra.EndToEnd.Tests;

/// <summary>
/// A farm whose binary cache is an S3 bucket, end to end with real git, Nix, PostgreSQL and hydra-builder: the evaluator
/// pushes derivations into the bucket, the builder substitutes and uploads through the server, Nix substitutes from the
/// farm's cache (NARs by redirect to the bucket), products download out of the bucket, a second jobset's evaluation of
/// the same outputs finishes as cached, and garbage collection deletes from the bucket.
/// </summary>
public sealed class S3StorageTests(S3Farm farm) : IClassFixture<S3Farm>
{
    private static string Release(string salt, string greeting) =>
        $$"""
        { src }:
        rec {
          base = derivation {
            name = "base"; system = builtins.currentSystem; builder = "/bin/sh"; PATH = "/bin:/usr/bin"; salt = "{{salt}}";
            data = ./data.txt;
            args = [ "-c" "cat $data > $out" ];
          };
          app = derivation {
            name = "app"; system = builtins.currentSystem; builder = "/bin/sh"; PATH = "/bin:/usr/bin"; salt = "{{salt}}"; deps = [ base ];
            args = [ "-c" ''
              mkdir -p $out/nix-support
              echo {{greeting}} > $out/hello.txt
              cat $deps > $out/base.txt
              echo "file binary-dist $out/hello.txt" > $out/nix-support/hydra-build-products
            '' ];
          };
        }
        """;

    [Fact]
    public async Task A_farm_on_s3_builds_serves_substitutes_downloads_reuses_and_collects_from_the_bucket()
    {
        var salt = Guid.NewGuid().ToString("N");
        using var repository = new GitRepository();
        repository.Commit("first", ("release.nix", Release(salt, "hello-from-s3")), ("data.txt", $"base-{salt}\n"));
        await farm.CreateJobsetAsync("s3", "main", repository.Url);
        // A machine of its own: the derivations and their input source (data.txt) reach it only through the bucket.
        await farm.StartBuilderAsync("s3-builder", ownStore: true);

        await farm.PushAndWaitForCheckAsync("s3", "main");
        await farm.WaitUntilAsync(async db => await db.Builds.CountAsync() == 2 && await db.Builds.AllAsync(b => b.Finished), TimeSpan.FromMinutes(3));
        var first = await BuildsAsync("main");
        Assert.Equal((BuildStatus.Succeeded, false), (first["app"].BuildStatus, first["app"].IsCachedBuild));
        Assert.Equal(BuildStatus.Succeeded, first["base"].BuildStatus);
        var oldApp = first["app"].Outputs.Single().Path;
        var basePath = first["base"].Outputs.Single().Path;

        // The derivations and the outputs are in the bucket; the data directory holds no cache at all.
        var baseDrv = NarInfo.Parse(await farm.Client.GetStringAsync($"/cache/{StorePath.Parse(first["base"].DrvPath).HashPart}.narinfo"));
        var source = StorePath.FromBaseName(Assert.Single(baseDrv.References, r => r.EndsWith("-data.txt", StringComparison.Ordinal))).FullPath;
        foreach (var path in new[] { first["app"].DrvPath, first["base"].DrvPath, source, oldApp, basePath })
        {
            Assert.True(farm.BucketHas(StorePath.Parse(path).HashPart + ".narinfo"), $"{path} is not in the bucket");
        }
        var cacheDir = Path.Combine(farm.DataDir, "cache");
        Assert.False(Directory.Exists(cacheDir) && Directory.EnumerateFileSystemEntries(cacheDir, "*", SearchOption.AllDirectories).Any(),
            "the cache directory has contents");

        // Real Nix substitutes the app's closure from the farm's cache, checking the farm's signature.
        var store = Directory.CreateTempSubdirectory("hydra-s3-client-").FullName;
        try
        {
            var publicKey = (await File.ReadAllTextAsync(Path.Combine(farm.DataDir, "keys", "cache-public-key"))).Trim();
            var copied = await TestProcess.RunAsync("nix", NixClient(store),
                "copy", "--from", farm.Url + "/cache", "--to", Path.Combine(store, "root"), "--option", "trusted-public-keys", publicKey, oldApp);
            Assert.True(copied.ExitCode == 0, copied.Error);
            Assert.Equal("hello-from-s3\n", await File.ReadAllTextAsync(Path.Combine(store, "root") + oldApp + "/hello.txt"));
            Assert.Equal($"base-{salt}\n", await File.ReadAllTextAsync(Path.Combine(store, "root") + oldApp + "/base.txt"));
        }
        finally
        {
            await TestProcess.RunAsync("chmod", "-R", "u+w", store);
            Directory.Delete(store, recursive: true);
        }

        // The product streams out of the NAR in the bucket.
        var download = await farm.Client.GetAsync($"/build/{first["app"].Id}/download/1/hello.txt");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("hello-from-s3\n", await download.Content.ReadAsStringAsync());

        // Another jobset evaluating the same derivations finds their outputs in the bucket: cached successes, no steps.
        var attempts = await farm.QueryAsync(db => db.StepAttempts.CountAsync());
        await farm.CreateJobsetAsync("s3", "again", repository.Url);
        await farm.PushAndWaitForCheckAsync("s3", "again");
        var again = await BuildsAsync("again");
        Assert.Equal(["app", "base"], again.Keys.Order(StringComparer.Ordinal));
        Assert.All(again.Values, b => Assert.Equal((true, BuildStatus.Succeeded, true), (b.Finished, b.BuildStatus, b.IsCachedBuild)));
        Assert.Equal(attempts, await farm.QueryAsync(db => db.StepAttempts.CountAsync()));

        // A new commit changes the app; once both jobsets keep only their newest evaluation, the old app is garbage.
        repository.Commit("second", ("release.nix", Release(salt, "hello-again")));
        await farm.PushAndWaitForCheckAsync("s3", "main");
        await farm.WaitUntilAsync(async db => await db.Builds.CountAsync() == 5 && await db.Builds.AllAsync(b => b.Finished), TimeSpan.FromMinutes(3));
        await farm.PushAndWaitForCheckAsync("s3", "again");
        var newApp = (await BuildsAsync("main"))["app"].Outputs.Single().Path;
        Assert.NotEqual(oldApp, newApp);
        await farm.QueryAsync(db => db.Jobsets.ExecuteUpdateAsync(j => j.SetProperty(x => x.KeepNr, 1)));

        var oldKey = StorePath.Parse(oldApp).HashPart + ".narinfo";
        var plan = await farm.Client.GetFromJsonAsync<JsonElement>("/api/admin/gc");
        Assert.Contains(oldApp, plan.GetProperty("narinfos").EnumerateArray().Select(e => e.GetString()));
        Assert.DoesNotContain(newApp, plan.GetProperty("narinfos").EnumerateArray().Select(e => e.GetString()));
        Assert.True(plan.GetProperty("bytesfreed").GetInt64() > 0);
        Assert.True(farm.BucketHas(oldKey), "the dry run deleted something");

        var oldNar = NarInfo.Parse(await farm.Client.GetStringAsync("/cache/" + oldKey)).Url;
        var run = await farm.Client.PostAsync("/api/admin/gc", null);
        run.EnsureSuccessStatusCode();
        Assert.False(farm.BucketHas(oldKey), "the old app's narinfo is still in the bucket");
        Assert.False(farm.BucketHas(oldNar), "the old app's NAR is still in the bucket");
        Assert.Equal(HttpStatusCode.NotFound, (await farm.Client.GetAsync("/cache/" + oldKey)).StatusCode);
        foreach (var kept in new[] { newApp, basePath })
        {
            Assert.True(farm.BucketHas(StorePath.Parse(kept).HashPart + ".narinfo"), $"{kept} was collected");
        }
        Assert.Equal(0, farm.S3.Refused);
    }

    /// <summary>The newest build of each job of <paramref name="jobset"/>.</summary>
    private async Task<Dictionary<string, Build>> BuildsAsync(string jobset)
    {
        var builds = await farm.QueryAsync(db => db.Builds.Include(b => b.Outputs).Where(b => b.Jobset!.Name == jobset).ToListAsync());
        return builds.GroupBy(b => b.Job).ToDictionary(g => g.Key, g => g.MaxBy(b => b.Id)!);
    }

    /// <summary>A Nix client of its own: a private narinfo cache, and the farm's cache its only substituter.</summary>
    private static Dictionary<string, string> NixClient(string home) => new()
    {
        ["NIX_REMOTE"] = "local",
        ["NIX_CONFIG"] = NixTestEnvironment.Config + "\nnarinfo-cache-negative-ttl = 0\nnarinfo-cache-positive-ttl = 0",
        ["XDG_CACHE_HOME"] = Path.Combine(home, "xdg"),
    };
}
