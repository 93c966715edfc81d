using System.Net.Http.Json;
using Hydra.Testing;
using Microsoft.EntityFrameworkCore;

namespace Hydra.EndToEnd.Tests;

/// <summary>A declarative project: its spec file, read by the evaluator, creates and retires jobsets.</summary>
public sealed class DeclarativeTests(Farm farm) : IClassFixture<Farm>
{
    private static string Spec(params string[] names) =>
        "{" + string.Join(",", names.Select(n =>
            $$"""
            "{{n}}": { "enabled": 1, "nixexprinput": "src", "nixexprpath": "release.nix", "checkinterval": 0,
                       "inputs": { "src": { "type": "git", "value": "file:///nowhere main" } } }
            """)) + "}";

    [Fact]
    public async Task The_spec_creates_jobsets_retires_removed_ones_and_reports_a_broken_spec()
    {
        using var repository = new GitRepository();
        repository.Commit("spec", ("spec.json", Spec("alpha", "beta")));
        (await farm.Client.PutAsJsonAsync("/project/decl", new
        {
            displayname = "Declarative",
            enabled = true,
            visible = true,
            owner = "admin",
            declarative = new { file = "spec.json", type = "git", value = $"{repository.Url} main" },
        })).EnsureSuccessStatusCode();

        await farm.WaitUntilAsync(db => db.Jobsets.AnyAsync(j => j.Project!.Name == "decl" && j.Name == "beta"), TimeSpan.FromMinutes(1));

        repository.Commit("drop beta", ("spec.json", Spec("alpha")));
        await farm.PushAndWaitForCheckAsync("decl", ".jobsets");
        var beta = await farm.QueryAsync(db => db.Jobsets.SingleAsync(j => j.Project!.Name == "decl" && j.Name == "beta"));
        Assert.Equal(0, beta.Enabled);
        Assert.True(beta.Hidden);

        repository.Commit("break it", ("spec.json", "{ \"alpha\": "));
        await farm.PushAndWaitForCheckAsync("decl", ".jobsets");
        var spec = await farm.QueryAsync(db => db.Jobsets.SingleAsync(j => j.Project!.Name == "decl" && j.Name == ".jobsets"));
        Assert.Contains("spec.json", spec.ErrorMessage);
        Assert.Equal(1, await farm.QueryAsync(db => db.Jobsets.Where(j => j.Project!.Name == "decl" && j.Name == "alpha").Select(j => (int)j.Enabled).SingleAsync()));
    }
}
