using System.Text.RegularExpressions;
using Hydra.Core.Data.Entities;

namespace Hydra.Web.Tests.Channels;

/// <summary>The job page charts each metric its builds report (<c>nix-support/hydra-metrics</c>), oldest first.</summary>
public sealed class MetricChartTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    [Fact]
    public async Task The_job_page_draws_one_chart_per_metric_with_its_unit()
    {
        var ids = new List<long>();
        await factory.WithDbAsync(async db =>
        {
            var jobset = await Seed.JobsetAsync(db, "metrics", "main");
            for (var n = 1; n <= 3; n++)
            {
                var build = await Seed.BuildAsync(db, jobset, null, "bench", 0);
                ids.Add(build.Id);
                db.Add(new BuildMetric { BuildId = build.Id, Name = "runtime", Unit = "s", Value = 1.5 * n, JobsetId = jobset.Id, Job = "bench", Timestamp = Seed.Now.AddMinutes(n) });
                db.Add(new BuildMetric { BuildId = build.Id, Name = "<b>size", Value = 10 * n, JobsetId = jobset.Id, Job = "bench", Timestamp = Seed.Now.AddMinutes(n) });
            }
            var other = await Seed.BuildAsync(db, jobset, null, "other", 0);
            db.Add(new BuildMetric { BuildId = other.Id, Name = "runtime", Unit = "s", Value = 99, JobsetId = jobset.Id, Job = "other", Timestamp = Seed.Now });
            await db.SaveChangesAsync();
        });

        var page = await factory.CreateClient().GetStringAsync("/job/metrics/main/bench");

        var charts = page.Split("<figcaption>").Skip(1).ToList();
        var runtime = Assert.Single(charts, c => c.StartsWith("Metric runtime<", StringComparison.Ordinal));
        Assert.Equal(3, Regex.Matches(runtime, "<circle ").Count);
        Assert.Contains($"Build {ids[2]}", runtime, StringComparison.Ordinal);
        Assert.Contains(": 4.5 s</title>", runtime, StringComparison.Ordinal);
        Assert.DoesNotContain(": 99 s", runtime, StringComparison.Ordinal);
        Assert.True(runtime.IndexOf($"/build/{ids[0]}", StringComparison.Ordinal) < runtime.IndexOf($"/build/{ids[2]}", StringComparison.Ordinal), "oldest point first");
        var size = Assert.Single(charts, c => c.StartsWith("Metric &lt;b&gt;size<", StringComparison.Ordinal));
        Assert.Contains(": 30</title>", size, StringComparison.Ordinal);
    }
}
