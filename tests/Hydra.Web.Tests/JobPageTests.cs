using System.Net;
using System.Text.RegularExpressions;
using Hydra.Core.Data.Entities;
using Hydra.Web.Cache;
using Hydra.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Hydra.Web.Tests;

/// <summary>The job page: history in keyset pages and the two charts, closure sizes read from the cache's narinfos.</summary>
public sealed partial class JobPageTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    [Fact]
    public async Task A_job_shows_its_builds_newest_first_with_build_time_and_closure_size_charts()
    {
        var store = factory.Services.GetRequiredService<DirectoryCacheStorage>();
        store.EnsureLayout();
        // A dependency shared by every build (1,000 bytes) and each build's own output (100 * n bytes).
        var dependency = $"{new string('d', 32)}-dep";
        await WriteNarInfoAsync(store, dependency, 1000, []);
        var ids = new List<long>();
        await factory.WithDbAsync(async db =>
        {
            var jobset = await Seed.JobsetAsync(db, "charts", "main");
            for (var n = 1; n <= 55; n++)
            {
                var build = await Seed.BuildAsync(db, jobset, null, "pkgs.<script>hello", 0);
                build.StartTime = Seed.Now.AddMinutes(n);
                build.StopTime = build.StartTime.Value.AddSeconds(10 * n);
                var output = $"{n.ToString("D32", System.Globalization.CultureInfo.InvariantCulture)}-hello";
                build.Outputs[0].Path = $"/nix/store/{output}";
                if (n > 52)
                {
                    // The three newest are not in the cache yet: no closure size for them, no error either.
                    ids.Add(build.Id);
                    continue;
                }
                await WriteNarInfoAsync(store, output, 100 * n, [dependency, output]);
                ids.Add(build.Id);
            }
            await Seed.BuildAsync(db, jobset, null, "other", 0);
            await db.SaveChangesAsync();
        });
        var client = factory.CreateClient();

        var page = await client.GetStringAsync($"/job/charts/main/{Uri.EscapeDataString("pkgs.<script>hello")}");

        Assert.Contains("Job charts:main:pkgs.&lt;script&gt;hello", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>hello", page, StringComparison.Ordinal);
        var shown = BuildLink().Matches(page.Split("<h2>Builds</h2>")[1]).Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(ids.AsEnumerable().Reverse().Take(50), shown);
        Assert.Contains($"?before={ids[5]}\">Older", page, StringComparison.Ordinal);

        // 55 build times; 52 closure sizes; the newest closure is its own 5,200 bytes plus the shared 1,000.
        Assert.Equal(2, Regex.Matches(page, "<svg ").Count);
        var charts = page.Split("<figcaption>");
        Assert.Equal(55, Regex.Matches(charts[1], "<circle ").Count);
        Assert.Equal(52, Regex.Matches(charts[2], "<circle ").Count);
        Assert.Contains($"Build {ids[51]}", charts[2], StringComparison.Ordinal);
        Assert.Contains(": 6.1 KiB</title>", charts[2], StringComparison.Ordinal);
        Assert.Contains(": 9m 10s</title>", charts[1], StringComparison.Ordinal);
        Assert.DoesNotContain("style=", page, StringComparison.Ordinal);

        var older = await client.GetStringAsync($"/job/charts/main/{Uri.EscapeDataString("pkgs.<script>hello")}?before={ids[5]}");
        var olderShown = BuildLink().Matches(older.Split("<h2>Builds</h2>")[1]).Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(ids.Take(5).Reverse(), olderShown);

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/job/charts/main/no-such-job")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/job/charts/nope/pkgs.hello")).StatusCode);
    }

    private static Task WriteNarInfoAsync(DirectoryCacheStorage store, string baseName, long narSize, string[] references) =>
        File.WriteAllTextAsync(store.PathOf(baseName.Split('-')[0] + ".narinfo"),
            $"StorePath: /nix/store/{baseName}\nURL: nar/x.nar\nCompression: none\nNarHash: sha256:{new string('0', 52)}\nNarSize: {narSize}\nReferences: {string.Join(' ', references)}\n");

    [GeneratedRegex("<td><a href=\"/build/(\\d+)\">")]
    private static partial Regex BuildLink();
}
