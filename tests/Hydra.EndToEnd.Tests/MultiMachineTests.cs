using Hydra.Core;
using Microsoft.EntityFrameworkCore;

namespace Hydra.EndToEnd.Tests;

/// <summary>
/// Three builders that share nothing but the server: each has its own Nix store (an empty tmpfs over
/// /nix in its own mount namespace). Two build this machine's system; the third declares only the
/// other architecture, which Nix's <c>extra-platforms</c> lets it build with /bin/sh. A jobset whose
/// jobs cross between the two systems must build every step on a worker of the step's system, with
/// every dependency reaching the next worker through the farm's binary cache alone.
/// </summary>
public sealed class MultiMachineTests(Farm farm) : IClassFixture<Farm>
{
    internal static readonly string Native = NixSystem();
    internal static readonly string Foreign = Native == "aarch64-linux" ? "x86_64-linux" : "aarch64-linux";

    private static string Job(string name, string system, string script, params string[] dependencies) =>
        $$"""
          {{name}} = derivation {
              name = "{{name}}";
              system = "{{system}}";
              builder = "/bin/sh";
              args = [ "-c" "{{script}}" ];
              PATH = "/bin:/usr/bin";
              inherit salt;
              deps = [ {{string.Join(' ', dependencies)}} ];
            };
        """;

    [Fact]
    public async Task Jobs_of_two_systems_build_on_separate_machines_through_the_binary_cache()
    {
        var salt = Guid.NewGuid().ToString("N");
        // native base -> foreign lib -> native app, and a foreign tool used by a native and a foreign job.
        var release = $$"""
            { src }:
            let salt = "{{salt}}"; in
            rec {
            {{Job("base", Native, "echo base > $out", [])}}
            {{Job("lib", Foreign, "echo $deps > $out; cat $deps >> $out; echo lib >> $out", "base")}}
            {{Job("tool", Foreign, "echo tool > $out")}}
            {{Job("app", Native, "echo $deps > $out; cat $deps >> $out; echo app >> $out", "lib", "tool")}}
            {{Job("check", Foreign, "echo $deps > $out; cat $deps >> $out; echo check >> $out", "app", "tool")}}
            }
            """;
        using var repository = new Hydra.Testing.GitRepository();
        repository.Commit("first", ("release.nix", release));
        await farm.CreateJobsetAsync("multi", "main", repository.Url);
        await farm.StartBuilderAsync("native-1", maxJobs: 1, ownStore: true, systems: Native);
        await farm.StartBuilderAsync("native-2", maxJobs: 1, ownStore: true, systems: Native);
        await farm.StartBuilderAsync("foreign", maxJobs: 2, ownStore: true, systems: Foreign, extraNixConfig: $"extra-platforms = {Foreign}");

        await farm.PushAndWaitForCheckAsync("multi", "main");
        await farm.WaitUntilAsync(async db => await db.Builds.CountAsync() == 5 && await db.Builds.AllAsync(b => b.Finished), TimeSpan.FromMinutes(4));

        var builds = await farm.QueryAsync(db => db.Builds.Include(b => b.Outputs).ToDictionaryAsync(b => b.Job));
        Assert.All(builds.Values, b => Assert.Equal(BuildStatus.Succeeded, b.BuildStatus));

        // Every step ran once, successfully, on a worker that declares the step's system.
        var attempts = await farm.QueryAsync(db => db.StepAttempts
            .Join(db.Steps, a => a.StepId, s => s.Id, (a, s) => new { s.System, Worker = a.Worker!.Name, a.Worker.Systems })
            .ToListAsync());
        Assert.Equal(5, attempts.Count);
        Assert.All(attempts, a => Assert.Contains(a.System, a.Systems));
        Assert.All(attempts.Where(a => a.System == Foreign), a => Assert.Equal("foreign", a.Worker));
        Assert.All(attempts.Where(a => a.System == Native), a => Assert.StartsWith("native-", a.Worker, StringComparison.Ordinal));

        var appOut = builds["app"].Outputs.Single().Path;
        var checkOut = builds["check"].Outputs.Single().Path;
        // Nothing was built in this machine's store (the evaluator's): the builders had stores of their own.
        Assert.False(File.Exists(appOut), $"{appOut} must exist only in the builders' stores and the cache");
        Assert.False(File.Exists(checkOut), $"{checkOut} must exist only in the builders' stores and the cache");
        // Each output names its dependencies' paths and was made from their contents, so each one
        // reached the next machine's store, through the cache: the foreign `check` refers to the native `app`,
        // which refers to the foreign `lib`, which refers to the native `base`.
        foreach (var (job, dependency) in new[] { ("check", "app"), ("app", "lib"), ("lib", "base") })
        {
            var output = builds[job].Outputs.Single().Path;
            var narinfo = await farm.Client.GetStringAsync($"/cache/{Path.GetFileName(output)[..32]}.narinfo");
            Assert.Contains(Path.GetFileName(builds[dependency].Outputs.Single().Path), narinfo, StringComparison.Ordinal);
        }
    }

    private static string NixSystem() => System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.Arm64 => "aarch64-linux",
        _ => "x86_64-linux",
    };
}
