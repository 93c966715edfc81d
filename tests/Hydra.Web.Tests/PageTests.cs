using System.Net;
using Hydra.Core;
using Hydra.Core.Data.Entities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Hydra.Web.Tests;

public sealed class PageTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    private const string Evil = "<script>alert(1)</script>";

    [Fact]
    public async Task Pages_render_names_and_escape_untrusted_text()
    {
        long evalId = 0, buildId = 0;
        await factory.WithDbAsync(async db =>
        {
            var jobset = await Seed.JobsetAsync(db, "pages", "trunk");
            jobset.ErrorMessage = $"error: attribute missing {Evil}";
            var eval = await Seed.EvalAsync(db, jobset);
            eval.Errors.Add(new EvaluationError { Job = "broken", Message = $"cannot evaluate {Evil}" });
            await db.SaveChangesAsync();
            evalId = eval.Id;
            var step = await Seed.StepAsync(db, StepState.Succeeded, BuildStatus.Succeeded);
            var worker = new Worker { Name = "builder-7", TokenHash = Guid.NewGuid().ToString("N"), CreatedAt = Seed.Now };
            db.Add(worker);
            await db.SaveChangesAsync();
            db.Add(new StepAttempt { StepId = step.Id, WorkerId = worker.Id, State = AttemptState.Succeeded, StartedAt = Seed.Now, LeaseExpiresAt = Seed.Now });
            await db.SaveChangesAsync();
            buildId = (await Seed.BuildAsync(db, jobset, eval, $"job{Evil}", BuildStatus.Succeeded, step)).Id;
        });
        var client = factory.CreateClient();

        var home = await GetHtmlAsync(client, "/");
        Assert.StartsWith("<!DOCTYPE html>", home, StringComparison.Ordinal);
        Assert.Contains("/project/pages", home, StringComparison.Ordinal);

        var project = await GetHtmlAsync(client, "/project/pages");
        Assert.Contains("/jobset/pages/trunk", project, StringComparison.Ordinal);

        var jobset = await GetHtmlAsync(client, "/jobset/pages/trunk");
        Assert.Contains("release.nix", jobset, StringComparison.Ordinal);
        Assert.Contains("https://example.org/repo.git", jobset, StringComparison.Ordinal);
        Assert.Contains("src 0123456789ab", jobset, StringComparison.Ordinal);
        Assert.Contains($"/eval/{evalId}", jobset, StringComparison.Ordinal);

        var eval = await GetHtmlAsync(client, $"/eval/{evalId}");
        Assert.Contains("broken", eval, StringComparison.Ordinal);
        Assert.Contains($"/build/{buildId}", eval, StringComparison.Ordinal);
        Assert.Contains("href=\"https://example.org/repo/commit/0123456789abcdef0123456789abcdef01234567\"", eval, StringComparison.Ordinal);

        var build = await GetHtmlAsync(client, $"/build/{buildId}");
        Assert.Contains("builder-7", build, StringComparison.Ordinal);
        Assert.Contains("Succeeded", build, StringComparison.Ordinal);
        Assert.Contains("No log yet", build, StringComparison.Ordinal);

        foreach (var page in new[] { jobset, eval, build })
        {
            Assert.DoesNotContain(Evil, page, StringComparison.Ordinal);
            Assert.Contains("&lt;script&gt;", page, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Build_page_shows_the_failed_dependency_log_tail_escaped()
    {
        long buildId = 0, depId = 0;
        await factory.WithDbAsync(async db =>
        {
            var jobset = await Seed.JobsetAsync(db, "deps", "main");
            var dep = await Seed.StepAsync(db, StepState.Failed, BuildStatus.Failed);
            var top = await Seed.StepAsync(db, StepState.Cancelled, BuildStatus.DependencyFailed);
            depId = dep.Id;
            buildId = (await Seed.BuildAsync(db, jobset, null, "app", BuildStatus.DependencyFailed, top)).Id;
            db.Add(new BuildStep { BuildId = buildId, StepId = dep.Id });
            await db.SaveChangesAsync();
        });
        var path = factory.Services.GetRequiredService<IOptions<HydraOptions>>().Value.StepLogPath(depId);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var lines = Enumerable.Range(1, 300).Select(i => $"line {i}").Append($"fatal {Evil}");
        await File.WriteAllLinesAsync(path, lines);

        var build = await GetHtmlAsync(factory.CreateClient(), $"/build/{buildId}");

        Assert.Contains("Dependency failed", build, StringComparison.Ordinal);
        Assert.Contains("fatal &lt;script&gt;", build, StringComparison.Ordinal);
        Assert.Contains("line 300", build, StringComparison.Ordinal);
        Assert.DoesNotContain("line 101\n", build, StringComparison.Ordinal);
        Assert.Contains($"/build/{buildId}/log", build, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_pages_are_404_html()
    {
        var response = await factory.CreateClient().GetAsync("/project/nope");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Stylesheet_is_served()
    {
        var response = await factory.CreateClient().GetAsync("/css/site.css");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<string> GetHtmlAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }
}
