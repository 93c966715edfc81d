using Hydra.Testing;
using Microsoft.EntityFrameworkCore;

namespace Hydra.EndToEnd.Tests;

/// <summary>Broken expressions and unreachable inputs are reported on the jobset; the server keeps serving.</summary>
public sealed class BadInputTests(Farm farm) : IClassFixture<Farm>
{
    [Fact]
    public async Task A_syntax_error_is_recorded_on_the_jobset_and_the_server_keeps_serving()
    {
        using var repository = new GitRepository();
        repository.Commit("broken", ("release.nix", "{ src }: { job = derivation { name = \"x\"; ; }"));
        await farm.CreateJobsetAsync("bad-syntax", "main", repository.Url);

        await farm.PushAndWaitForCheckAsync("bad-syntax", "main");

        var jobset = await farm.QueryAsync(db => db.Jobsets.SingleAsync(j => j.Project!.Name == "bad-syntax"));
        Assert.Contains("syntax error", jobset.ErrorMessage);
        Assert.Contains("release.nix", jobset.ErrorMessage);
        Assert.NotNull(jobset.ErrorTime);
        Assert.Equal(0, await farm.QueryAsync(db => db.Evaluations.CountAsync(e => e.JobsetId == jobset.Id)));
        Assert.Equal("ok\n", await farm.Client.GetStringAsync("/health"));

        // Fixing the file clears the error with the next evaluation.
        repository.Commit("fixed", ("release.nix", "{ src }: { }"));
        await farm.PushAndWaitForCheckAsync("bad-syntax", "main");
        Assert.Null(await farm.QueryAsync(db => db.Jobsets.Where(j => j.Id == jobset.Id).Select(j => j.ErrorMessage).SingleAsync()));
    }

    [Fact]
    public async Task A_bad_git_url_is_recorded_on_the_jobset_and_the_server_keeps_serving()
    {
        await farm.CreateJobsetAsync("bad-url", "main", "file:///nonexistent/repository-" + Guid.NewGuid().ToString("N"));

        await farm.PushAndWaitForCheckAsync("bad-url", "main");

        var jobset = await farm.QueryAsync(db => db.Jobsets.SingleAsync(j => j.Project!.Name == "bad-url"));
        Assert.StartsWith("Fetching inputs failed", jobset.ErrorMessage);
        Assert.Contains("nonexistent", jobset.ErrorMessage);
        Assert.Equal("ok\n", await farm.Client.GetStringAsync("/health"));
        var page = await farm.Client.GetAsync("/jobset/bad-url/main");
        Assert.True(page.IsSuccessStatusCode);
    }

    [Fact]
    public async Task A_failing_job_gets_its_own_error_and_the_other_jobs_are_still_built()
    {
        var salt = Guid.NewGuid().ToString("N");
        using var repository = new GitRepository();
        repository.Commit("mixed", ("release.nix",
            $$"""
            { src }:
            {
            {{NixTestEnvironment.Derivation("fine", "echo ok > $out", salt)}}
              thrower = throw "this job cannot be evaluated";
              aborter = abort "abort is not caught by tryEval";
            }
            """));
        await farm.CreateJobsetAsync("job-errors", "main", repository.Url);

        await farm.PushAndWaitForCheckAsync("job-errors", "main");

        var evaluation = await farm.QueryAsync(db => db.Evaluations.Include(e => e.Errors).SingleAsync(e => e.Jobset!.Project!.Name == "job-errors"));
        Assert.Equal(["aborter", "thrower"], evaluation.Errors.Select(e => e.Job).Order().ToList());
        Assert.Contains("this job cannot be evaluated", evaluation.Errors.Single(e => e.Job == "thrower").Message);
        Assert.Contains("abort is not caught by tryEval", evaluation.Errors.Single(e => e.Job == "aborter").Message);
        var jobs = await farm.QueryAsync(db => db.Builds.Where(b => b.JobsetId == evaluation.JobsetId).Select(b => b.Job).ToListAsync());
        Assert.Equal(["fine"], jobs);
    }
}
