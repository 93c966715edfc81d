using System.Net.Http.Json;
using Hydra.Testing;
using Microsoft.EntityFrameworkCore;

namespace Hydra.EndToEnd.Tests;

/// <summary>Flake jobsets and non-git inputs, from the API through evaluation to queued builds.</summary>
public sealed class InputKindsTests(Farm farm) : IClassFixture<Farm>
{
    [Fact]
    public async Task A_flake_jobset_is_locked_and_its_hydraJobs_become_builds()
    {
        var salt = Guid.NewGuid().ToString("N");
        using var repository = new GitRepository();
        var revision = repository.Commit("flake", ("flake.nix",
            $$"""
            {
              outputs = { self }: {
                hydraJobs.hello = derivation {
                  name = "flake-hello";
                  system = "x86_64-linux";
                  builder = "/bin/sh";
                  args = [ "-c" "echo {{salt}} > $out" ];
                  PATH = "/bin:/usr/bin";
                };
              };
            }
            """));
        (await farm.Client.PutAsJsonAsync("/project/flakes", new { displayname = "Flakes", enabled = true, visible = true, owner = "admin" })).EnsureSuccessStatusCode();
        (await farm.Client.PutAsJsonAsync("/jobset/flakes/main", new
        {
            type = 1,
            flake = $"git+file://{repository.Path}?ref=main",
            enabled = 1,
            visible = true,
            checkinterval = 0,
            schedulingshares = 100,
            keepnr = 3,
        })).EnsureSuccessStatusCode();

        await farm.PushAndWaitForCheckAsync("flakes", "main");

        var jobset = await farm.QueryAsync(db => db.Jobsets.SingleAsync(j => j.Project!.Name == "flakes"));
        Assert.Null(jobset.ErrorMessage);
        var evaluation = await farm.QueryAsync(db => db.Evaluations.SingleAsync(e => e.JobsetId == jobset.Id));
        Assert.Contains(revision, evaluation.Flake);
        var build = await farm.QueryAsync(db => db.Builds.SingleAsync(b => b.JobsetId == jobset.Id));
        Assert.Equal("hello", build.Job);
        Assert.Equal("flake-hello", build.NixName);
    }

    [Fact]
    public async Task Nix_and_string_inputs_reach_the_expression()
    {
        using var repository = new GitRepository();
        repository.Commit("inputs", ("release.nix",
            """
            { src, numbers, label }:
            {
              sum = derivation {
                name = "sum-${label}-${toString (builtins.foldl' (a: b: a + b) 0 numbers)}";
                system = builtins.currentSystem;
                builder = "/bin/sh";
                args = [ "-c" "echo ok > $out" ];
              };
            }
            """));
        (await farm.Client.PutAsJsonAsync("/project/inputs", new { displayname = "Inputs", enabled = true, visible = true, owner = "admin" })).EnsureSuccessStatusCode();
        (await farm.Client.PutAsJsonAsync("/jobset/inputs/main", new
        {
            nixexprinput = "src",
            nixexprpath = "release.nix",
            enabled = 1,
            checkinterval = 0,
            inputs = new
            {
                src = new { type = "git", value = $"{repository.Url} main" },
                numbers = new { type = "nix", value = "[ 1 2 3 ]" },
                label = new { type = "string", value = "six" },
            },
        })).EnsureSuccessStatusCode();

        await farm.PushAndWaitForCheckAsync("inputs", "main");

        var jobset = await farm.QueryAsync(db => db.Jobsets.SingleAsync(j => j.Project!.Name == "inputs"));
        Assert.Null(jobset.ErrorMessage);
        Assert.Equal("sum-six-6", await farm.QueryAsync(db => db.Builds.Where(b => b.JobsetId == jobset.Id).Select(b => b.NixName).SingleAsync()));
    }
}
