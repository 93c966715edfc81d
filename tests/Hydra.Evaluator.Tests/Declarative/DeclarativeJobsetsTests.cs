using Hydra.Core.Data.Entities;
using Hydra.Evaluator.Declarative;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Evaluator.Tests.Declarative;

/// <summary>The .jobsets check against real git and PostgreSQL: the spec in a repository becomes the project's jobsets.</summary>
public sealed class DeclarativeJobsetsTests : IAsyncLifetime
{
    private DeclarativeHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await DeclarativeHarness.CreateAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private const string FirstSpec =
        """
        {
          "trunk": {
            "enabled": 1, "hidden": false, "description": "main branch",
            "nixexprinput": "src", "nixexprpath": "release.nix",
            "checkinterval": 60, "schedulingshares": 42, "enableemail": true, "emailoverride": "ci@example.org", "keepnr": 5,
            "inputs": {
              "src": { "type": "git", "value": "https://example.org/repo.git main", "emailresponsible": true },
              "officialRelease": { "type": "boolean", "value": false }
            }
          },
          "staging": {
            "nixexprinput": "src", "nixexprpath": "ci/jobs.nix",
            "inputs": { "src": { "type": "git", "value": "https://example.org/repo.git staging" } }
          },
          "old": {
            "nixexprinput": "src", "nixexprpath": "release.nix",
            "inputs": { "src": { "type": "git", "value": "https://example.org/repo.git old" } }
          }
        }
        """;

    [Fact]
    public async Task Spec_jobsets_are_created_with_their_inputs_and_triggered()
    {
        _harness.Repository.Commit("spec", ("spec.json", FirstSpec));
        await _harness.CreateProjectAsync();

        Assert.True(await _harness.RunAsync());

        var jobsets = await _harness.JobsetsAsync();
        Assert.Equal([".jobsets", "old", "staging", "trunk"], jobsets.Keys.Order(StringComparer.Ordinal));
        var trunk = jobsets["trunk"];
        Assert.Equal(("main branch", "src", "release.nix"), (trunk.Description, trunk.NixExprInput, trunk.NixExprPath));
        Assert.Equal((1, false, 60, 42, 5), (trunk.Enabled, trunk.Hidden, trunk.CheckInterval, trunk.SchedulingShares, trunk.KeepNr));
        Assert.Equal((true, "ci@example.org"), (trunk.EnableEmail, trunk.EmailOverride));
        var src = trunk.Inputs.Single(i => i.Name == "src");
        Assert.Equal(("git", "https://example.org/repo.git main", true), (src.Type, src.Value, src.EmailResponsible));
        var official = trunk.Inputs.Single(i => i.Name == "officialRelease");
        Assert.Equal(("boolean", "false", false), (official.Type, official.Value, official.EmailResponsible));
        // Fields a spec leaves out take the defaults of a new jobset.
        var staging = jobsets["staging"];
        Assert.Equal((1, false, 300, 100, 3, ""), (staging.Enabled, staging.Hidden, staging.CheckInterval, staging.SchedulingShares, staging.KeepNr, staging.Description));
        Assert.All(new[] { trunk, staging, jobsets["old"] }, j => Assert.NotNull(j.TriggerTime));
    }

    [Fact]
    public async Task A_new_commit_updates_one_jobset_disables_and_hides_a_removed_one_and_adds_one()
    {
        _harness.Repository.Commit("spec", ("spec.json", FirstSpec));
        await _harness.CreateProjectAsync();
        await _harness.RunAsync();
        await _harness.ClearTriggersAsync();

        _harness.Repository.Commit("second spec", ("spec.json",
            """
            {
              "trunk": {
                "enabled": 1, "hidden": false, "description": "main branch",
                "nixexprinput": "src", "nixexprpath": "release.nix",
                "checkinterval": 60, "schedulingshares": 42, "enableemail": true, "emailoverride": "ci@example.org", "keepnr": 5,
                "inputs": {
                  "src": { "type": "git", "value": "https://example.org/repo.git main", "emailresponsible": true },
                  "officialRelease": { "type": "boolean", "value": false }
                }
              },
              "staging": {
                "nixexprinput": "src", "nixexprpath": "ci/other.nix", "checkinterval": "120",
                "inputs": {
                  "src": { "type": "git", "value": "https://example.org/repo.git staging" },
                  "greeting": { "type": "string", "value": "hi" }
                }
              },
              "release-24_05": {
                "nixexprinput": "src", "nixexprpath": "release.nix",
                "inputs": { "src": { "type": "git", "value": "https://example.org/repo.git release-24.05" } }
              }
            }
            """));
        Assert.True(await _harness.RunAsync());

        var jobsets = await _harness.JobsetsAsync();
        Assert.Equal([".jobsets", "old", "release-24_05", "staging", "trunk"], jobsets.Keys.Order(StringComparer.Ordinal));
        var staging = jobsets["staging"];
        Assert.Equal(("ci/other.nix", 120), (staging.NixExprPath, staging.CheckInterval));
        Assert.Equal(["greeting", "src"], staging.Inputs.Select(i => i.Name).Order(StringComparer.Ordinal));
        var old = jobsets["old"];
        Assert.Equal((0, true), (old.Enabled, old.Hidden));
        Assert.Equal(1, jobsets["release-24_05"].Enabled);
        // Only what changed is evaluated again; the removed jobset is disabled, not deleted.
        Assert.NotNull(staging.TriggerTime);
        Assert.NotNull(jobsets["release-24_05"].TriggerTime);
        Assert.Null(jobsets["trunk"].TriggerTime);
        Assert.Null(old.TriggerTime);
        var dotJobsets = jobsets[DeclarativeProject.JobsetName];
        Assert.Equal((1, true), (dotJobsets.Enabled, dotJobsets.Hidden));
    }

