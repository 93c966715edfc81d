using System.Net;
using System.Net.Http.Headers;
using Hydra.Core;
using Microsoft.EntityFrameworkCore;

namespace Hydra.EndToEnd.Tests;

/// <summary>
/// A farm whose cache needs a token for everything (<c>Hydra:Cache:Private</c>) and whose project is private too:
/// builders on stores of their own must substitute the .drv closure and the inputs built on another machine with their
/// worker token, which their daemon sessions send from a netrc file.
/// </summary>
public sealed class PrivateCacheBuildTests(PrivateCacheBuildTests.PrivateCacheFarm farm) : IClassFixture<PrivateCacheBuildTests.PrivateCacheFarm>
{
    [Fact]
    public async Task A_step_substitutes_an_input_built_on_another_machine_from_a_private_cache_with_the_worker_token()
    {
        var salt = Guid.NewGuid().ToString("N");
        // base builds on one machine, app (another system) on the other, from base's contents.
        var release = $$"""
            { src }:
            let salt = "{{salt}}"; in
            rec {
              base = derivation {
                name = "base"; system = "{{MultiMachineTests.Native}}"; builder = "/bin/sh"; inherit salt;
                args = [ "-c" "echo base > $out" ];
              };
              app = derivation {
                name = "app"; system = "{{MultiMachineTests.Foreign}}"; builder = "/bin/sh"; inherit salt; deps = [ base ];
                PATH = "/bin:/usr/bin";
                args = [ "-c" "echo $deps > $out; cat $deps >> $out; echo app >> $out" ];
              };
            }
            """;
        using var repository = new Hydra.Testing.GitRepository();
        repository.Commit("first", ("release.nix", release));
        await farm.CreateJobsetAsync(PrivateCacheFarm.Project, "main", repository.Url);
        await farm.StartBuilderAsync("native", maxJobs: 1, ownStore: true, systems: MultiMachineTests.Native);
        await farm.StartBuilderAsync("foreign", maxJobs: 1, ownStore: true, systems: MultiMachineTests.Foreign,
            extraNixConfig: $"extra-platforms = {MultiMachineTests.Foreign}");

        await farm.PushAndWaitForCheckAsync(PrivateCacheFarm.Project, "main");
        await farm.WaitUntilAsync(async db => await db.Builds.CountAsync() == 2 && await db.Builds.AllAsync(b => b.Finished), TimeSpan.FromMinutes(4));

        var builds = await farm.QueryAsync(db => db.Builds.Include(b => b.Outputs).ToDictionaryAsync(b => b.Job));
        Assert.All(builds.Values, b => Assert.True(b.BuildStatus == BuildStatus.Succeeded, $"{b.Job}: {b.BuildStatus}\n{farm.BuilderOutputText()}"));
        var workers = await farm.QueryAsync(db => db.StepAttempts.Select(a => a.Worker!.Name).ToListAsync());
        Assert.Equal(["foreign", "native"], workers.Order());

        // The cache is private: nothing without a token; a worker's token reads, and app's output names base's.
        var appNarInfo = $"/cache/{Path.GetFileName(builds["app"].Outputs.Single().Path)[..32]}.narinfo";
        using var anonymous = new HttpClient { BaseAddress = new Uri(farm.Url) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(appNarInfo)).StatusCode);
        using var worker = new HttpClient { BaseAddress = new Uri(farm.Url) };
        worker.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await farm.CreateWorkerTokenAsync("reader"));
        Assert.Contains(Path.GetFileName(builds["base"].Outputs.Single().Path), await worker.GetStringAsync(appNarInfo), StringComparison.Ordinal);
    }

    /// <summary>The farm with <c>Hydra:Cache:Private</c> and project <see cref="Project"/> private.</summary>
    public sealed class PrivateCacheFarm : Farm
    {
        public const string Project = "secret";

        protected override IEnumerable<string> ExtraArguments =>
            ["--Hydra:Cache:Private=true", $"--Hydra:Cache:Projects:{Project}:ReadTokens:0=e2e-project-reader"];
    }
}
