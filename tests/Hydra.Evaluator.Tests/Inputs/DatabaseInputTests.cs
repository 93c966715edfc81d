using Hydra.Core.Data.Entities;
using Hydra.Evaluator.Inputs;
using Hydra.Testing;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Evaluator.Tests.Inputs;

/// <summary>Inputs that read the database: build and eval inputs, and stored git credentials.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DatabaseInputTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    private const string Token = "glpat-very-secret";

    [Fact]
    public async Task A_build_input_is_the_out_path_of_the_latest_successful_build()
    {
        using var harness = new InputsHarness(database.ConnectionString);
        var project = Unique("tools");
        Build good = null!;
        Jobset consumer = null!;
        await harness.WithDbAsync(async db =>
        {
            var producer = await DbSeed.JobsetAsync(db, project, "main", ("src", "git", "https://example.org/tools.git"));
            await DbSeed.BuildAsync(db, producer, null, "compiler", DbSeed.Succeeded);
            good = await DbSeed.BuildAsync(db, producer, null, "compiler", DbSeed.Succeeded);
            await DbSeed.BuildAsync(db, producer, null, "compiler", DbSeed.Failed);
            await DbSeed.BuildAsync(db, producer, null, "compiler", status: null);
            consumer = await DbSeed.JobsetAsync(db, project, "consumer", ("compiler", "build", $"{project}:main:compiler"));
        });

        var resolved = await harness.Resolver.ResolveAsync(consumer, CancellationToken.None);

        var outPath = good.Outputs.Single().Path;
        Assert.Equal(outPath, resolved.ExpressionRoot);
        Assert.Equal("path", (string?)resolved.Arguments["compiler"]!["kind"]);
        Assert.Equal(outPath, (string?)resolved.Arguments["compiler"]!["path"]);
        Assert.Equal(outPath, (string?)resolved.Arguments["compiler"]!["outputs"]!["out"]);
        var record = resolved.Inputs.Single();
        Assert.Equal(good.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), record.Revision);
        Assert.Equal(outPath, record.Path);
    }

    [Fact]
    public async Task A_newer_successful_build_changes_what_the_build_input_records()
    {
        using var harness = new InputsHarness(database.ConnectionString);
        var project = Unique("tools");
        Jobset producer = null!, consumer = null!;
        await harness.WithDbAsync(async db =>
        {
            producer = await DbSeed.JobsetAsync(db, project, "main", ("src", "git", "https://example.org/tools.git"));
            await DbSeed.BuildAsync(db, producer, null, "compiler", DbSeed.Succeeded);
            consumer = await DbSeed.JobsetAsync(db, project, "consumer", ("compiler", "build", $"{project}:main:compiler"));
        });
        var before = await harness.Resolver.ResolveAsync(consumer, CancellationToken.None);
        await harness.WithDbAsync(db => DbSeed.BuildAsync(db, producer, null, "compiler", DbSeed.Succeeded));

        var after = await harness.Resolver.ResolveAsync(consumer, CancellationToken.None);

        Assert.NotEqual(before.Inputs[0].Revision, after.Inputs[0].Revision);
        Assert.NotEqual(before.Inputs[0].Path, after.Inputs[0].Path);
    }

    [Fact]
    public async Task A_build_input_without_a_successful_build_is_a_clear_error()
    {
        using var harness = new InputsHarness(database.ConnectionString);
        var project = Unique("tools");
        Jobset consumer = null!;
        await harness.WithDbAsync(async db =>
        {
            var producer = await DbSeed.JobsetAsync(db, project, "main", ("src", "git", "https://example.org/tools.git"));
            await DbSeed.BuildAsync(db, producer, null, "compiler", DbSeed.Failed);
            consumer = await DbSeed.JobsetAsync(db, project, "consumer", ("src", "git", "unused"), ("compiler", "build", $"{project}:main:compiler"));
        });
        consumer.Inputs.RemoveAll(i => i.Name == "src");

        var error = await Assert.ThrowsAsync<InputFetchException>(() => harness.Resolver.ResolveAsync(consumer, CancellationToken.None));

        Assert.Equal($"Input 'compiler': job {project}:main:compiler has no successful build yet.", error.Message);
    }

    [Theory]
    [InlineData("build", "tools:main")]
    [InlineData("build", "tools::compiler")]
    [InlineData("eval", "tools:main:compiler")]
    public async Task Build_and_eval_values_must_name_a_job_or_a_jobset(string type, string value)
    {
        using var harness = new InputsHarness(database.ConnectionString);
        var jobset = new Jobset { Name = "j", NixExprInput = "x", NixExprPath = "default.nix", Inputs = [new JobsetInput { Name = "x", Type = type, Value = value }] };

        var error = await Assert.ThrowsAsync<InputFetchException>(() => harness.Resolver.ResolveAsync(jobset, CancellationToken.None));

        Assert.Contains(type == "build" ? "'project:jobset:job'" : "'project:jobset'", error.Message);
    }

    [Fact]
    public async Task An_eval_input_maps_jobs_of_the_latest_finished_evaluation_to_their_out_paths()
    {
        using var harness = new InputsHarness(database.ConnectionString);
        var project = Unique("os");
        Build hello = null!;
        Jobset consumer = null!;
        await harness.WithDbAsync(async db =>
        {
            var producer = await DbSeed.JobsetAsync(db, project, "main", ("src", "git", "https://example.org/os.git"));
            var finished = await DbSeed.EvaluationAsync(db, producer);
            hello = await DbSeed.BuildAsync(db, producer, finished, "hello", DbSeed.Succeeded);
            await DbSeed.BuildAsync(db, producer, finished, "broken", DbSeed.Failed);
            var running = await DbSeed.EvaluationAsync(db, producer);
            await DbSeed.BuildAsync(db, producer, running, "hello", status: null);
            consumer = await DbSeed.JobsetAsync(db, project, "tests", ("src", "git", "unused"), ("system", "eval", $"{project}:main"));
        });
        consumer.Inputs.RemoveAll(i => i.Name == "src");
        consumer.NixExprInput = "system";

        // The eval input cannot hold the expression; the error says so after resolving it.
        var error = await Assert.ThrowsAsync<InputFetchException>(() => harness.Resolver.ResolveAsync(consumer, CancellationToken.None));
        Assert.Contains("must be a git, path or build input", error.Message);

        consumer.Inputs.Add(new JobsetInput { Name = "src", Type = "path", Value = harness.DataDir });
        consumer.NixExprInput = "src";
        var resolved = await harness.Resolver.ResolveAsync(consumer, CancellationToken.None);

        var arg = resolved.Arguments["system"]!;
        Assert.Equal("attrs", (string?)arg["kind"]);
        Assert.Equal(hello.Outputs.Single().Path, (string?)arg["value"]!["hello"]);
        Assert.Single(arg["value"]!.AsObject());
    }

    [Fact]
    public async Task An_eval_input_changes_when_a_restarted_build_succeeds_in_the_same_evaluation()
    {
        using var harness = new InputsHarness(database.ConnectionString);
        var project = Unique("os");
        Jobset consumer = null!;
        Build broken = null!;
        await harness.WithDbAsync(async db =>
        {
            var producer = await DbSeed.JobsetAsync(db, project, "main", ("src", "git", "https://example.org/os.git"));
            var evaluation = await DbSeed.EvaluationAsync(db, producer);
            await DbSeed.BuildAsync(db, producer, evaluation, "hello", DbSeed.Succeeded);
            broken = await DbSeed.BuildAsync(db, producer, evaluation, "broken", DbSeed.Failed);
            consumer = await DbSeed.JobsetAsync(db, project, "tests", ("src", "path", harness.DataDir), ("system", "eval", $"{project}:main"));
        });
        var before = await harness.Resolver.ResolveAsync(consumer, CancellationToken.None);
        await harness.WithDbAsync(db => db.Builds.Where(b => b.Id == broken.Id).ExecuteUpdateAsync(s => s.SetProperty(b => b.BuildStatus, DbSeed.Succeeded)));

        var after = await harness.Resolver.ResolveAsync(consumer, CancellationToken.None);

        Assert.NotEqual(before.Inputs.Single(i => i.Name == "system").Revision, after.Inputs.Single(i => i.Name == "system").Revision);
        Assert.Equal(2, after.Arguments["system"]!["value"]!.AsObject().Count);
    }

    [Fact]
    public async Task An_eval_input_without_a_finished_evaluation_is_a_clear_error()
    {
        using var harness = new InputsHarness(database.ConnectionString);
        var project = Unique("os");
        Jobset consumer = null!;
        await harness.WithDbAsync(async db =>
        {
            var producer = await DbSeed.JobsetAsync(db, project, "main", ("src", "git", "https://example.org/os.git"));
            await DbSeed.BuildAsync(db, producer, await DbSeed.EvaluationAsync(db, producer), "hello", status: null);
            consumer = await DbSeed.JobsetAsync(db, project, "tests", ("src", "path", harness.DataDir), ("system", "eval", $"{project}:main"));
        });

        var error = await Assert.ThrowsAsync<InputFetchException>(() => harness.Resolver.ResolveAsync(consumer, CancellationToken.None));

        Assert.Equal($"Input 'system': jobset {project}:main has no finished evaluation yet.", error.Message);
    }

    [Fact]
    public async Task The_resolver_fetches_with_the_credential_stored_for_the_input()
    {
        var runner = new RecordingRunner();
        using var harness = new InputsHarness(database.ConnectionString, runner);
        long jobsetId = 0;
        await harness.WithDbAsync(async db =>
        {
            var jobset = await DbSeed.JobsetAsync(db, Unique("private"), "main", ("src", "git", "https://git.example.org/team/private.git"));
            db.InputSecrets.Add(new InputSecret { JobsetId = jobset.Id, InputName = "src", Kind = InputSecret.Token, Secret = Token });
            await db.SaveChangesAsync();
            jobsetId = jobset.Id;
        });
        Jobset stored = null!;
        await harness.WithDbAsync(async db => stored = await DbSeed.LoadAsync(db, jobsetId));

        await harness.Resolver.ResolveAsync(stored, CancellationToken.None);

        var fetch = runner.Requests.First(r => r.Arguments.Contains("fetch"));
        Assert.Contains(fetch.Environment, e => e.Value == $"Authorization: Bearer {Token}");
    }

    private static string Unique(string name) => $"{name}{Guid.NewGuid():N}"[..20];
}