    [Fact]
    public async Task Malformed_json_is_reported_with_its_line_and_position_and_changes_nothing()
    {
        _harness.Repository.Commit("spec", ("spec.json", FirstSpec));
        await _harness.CreateProjectAsync();
        await _harness.RunAsync();
        var before = await _harness.JobsetsAsync();

        _harness.Repository.Commit("broken", ("spec.json", "{\n  \"trunk\": {\n    \"nixexprinput\": \"src\",,\n  }\n}\n"));
        var error = await Assert.ThrowsAsync<DeclarativeSpecException>(_harness.RunAsync);

        Assert.StartsWith("spec.json is not valid JSON: line 3, position ", error.Message, StringComparison.Ordinal);
        // The runner records FormatExceptions on the jobset it was checking (.jobsets).
        Assert.IsAssignableFrom<FormatException>(error);
        await AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task An_invalid_spec_names_every_problem_and_changes_nothing()
    {
        _harness.Repository.Commit("spec", ("spec.json", FirstSpec));
        await _harness.CreateProjectAsync();
        await _harness.RunAsync();
        var before = await _harness.JobsetsAsync();

        _harness.Repository.Commit("invalid", ("spec.json",
            """
            {
              "trunk": { "nixexprinput": "src", "nixexprpath": "release.nix", "inputs": { "src": { "type": "svn", "value": "svn://x" } } },
              "-bad name": { "nixexprinput": "src", "nixexprpath": "release.nix", "inputs": { "src": { "type": "git", "value": "u" } } },
              "escape": { "nixexprinput": "src", "nixexprpath": "../etc/passwd", "inputs": { "src": { "type": "git", "value": "u" } } },
              "noinput": { "nixexprinput": "nixpkgs", "nixexprpath": "release.nix", "checkinterval": "often", "colour": "blue" }
            }
            """));
        var error = await Assert.ThrowsAsync<DeclarativeSpecException>(_harness.RunAsync);

        Assert.Contains("no jobset was changed", error.Message);
        Assert.Contains("jobset 'trunk', input 'src': unknown input type 'svn'", error.Message);
        Assert.Contains("invalid jobset name '-bad name'", error.Message);
        Assert.Contains("nixexprpath '../etc/passwd' must be a relative path", error.Message);
        Assert.Contains("nixexprinput 'nixpkgs' must name one of its inputs (inputs: none)", error.Message);
        Assert.Contains("checkinterval must be a number of seconds, 0 or more, not \"often\"", error.Message);
        Assert.Contains("unknown field 'colour'", error.Message);
        await AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task A_missing_spec_file_is_reported_with_the_revision()
    {
        var revision = _harness.Repository.Commit("no spec", ("README", "nothing here"));
        await _harness.CreateProjectAsync("ci/spec.json");

        var error = await Assert.ThrowsAsync<DeclarativeSpecException>(_harness.RunAsync);

        Assert.Contains("'ci/spec.json' does not exist", error.Message);
        Assert.Contains(revision, error.Message);
    }

    [Fact]
    public async Task Ordinary_jobsets_are_left_to_the_evaluator()
    {
        var jobset = new Jobset { Name = "trunk", NixExprInput = "src", NixExprPath = "release.nix" };

        Assert.Same(jobset, await _harness.Declarative.PrepareAsync(jobset, CancellationToken.None));
    }

    [Fact]
    public async Task Jobsets_made_outside_the_spec_are_disabled_and_hidden()
    {
        _harness.Repository.Commit("spec", ("spec.json", FirstSpec));
        await _harness.CreateProjectAsync();
        await _harness.WithDbAsync(async db =>
        {
            var project = await db.Projects.SingleAsync();
            db.Jobsets.Add(new Jobset { ProjectId = project.Id, Name = "handmade", NixExprInput = "src", NixExprPath = "default.nix", CreatedAt = DateTimeOffset.UtcNow });
            return await db.SaveChangesAsync();
        });

        await _harness.RunAsync();

        var handmade = (await _harness.JobsetsAsync())["handmade"];
        Assert.Equal((0, true), (handmade.Enabled, handmade.Hidden));
    }

    private async Task AssertUnchangedAsync(Dictionary<string, Jobset> before)
    {
        var after = await _harness.JobsetsAsync();
        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, jobset) in before)
        {
            var now = after[name];
            Assert.Equal((jobset.Enabled, jobset.Hidden, jobset.NixExprPath, jobset.CheckInterval), (now.Enabled, now.Hidden, now.NixExprPath, now.CheckInterval));
            Assert.Equal(jobset.Inputs.Select(i => (i.Name, i.Type, i.Value)).Order(), now.Inputs.Select(i => (i.Name, i.Type, i.Value)).Order());
        }
    }
}
