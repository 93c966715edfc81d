namespace Hydra.Web.Tests;

/// <summary>The overview page: per project, current build counts and health.</summary>
public sealed class HomeOverviewTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    [Fact]
    public async Task Projects_show_their_current_builds_and_health()
    {
        var checkedAt = DateTimeOffset.UtcNow.AddMinutes(-3);
        await factory.WithDbAsync(async db =>
        {
            var healthy = await Seed.JobsetAsync(db, "healthy", "main");
            var flaky = await Seed.JobsetAsync(db, "flaky", "main");
            var broken = await Seed.JobsetAsync(db, "broken", "main");
            broken.ErrorMessage = "error: syntax error, unexpected '}'";
            // Measured from the real clock now, not Seed.Now: that is fixed when the first test of the run seeds, which may be minutes ago.
            healthy.LastCheckedAt = checkedAt;
            for (var i = 0; i < 10; i++)
            {
                (await Seed.BuildAsync(db, healthy, null, $"ok{i}", 0)).IsCurrent = true;
                (await Seed.BuildAsync(db, flaky, null, $"mixed{i}", i < 7 ? 0 : 1)).IsCurrent = true;
            }
            (await Seed.BuildAsync(db, flaky, null, "queued")).IsCurrent = true;
            // Old builds are not current and do not count.
            await Seed.BuildAsync(db, healthy, null, "old", 1);
            await db.SaveChangesAsync();
        });

        var (page, checkedTexts) = await RelativeTimes.DuringAsync(checkedAt, () => factory.CreateClient().GetStringAsync("/"));

        var healthyRow = Row(page, "healthy");
        Assert.Contains("title=\"succeeded\">10<", healthyRow, StringComparison.Ordinal);
        Assert.Contains("title=\"failed\">0<", healthyRow, StringComparison.Ordinal);
        Assert.Contains(">100% succeed<", healthyRow, StringComparison.Ordinal);
        RelativeTimes.AssertContainsOne(checkedTexts, healthyRow);
        var flakyRow = Row(page, "flaky");
        Assert.Contains("title=\"queued\">1<", flakyRow, StringComparison.Ordinal);
        Assert.Contains(">70% succeed<", flakyRow, StringComparison.Ordinal);
        Assert.Contains("badge-failed", flakyRow, StringComparison.Ordinal);
        Assert.Contains(">1 jobset fails to evaluate<", Row(page, "broken"), StringComparison.Ordinal);
    }

    private static string Row(string page, string project)
    {
        var start = page.IndexOf($"<a href=\"/project/{project}\">", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no row for {project}");
        return page[start..page.IndexOf("</tr>", start, StringComparison.Ordinal)];
    }
}
