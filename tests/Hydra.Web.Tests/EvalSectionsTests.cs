using System.Text.RegularExpressions;

namespace Hydra.Web.Tests;

/// <summary>A big evaluation's page previews each section and pages through one section at a time.</summary>
public sealed partial class EvalSectionsTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    [Fact]
    public async Task A_big_evaluation_previews_its_sections_and_pages_one_by_build()
    {
        long evalId = 0;
        var ids = new List<long>();
        await factory.WithDbAsync(async db =>
        {
            var jobset = await Seed.JobsetAsync(db, "bigeval", "main");
            var eval = await Seed.EvalAsync(db, jobset);
            evalId = eval.Id;
            for (var i = 0; i < 1_150; i++)
            {
                ids.Add((await Seed.BuildAsync(db, jobset, eval, $"job{i:D4}", i < 1_100 ? 0 : 1)).Id);
            }
        });
        var client = factory.CreateClient();

        var page = await client.GetStringAsync($"/eval/{evalId}");

        // Every build is new (the first evaluation); the counts come from all of them.
        Assert.Contains("title=\"succeeded\">1100<", page, StringComparison.Ordinal);
        Assert.Contains("title=\"failed\">50<", page, StringComparison.Ordinal);
        Assert.Equal(100, Links().Matches(page.Split("id=\"tabs-new\"")[1]).Count);
        Assert.Contains($"/eval/{evalId}?tab=tabs-new\">All 1150", page, StringComparison.Ordinal);

        var tab = await client.GetStringAsync($"/eval/{evalId}?tab=tabs-new");
        var first = Links().Matches(tab).Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(ids.Take(500), first);
        Assert.DoesNotContain("id=\"tabs-still-succeed\"", tab, StringComparison.Ordinal);
        Assert.Contains($"tab=tabs-new&amp;after={ids[499]}\">Next", tab, StringComparison.Ordinal);

        var third = await client.GetStringAsync($"/eval/{evalId}?tab=tabs-new&after={ids[999]}");
        var last = Links().Matches(third).Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(ids.Skip(1000), last);
        Assert.DoesNotContain("&amp;after=", third, StringComparison.Ordinal);
    }

    [GeneratedRegex("<td><a href=\"/build/(\\d+)\">")]
    private static partial Regex Links();
}
