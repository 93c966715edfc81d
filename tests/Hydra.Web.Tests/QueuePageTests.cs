using System.Net;
using System.Text.RegularExpressions;
using Hydra.Core.Data.Entities;

namespace Hydra.Web.Tests;

/// <summary>The queue page against its own database: counts by system and jobset, filters, keyset pages.</summary>
public sealed partial class QueuePageTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    [Fact]
    public async Task The_queue_counts_steps_by_system_and_builds_by_jobset_and_pages_by_key()
    {
        var client = factory.CreateClient();
        var empty = await client.GetStringAsync("/queue");
        Assert.Contains("Nothing to build: every step has finished.", empty, StringComparison.Ordinal);
        Assert.Contains("No queued builds here.", empty, StringComparison.Ordinal);

        var ids = new List<long>();
        await factory.WithDbAsync(async db =>
        {
            var big = await Seed.JobsetAsync(db, "big", "trunk");
            var small = await Seed.JobsetAsync(db, "small", "main");
            for (var i = 0; i < 55; i++)
            {
                var step = await Seed.StepAsync(db, i < 3 ? StepState.Running : i < 10 ? StepState.Runnable : StepState.Pending);
                ids.Add((await Seed.BuildAsync(db, big, null, $"job{i}", topStep: step)).Id);
            }
            var arm = await Seed.StepAsync(db, StepState.Runnable);
            arm.System = "aarch64-linux";
            await db.SaveChangesAsync();
            var armBuild = await Seed.BuildAsync(db, small, null, "<b>arm</b>", topStep: arm);
            armBuild.System = "aarch64-linux";
            ids.Add(armBuild.Id);
            // Finished work is not queue.
            var done = await Seed.StepAsync(db, StepState.Succeeded, 0);
            await Seed.BuildAsync(db, big, null, "done", 0, done);
            await db.SaveChangesAsync();
        });
        // The summary is shared and refreshed once older than its lifetime, while viewers keep the previous one:
        // after the lifetime the next view starts the refresh, and a later one sees the new counts.
        await Task.Delay(Hydra.Web.Pages.Status.QueuePageQuery.SummaryLifetime + TimeSpan.FromMilliseconds(200));
        var page = await client.GetStringAsync("/queue");
        for (var tries = 0; tries < 100 && page.Contains("Nothing to build", StringComparison.Ordinal); tries++)
        {
            await Task.Delay(100);
            page = await client.GetStringAsync("/queue");
        }

        Assert.Matches(Row("x86_64-linux", "45", "7", "3"), page);
        Assert.Matches(Row("aarch64-linux", "0", "1", "0"), page);
        Assert.Contains(">big:trunk</a></td><td class=\"num\">55</td>", page, StringComparison.Ordinal);
        Assert.Contains(">small:main</a></td><td class=\"num\">1</td>", page, StringComparison.Ordinal);
        Assert.Contains($"href=\"/build/{ids[0]}\"", page, StringComparison.Ordinal);
        Assert.Contains($"href=\"/queue?after={ids[49]}\">Next", page, StringComparison.Ordinal);
        Assert.DoesNotContain($"href=\"/build/{ids[50]}\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain(":done<", page, StringComparison.Ordinal);

        var second = await client.GetStringAsync($"/queue?after={ids[49]}");
        Assert.Contains($"href=\"/build/{ids[50]}\"", second, StringComparison.Ordinal);
        Assert.Contains($"href=\"/build/{ids[^1]}\"", second, StringComparison.Ordinal);
        Assert.DoesNotContain($"href=\"/build/{ids[49]}\"", second, StringComparison.Ordinal);
        Assert.DoesNotContain("/queue?after=", second, StringComparison.Ordinal);
        Assert.Contains("<nav class=\"pager\"><a href=\"/queue\">", second, StringComparison.Ordinal);

        var arm = await client.GetStringAsync("/queue?system=aarch64-linux");
        Assert.Contains("Queued builds for aarch64-linux", arm, StringComparison.Ordinal);
        Assert.Single(BuildLinks().Matches(arm));
        Assert.Contains(":&lt;b&gt;arm&lt;/b&gt;", arm, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>arm</b>", arm, StringComparison.Ordinal);
        var jobset = await client.GetStringAsync("/queue?jobset=small:main");
        Assert.Contains($"href=\"/build/{ids[^1]}\"", jobset, StringComparison.Ordinal);
        Assert.Single(BuildLinks().Matches(jobset));

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/queue?after=999999999")).StatusCode);
    }

    private static string Row(string system, string waiting, string runnable, string running) =>
        $"{Regex.Escape(system)}</a></td><td class=\"num\">{waiting}</td><td class=\"num\">{runnable}</td><td class=\"num\">{running}</td>";

    [GeneratedRegex("<td><a href=\"/build/\\d+\">")]
    private static partial Regex BuildLinks();
}
