using Hydra.Core;
using Hydra.Core.Data.Entities;
using Hydra.Evaluator.Declarative;
using Hydra.Evaluator.Jobsets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hydra.Evaluator.Tests.Declarative;

/// <summary>
/// Hydra's generated declarative projects with real git, Nix and PostgreSQL: the spec configures
/// .jobsets, the runner evaluates it with declInput and projectName, and the output of its finished
/// "jobsets" build, read from the binary cache, becomes the project's jobsets.
/// </summary>
public sealed class GeneratedSpecTests : IAsyncLifetime
{
    private DeclarativeHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await DeclarativeHarness.CreateAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    /// <summary>One jobset spec configuring .jobsets: its expression is jobsets.nix in the declarative input itself.</summary>
    private const string GeneratorSpec =
        """
        { "enabled": 1, "hidden": true, "description": "makes the jobsets", "nixexprinput": "declInput", "nixexprpath": "jobsets.nix",
          "checkinterval": 120, "schedulingshares": 7, "keepnr": 2, "enableemail": false, "emailoverride": "",
          "inputs": { "greeting": { "type": "string", "value": "hello" } } }
        """;

    /// <summary>The "jobsets" job writes output.json from the same commit, with @project@ replaced by the projectName input.</summary>
    private static string JobsetsNix(string job = "jobsets", string script = "sed \"s/@project@/${projectName}/g\" ${declInput}/output.json > $out") =>
        $$"""
        { declInput, projectName, greeting }: {
          {{job}} = derivation {
            name = "jobsets.json";
            system = builtins.currentSystem;
            builder = "/bin/sh";
            args = [ "-c" "{{script.Replace("\"", "\\\"", StringComparison.Ordinal)}}" ];
            PATH = "/bin:/usr/bin";
            salt = "${greeting} {{Guid.NewGuid():N}}";
          };
        }
        """;

    private static string Output(params string[] branches) =>
        "{" + string.Join(",", branches.Select(b =>
            $$"""
            "{{b}}": { "description": "@project@ {{b}}", "nixexprinput": "src", "nixexprpath": "release.nix", "checkinterval": 0,
                       "inputs": { "src": { "type": "git", "value": "https://example.org/repo.git {{b}}" } } }
            """)) + "}";

    private async Task<(EvaluationOutcome Outcome, Jobset DotJobsets)> CheckDotJobsetsAsync()
    {
        var dotJobsets = await _harness.DotJobsetsAsync();
        var outcome = await _harness.Runner.RunAsync(dotJobsets.Id, CancellationToken.None);
        return (outcome, await _harness.DotJobsetsAsync());
    }

    private Task<long> LatestJobsetsBuildAsync() => _harness.WithDbAsync(db =>
        db.Builds.Where(b => b.Job == DeclarativeProject.JobsetsJob).OrderByDescending(b => b.Id).Select(b => b.Id).FirstAsync());

    /// <summary>Commits the spec and an output, evaluates .jobsets, builds its jobsets job into the cache and applies it.</summary>
    private async Task<long> ApplyGeneratedAsync(string output)
    {
        _harness.Repository.Commit("jobsets", ("spec.json", GeneratorSpec), ("jobsets.nix", JobsetsNix()), ("output.json", output));
        Assert.Equal(EvaluationOutcome.Evaluated, (await CheckDotJobsetsAsync()).Outcome);
        var buildId = await LatestJobsetsBuildAsync();
        await WorkerStandIn.SucceedAsync(_harness, buildId);
        Assert.Equal(1, await _harness.Applier.ApplyFinishedBuildsAsync(CancellationToken.None));
        return buildId;
    }

