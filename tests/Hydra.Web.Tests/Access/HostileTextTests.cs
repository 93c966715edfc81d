using System.Text.RegularExpressions;
using Hydra.Core.Data.Entities;
using Hydra.Web.Hosting;

namespace Hydra.Web.Tests.Access;

/// <summary>Text that jobs, evaluations and users control is escaped on every page, and every page carries the strict policy.</summary>
public sealed partial class HostileTextTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    private const string Hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&";

    [Fact]
    public async Task Hostile_names_meta_errors_products_and_release_names_are_escaped_on_every_page()
    {
        long buildId = 0, evalId = 0;
        await factory.WithDbAsync(async db =>
        {
            var jobset = await Seed.JobsetAsync(db, "hostile", "js");
            jobset.Description = Hostile;
            jobset.ErrorMessage = Hostile;
            jobset.ErrorTime = Seed.Now;
            jobset.Project!.Description = Hostile;
            jobset.Project.DisplayName = Hostile;
            var eval = await Seed.EvalAsync(db, jobset);
            db.Add(new EvaluationError { EvaluationId = eval.Id, Job = Hostile, Message = Hostile });
            var build = await Seed.BuildAsync(db, jobset, eval, Hostile, status: 0);
            build.NixName = Hostile;
            build.Description = Hostile;
            build.Maintainers = Hostile;
            build.ReleaseName = Hostile;
            db.Add(new BuildProduct { BuildId = build.Id, ProductNr = 1, Type = "file", Subtype = Hostile, Path = build.Outputs[0].Path, Name = Hostile });
            db.Add(new BuildMetric { BuildId = build.Id, Name = Hostile, Unit = Hostile, Value = 1, JobsetId = jobset.Id, Job = Hostile, Timestamp = Seed.Now });
            await db.SaveChangesAsync();
            buildId = build.Id;
            evalId = eval.Id;
        });

        var client = factory.CreateClient();
        foreach (var url in new[] { "/", "/project/hostile", "/jobset/hostile/js", $"/eval/{evalId}", $"/build/{buildId}", "/login", "/machines", "/status/evaluations" })
        {
            var response = await client.GetAsync(url);
            var html = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{url}: {response.StatusCode}");
            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(" style=", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotMatch(InlineHandler(), html);
            Assert.Equal(SecurityHeaders.Policy, string.Join(";", response.Headers.GetValues("Content-Security-Policy")));
            Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
        }
        // The text is there, escaped, where the page shows it.
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", await client.GetStringAsync($"/build/{buildId}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_policy_allows_no_inline_script_or_style()
    {
        var response = await factory.CreateClient().GetAsync("/");
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));

        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("style-src 'self'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
    }

    /// <summary>An attribute like <c>onerror=</c> inside a tag (not in escaped text, where '&lt;' is written as '&amp;lt;').</summary>
    [GeneratedRegex(@"<[a-z]+[^>]*\son[a-z]+=", RegexOptions.IgnoreCase)]
    private static partial Regex InlineHandler();
}
