using System.Net.Http.Json;
using Hydra.Testing;
using Microsoft.EntityFrameworkCore;

namespace Hydra.EndToEnd.Tests;

/// <summary>
/// Declarative projects: a static spec file, read by the evaluator, creates and retires jobsets; a
/// generated spec makes .jobsets build the list of jobsets on a real hydra-builder.
/// </summary>
public sealed class DeclarativeTests(Farm farm) : IClassFixture<Farm>
{
    private static string Spec(params string[] names) =>
        "{" + string.Join(",", names.Select(n =>
            $$"""
            "{{n}}": { "enabled": 1, "nixexprinput": "src", "nixexprpath": "release.nix", "checkinterval": 0,
                       "inputs": { "src": { "type": "git", "value": "file:///nowhere main" } } }
            """)) + "}";

    /// <summary>PUT /project/NAME reading spec.json from the repository's main branch.</summary>
    private async Task CreateDeclarativeProjectAsync(string name, GitRepository repository) =>
        (await farm.Client.PutAsJsonAsync($"/project/{name}", new
        {
            displayname = name,
            enabled = true,
            visible = true,
            owner = "admin",
            declarative = new { file = "spec.json", type = "git", value = $"{repository.Url} main" },
        })).EnsureSuccessStatusCode();

    [Fact]
    public async Task The_spec_creates_jobsets_retires_removed_ones_and_reports_a_broken_spec()
    {
        using var repository = new GitRepository();
        repository.Commit("spec", ("spec.json", Spec("alpha", "beta")));
        await CreateDeclarativeProjectAsync("decl", repository);

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

    /// <summary>.jobsets' expression: its "jobsets" job writes output.json of the same commit, with @project@ replaced by projectName.</summary>
    private const string JobsetsNix =
        """
        { declInput, projectName }: {
          jobsets = derivation {
            name = "jobsets.json";
            system = builtins.currentSystem;
            builder = "/bin/sh";
            args = [ "-c" "echo generating the jobsets of ${projectName}; sed s/@project@/${projectName}/g ${declInput}/output.json > $out" ];
            PATH = "/bin:/usr/bin";
          };
        }
        """;

    private static string GeneratedOutput(params string[] names) => Spec(names).Replace("\"enabled\": 1,", "\"description\": \"@project@\", \"enabled\": 1,", StringComparison.Ordinal);

    [Fact]
    public async Task A_generated_spec_builds_its_jobsets_on_the_builder_and_applies_them()
    {
        using var repository = new GitRepository();
        var salt = Guid.NewGuid().ToString("N");
        repository.Commit("generated spec",
            ("spec.json", $$"""{ "enabled": 1, "nixexprinput": "declInput", "nixexprpath": "jobsets.nix", "checkinterval": 0, "description": "{{salt}}" }"""),
            ("jobsets.nix", JobsetsNix.Replace("PATH =", $"salt = \"{salt}\";\n    PATH =", StringComparison.Ordinal)),
            ("output.json", GeneratedOutput("gamma", "delta")));
        await farm.StartBuilderAsync("builder-declarative");
        await CreateDeclarativeProjectAsync("gen", repository);

        await farm.WaitUntilAsync(db => db.Jobsets.AnyAsync(j => j.Project!.Name == "gen" && j.Name == "delta"), TimeSpan.FromMinutes(3));
        var gamma = await farm.QueryAsync(db => db.Jobsets.SingleAsync(j => j.Project!.Name == "gen" && j.Name == "gamma"));
        Assert.Equal("gen", gamma.Description);
        var build = await farm.QueryAsync(db => db.Builds.SingleAsync(b => b.Jobset!.Project!.Name == "gen" && b.Job == "jobsets"));
        Assert.Equal(0, build.BuildStatus);
        Assert.Contains("generating the jobsets of gen", await farm.Client.GetStringAsync($"/build/{build.Id}/log"));

        // A new output retires a jobset.
        repository.Commit("drop delta", ("output.json", GeneratedOutput("gamma")));
        await farm.PushAndWaitForCheckAsync("gen", ".jobsets");
        await farm.WaitUntilAsync(db => db.Jobsets.AnyAsync(j => j.Project!.Name == "gen" && j.Name == "delta" && j.Enabled == 0 && j.Hidden), TimeSpan.FromMinutes(3));

        // A generator that fails leaves the jobsets alone and says so on .jobsets.
        repository.Commit("break the generator", ("jobsets.nix", JobsetsNix.Replace("sed s/", "exit 1; sed s/", StringComparison.Ordinal)));
        await farm.PushAndWaitForCheckAsync("gen", ".jobsets");
        await farm.WaitUntilAsync(db => db.Jobsets.AnyAsync(j =>
            j.Project!.Name == "gen" && j.Name == ".jobsets" && j.ErrorMessage != null && j.ErrorMessage.StartsWith("Declarative jobset build ")), TimeSpan.FromMinutes(3));
        Assert.Equal(1, await farm.QueryAsync(db => db.Jobsets.Where(j => j.Project!.Name == "gen" && j.Name == "gamma").Select(j => (int)j.Enabled).SingleAsync()));
    }
}