    [Fact]
    public async Task The_spec_configures_dot_jobsets_and_its_finished_jobsets_build_creates_the_jobsets()
    {
        _harness.Repository.Commit("jobsets", ("spec.json", GeneratorSpec), ("jobsets.nix", JobsetsNix()), ("output.json", Output("main", "staging")));
        await _harness.CreateProjectAsync();

        var (outcome, dotJobsets) = await CheckDotJobsetsAsync();

        Assert.Equal(EvaluationOutcome.Evaluated, outcome);
        Assert.Null(dotJobsets.ErrorMessage);
        Assert.Equal(("declInput", "jobsets.nix", "makes the jobsets", 120, 7, 2), (dotJobsets.NixExprInput, dotJobsets.NixExprPath,
            dotJobsets.Description, dotJobsets.CheckInterval, dotJobsets.SchedulingShares, dotJobsets.KeepNr));
        Assert.Equal(
            [("declInput", "git", $"{_harness.Repository.Url} main"), ("greeting", "string", "hello"), ("projectName", "string", "p")],
            dotJobsets.Inputs.Select(i => (i.Name, i.Type, i.Value)).OrderBy(i => i.Name, StringComparer.Ordinal));
        // Nothing is applied before the build has finished.
        var buildId = await LatestJobsetsBuildAsync();
        Assert.Equal(0, await _harness.Applier.ApplyFinishedBuildsAsync(CancellationToken.None));
        Assert.Equal([".jobsets"], (await _harness.JobsetsAsync()).Keys);

        await WorkerStandIn.SucceedAsync(_harness, buildId);
        Assert.Equal(1, await _harness.Applier.ApplyFinishedBuildsAsync(CancellationToken.None));

        var jobsets = await _harness.JobsetsAsync();
        Assert.Equal([".jobsets", "main", "staging"], jobsets.Keys.Order(StringComparer.Ordinal));
        var main = jobsets["main"];
        Assert.Equal(("p main", "src", "release.nix", 1), (main.Description, main.NixExprInput, main.NixExprPath, (int)main.Enabled));
        Assert.Equal(("src", "git", "https://example.org/repo.git main"), main.Inputs.Select(i => (i.Name, i.Type, i.Value)).Single());
        Assert.NotNull(main.TriggerTime);
        Assert.Equal(buildId, jobsets[".jobsets"].DeclBuildId);
        Assert.Null(jobsets[".jobsets"].ErrorMessage);
        // Handled once: later passes find nothing.
        Assert.Equal(0, await _harness.Applier.ApplyFinishedBuildsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_second_output_updates_adds_and_disables_jobsets()
    {
        await _harness.CreateProjectAsync();
        await ApplyGeneratedAsync(Output("main", "staging"));
        await _harness.ClearTriggersAsync();

        var second = await ApplyGeneratedAsync(Output("main", "release").Replace("\"checkinterval\": 0", "\"checkinterval\": 30", StringComparison.Ordinal));

        var jobsets = await _harness.JobsetsAsync();
        Assert.Equal([".jobsets", "main", "release", "staging"], jobsets.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((30, true), (jobsets["main"].CheckInterval, jobsets["main"].TriggerTime is not null));
        Assert.Equal((1, false), (jobsets["release"].Enabled, jobsets["release"].Hidden));
        Assert.Equal((0, true), (jobsets["staging"].Enabled, jobsets["staging"].Hidden));
        Assert.Equal(second, jobsets[".jobsets"].DeclBuildId);
    }

    [Fact]
    public async Task A_failed_jobsets_build_is_an_error_on_dot_jobsets_that_later_checks_keep()
    {
        await _harness.CreateProjectAsync();
        await ApplyGeneratedAsync(Output("main"));
        var before = await _harness.JobsetsAsync();

        _harness.Repository.Commit("broken generator", ("output.json", Output("other")));
        await CheckDotJobsetsAsync();
        var failed = await LatestJobsetsBuildAsync();
        await WorkerStandIn.FinishAsync(_harness, failed, BuildStatus.Failed);
        Assert.Equal(1, await _harness.Applier.ApplyFinishedBuildsAsync(CancellationToken.None));

        var dotJobsets = await _harness.DotJobsetsAsync();
        Assert.Equal($"Declarative jobset build {failed} failed (Failed); no jobsets were changed.", dotJobsets.ErrorMessage);
        Assert.NotNull(dotJobsets.ErrorTime);
        AssertSameJobsets(before, await _harness.JobsetsAsync());

        // The next check finds the inputs unchanged; the error is still true, so it stays.
        Assert.Equal(EvaluationOutcome.Unchanged, (await CheckDotJobsetsAsync()).Outcome);
        Assert.Equal($"Declarative jobset build {failed} failed (Failed); no jobsets were changed.", (await _harness.DotJobsetsAsync()).ErrorMessage);

        // A fixed generator's build clears it.
        await ApplyGeneratedAsync(Output("main", "fixed"));
        var fixedJobsets = await _harness.JobsetsAsync();
        Assert.Null(fixedJobsets[".jobsets"].ErrorMessage);
        Assert.Contains("fixed", fixedJobsets.Keys);
    }

    [Theory]
    [InlineData("this is not JSON", "is not valid JSON: line 1, position 2")]
    [InlineData("[ \"main\" ]", "must be a JSON object mapping jobset names to jobset specs, not an array")]
    [InlineData("{ \"main\": { \"nixexprinput\": \"src\" } }", "nixexprinput 'src' must name one of its inputs")]
    public async Task An_output_that_is_not_a_valid_list_of_jobsets_is_an_error_and_changes_nothing(string output, string expected)
    {
        await _harness.CreateProjectAsync();
        await ApplyGeneratedAsync(Output("main"));
        var before = await _harness.JobsetsAsync();

        var buildId = await ApplyGeneratedAsync(output);

        var dotJobsets = await _harness.DotJobsetsAsync();
        Assert.StartsWith($"The output of declarative jobset build {buildId} (/nix/store/", dotJobsets.ErrorMessage, StringComparison.Ordinal);
        Assert.True(dotJobsets.ErrorMessage!.Contains(expected, StringComparison.Ordinal), dotJobsets.ErrorMessage);
        AssertSameJobsets(before, await _harness.JobsetsAsync());
    }

    [Fact]
    public async Task An_output_that_is_a_directory_is_refused()
    {
        _harness.Repository.Commit("jobsets", ("spec.json", GeneratorSpec), ("output.json", Output("main")),
            ("jobsets.nix", JobsetsNix(script: "mkdir $out && cp ${declInput}/output.json $out/ && echo ${projectName}")));
        await _harness.CreateProjectAsync();
        await CheckDotJobsetsAsync();
        var buildId = await LatestJobsetsBuildAsync();
        await WorkerStandIn.SucceedAsync(_harness, buildId);

        Assert.Equal(1, await _harness.Applier.ApplyFinishedBuildsAsync(CancellationToken.None));

        Assert.Contains("The archived path is a directory, not a regular file.", (await _harness.DotJobsetsAsync()).ErrorMessage);
        Assert.Equal([".jobsets"], (await _harness.JobsetsAsync()).Keys);
    }

    [Fact]
    public async Task An_evaluation_without_a_jobsets_job_is_an_error_that_later_checks_keep()
    {
        _harness.Repository.Commit("jobsets", ("spec.json", GeneratorSpec), ("jobsets.nix", JobsetsNix(job: "specs")), ("output.json", Output("main")));
        await _harness.CreateProjectAsync();

        var (outcome, dotJobsets) = await CheckDotJobsetsAsync();

        Assert.Equal(EvaluationOutcome.Failed, outcome);
        Assert.Contains(".jobsets evaluation", dotJobsets.ErrorMessage);
        Assert.Contains("has no job named 'jobsets' (its jobs: specs)", dotJobsets.ErrorMessage);
        var (again, kept) = await CheckAgainAsync();
        Assert.Equal(EvaluationOutcome.Unchanged, again);
        Assert.Contains("has no job named 'jobsets' (its jobs: specs)", kept);

        // Renaming the job fixes it: the error goes as soon as an evaluation has the job.
        _harness.Repository.Commit("rename", ("jobsets.nix", JobsetsNix()));
        Assert.Equal((EvaluationOutcome.Evaluated, null), await CheckAgainAsync());

        async Task<(EvaluationOutcome, string?)> CheckAgainAsync()
        {
            var (again, jobset) = await CheckDotJobsetsAsync();
            return (again, jobset.ErrorMessage);
        }
    }

    [Fact]
    public async Task A_build_finished_while_no_evaluator_ran_is_applied_once_by_the_next_ones()
    {
        _harness.Repository.Commit("jobsets", ("spec.json", GeneratorSpec), ("jobsets.nix", JobsetsNix()), ("output.json", Output("main")));
        await _harness.CreateProjectAsync();
        await CheckDotJobsetsAsync();
        await WorkerStandIn.SucceedAsync(_harness, await LatestJobsetsBuildAsync());

        // Two evaluator processes start (a restart, or a second machine) and pass at the same time.
        using var first = _harness.BuildHost();
        using var second = _harness.BuildHost();
        var handled = await Task.WhenAll(
            first.Services.GetRequiredService<GeneratedSpecApplier>().ApplyFinishedBuildsAsync(CancellationToken.None),
            second.Services.GetRequiredService<GeneratedSpecApplier>().ApplyFinishedBuildsAsync(CancellationToken.None));

        Assert.Equal(1, handled.Sum());
        Assert.Contains("main", (await _harness.JobsetsAsync()).Keys);
    }

    [Fact]
    public async Task Going_back_to_a_static_spec_restores_dot_jobsets_and_ignores_generated_builds_still_queued()
    {
        await _harness.CreateProjectAsync();
        await ApplyGeneratedAsync(Output("main"));
        _harness.Repository.Commit("next generator", ("output.json", Output("late")));
        await CheckDotJobsetsAsync();
        var queued = await LatestJobsetsBuildAsync();

        _harness.Repository.Commit("static", ("spec.json", Output("static").Replace("@project@", "p", StringComparison.Ordinal)));
        Assert.True(await _harness.RunAsync());
        await WorkerStandIn.SucceedAsync(_harness, queued);

        Assert.Equal(0, await _harness.Applier.ApplyFinishedBuildsAsync(CancellationToken.None));
        var jobsets = await _harness.JobsetsAsync();
        Assert.DoesNotContain("late", jobsets.Keys);
        Assert.Equal((1, false), (jobsets["static"].Enabled, jobsets["static"].Hidden));
        Assert.Equal((0, true), (jobsets["main"].Enabled, jobsets["main"].Hidden));
        var dotJobsets = jobsets[".jobsets"];
        Assert.Equal(("declInput", "spec.json"), (dotJobsets.NixExprInput, dotJobsets.NixExprPath));
        Assert.Equal(["declInput"], dotJobsets.Inputs.Select(i => i.Name));
    }

    [Fact]
    public async Task The_documented_example_makes_one_jobset_per_branch()
    {
        // tests/Hydra.Evaluator.Tests/bin/<Configuration>/net10.0/ -> examples/declarative/
        var example = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../examples/declarative"));
        _harness.Repository.Commit("example", Directory.GetFiles(example).Select(f => (Path.GetFileName(f), File.ReadAllText(f))).ToArray());
        await _harness.CreateProjectAsync();

        Assert.Equal(EvaluationOutcome.Evaluated, (await CheckDotJobsetsAsync()).Outcome);
        await WorkerStandIn.SucceedAsync(_harness, await LatestJobsetsBuildAsync());
        Assert.Equal(1, await _harness.Applier.ApplyFinishedBuildsAsync(CancellationToken.None));

        var jobsets = await _harness.JobsetsAsync();
        Assert.Equal([".jobsets", "main", "staging"], jobsets.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(("p staging", "default.nix", "https://example.org/app.git staging"),
            (jobsets["staging"].Description, jobsets["staging"].NixExprPath, jobsets["staging"].Inputs.Single().Value));
    }

    private static void AssertSameJobsets(Dictionary<string, Jobset> before, Dictionary<string, Jobset> after)
    {
        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, jobset) in before.Where(j => j.Key != DeclarativeProject.JobsetName))
        {
            var now = after[name];
            Assert.Equal((jobset.Enabled, jobset.Hidden, jobset.Description, jobset.CheckInterval), (now.Enabled, now.Hidden, now.Description, now.CheckInterval));
            Assert.Equal(jobset.Inputs.Select(i => (i.Name, i.Type, i.Value)).Order(), now.Inputs.Select(i => (i.Name, i.Type, i.Value)).Order());
        }
    }
}
