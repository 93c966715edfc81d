using Hydra.Core.Data.Entities;
using Hydra.Evaluator.Declarative;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Hydra.Evaluator.Tests.Declarative;

/// <summary>The hidden .jobsets jobset follows the project's declarative input.</summary>
public sealed class DeclarativeProjectTests : IAsyncLifetime
{
    private DeclarativeHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await DeclarativeHarness.CreateAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task Setting_the_input_creates_a_hidden_dot_jobsets_reading_the_spec_through_declInput()
    {
        await _harness.CreateProjectAsync("ci/spec.json");

        var jobset = await _harness.DotJobsetsAsync();
        Assert.Equal((1, true, 300), (jobset.Enabled, jobset.Hidden, jobset.CheckInterval));
        Assert.Equal(("declInput", "ci/spec.json"), (jobset.NixExprInput, jobset.NixExprPath));
        var input = Assert.Single(jobset.Inputs);
        Assert.Equal(("declInput", "git", $"{_harness.Repository.Url} main"), (input.Name, input.Type, input.Value));
        Assert.Equal(("ci/spec.json", "git", $"{_harness.Repository.Url} main"), (jobset.Project!.DeclFile, jobset.Project.DeclType, jobset.Project.DeclValue));
    }

    [Fact]
    public async Task Changing_the_input_updates_dot_jobsets_and_removing_it_disables_and_hides_it()
    {
        await _harness.CreateProjectAsync();

        var changed = await _harness.WithDbAsync(async db =>
        {
            var project = await db.Projects.SingleAsync();
            var trigger = await DeclarativeProject.ApplyAsync(db, project, new DeclarativeInput("other.json", "git", "https://example.org/x.git"), DateTimeOffset.UtcNow, CancellationToken.None);
            await db.SaveChangesAsync();
            return trigger;
        });
        Assert.True(changed);
        var jobset = await _harness.DotJobsetsAsync();
        Assert.Equal(("other.json", "https://example.org/x.git"), (jobset.NixExprPath, jobset.Inputs.Single().Value));

        var unchanged = await _harness.WithDbAsync(async db =>
        {
            var project = await db.Projects.SingleAsync();
            return await DeclarativeProject.ApplyAsync(db, project, new DeclarativeInput("other.json", "git", "https://example.org/x.git"), DateTimeOffset.UtcNow, CancellationToken.None);
        });
        Assert.False(unchanged);

        await _harness.WithDbAsync(async db =>
        {
            var project = await db.Projects.SingleAsync();
            await DeclarativeProject.ApplyAsync(db, project, null, DateTimeOffset.UtcNow, CancellationToken.None);
            return await db.SaveChangesAsync();
        });
        jobset = await _harness.DotJobsetsAsync();
        Assert.Equal((0, true), (jobset.Enabled, jobset.Hidden));
        Assert.Null(jobset.Project!.DeclFile);
    }

    [Fact]
    public async Task The_name_check_allows_dot_jobsets_but_no_other_name_starting_with_a_dot()
    {
        await _harness.CreateProjectAsync();

        var error = await Assert.ThrowsAsync<DbUpdateException>(() => _harness.WithDbAsync(async db =>
        {
            var project = await db.Projects.SingleAsync();
            db.Jobsets.Add(new Jobset { ProjectId = project.Id, Name = ".hidden", NixExprInput = "src", NixExprPath = "x.nix", CreatedAt = DateTimeOffset.UtcNow });
            return await db.SaveChangesAsync();
        }));

        Assert.Equal("jobsets_name_check", Assert.IsType<PostgresException>(error.InnerException).ConstraintName);
    }

    [Theory]
    [InlineData("spec.json", "git", "https://example.org/r.git", null)]
    [InlineData("../spec.json", "git", "https://example.org/r.git", "relative path")]
    [InlineData("/etc/spec.json", "git", "https://example.org/r.git", "relative path")]
    [InlineData("spec.json", "path", "/srv/spec", "not supported")]
    [InlineData("spec.json", "git", " ", "needs the input's value")]
    public void Declarative_inputs_are_validated(string file, string type, string value, string? problem)
    {
        var error = new DeclarativeInput(file, type, value).Validate();

        if (problem is null)
        {
            Assert.Null(error);
        }
        else
        {
            Assert.Contains(problem, error);
        }
    }
}
