using System.Net;
using System.Text.RegularExpressions;

namespace Hydra.Web.Tests.Jobsets;

/// <summary>The jobset page's keyset pages of evaluations, and the jobs x evaluations matrix.</summary>
public sealed partial class JobMatrixTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    [Fact]
    public async Task The_matrix_shows_each_current_job_against_the_last_evaluations_in_pages_by_name()
    {
        var evalIds = new List<long>();
        var builds = new Dictionary<(string Job, int Eval), long>();
        await factory.WithDbAsync(async db =>
        {
            var jobset = await Seed.JobsetAsync(db, "matrix", "main");
            // 25 evaluations; job "a" fails in the newest, job "b" is queued there, job "gone" is not in the newest.
            for (var e = 0; e < 25; e++)
            {
                var eval = await Seed.EvalAsync(db, jobset);
                evalIds.Add(eval.Id);
                foreach (var job in e == 24 ? new[] { "a", "b" } : ["a", "b", "gone"])
                {
                    int? status = e == 24 && job == "b" ? null : e == 24 && job == "a" ? 1 : 0;
                    var build = await Seed.BuildAsync(db, jobset, eval, job, status);
                    build.IsCurrent = e == 24;
                    builds[(job, e)] = build.Id;
                }
                await db.SaveChangesAsync();
            }
            // Many more current jobs than fit one page.
            var last = await db.Evaluations.FindAsync(evalIds[^1]);
            for (var i = 0; i < 120; i++)
            {
                var build = await Seed.BuildAsync(db, jobset, last, $"z{i:D3}", 0);
                build.IsCurrent = true;
            }
            await db.SaveChangesAsync();
        });
        var client = factory.CreateClient();

        var page = await client.GetStringAsync("/jobset/matrix/main/jobs");

        var columns = EvalHeader().Matches(page).Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(evalIds.AsEnumerable().Reverse().Take(10), columns);
        Assert.Contains($"href=\"/build/{builds[("a", 24)]}\" title=\"Build {builds[("a", 24)]}: Failed\">", page, StringComparison.Ordinal);
        Assert.Contains($"href=\"/build/{builds[("b", 24)]}\" title=\"Build {builds[("b", 24)]}: queued\">", page, StringComparison.Ordinal);
        Assert.Contains($"href=\"/build/{builds[("a", 23)]}\" title=\"Build {builds[("a", 23)]}: Succeeded\">", page, StringComparison.Ordinal);
        Assert.DoesNotContain($"href=\"/build/{builds[("a", 14)]}\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain(">gone</a>", page, StringComparison.Ordinal);
        Assert.Contains(">z097</a>", page, StringComparison.Ordinal);
        Assert.DoesNotContain(">z098</a>", page, StringComparison.Ordinal);
        Assert.Contains("/jobset/matrix/main/jobs?after=z097\">Next", page, StringComparison.Ordinal);

        var second = await client.GetStringAsync("/jobset/matrix/main/jobs?after=z097");
        Assert.Contains(">z098</a>", second, StringComparison.Ordinal);
        Assert.Contains(">z119</a>", second, StringComparison.Ordinal);
        Assert.DoesNotContain(">a</a>", second, StringComparison.Ordinal);
        Assert.DoesNotContain("jobs?after=", second, StringComparison.Ordinal);

        // The jobset page pages its evaluations by key.
        var jobsetPage = await client.GetStringAsync("/jobset/matrix/main");
        Assert.Contains($"href=\"/eval/{evalIds[^1]}\"", jobsetPage, StringComparison.Ordinal);
        Assert.DoesNotContain($"href=\"/eval/{evalIds[4]}\"", jobsetPage, StringComparison.Ordinal);
        Assert.Contains($"/jobset/matrix/main?before={evalIds[5]}\">Older", jobsetPage, StringComparison.Ordinal);
        var older = await client.GetStringAsync($"/jobset/matrix/main?before={evalIds[5]}");
        Assert.Contains($"href=\"/eval/{evalIds[0]}\"", older, StringComparison.Ordinal);
        Assert.DoesNotContain($"href=\"/eval/{evalIds[5]}\"", older, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/jobset/matrix/nope/jobs")).StatusCode);
        var empty = await client.GetStringAsync("/jobset/matrix/main/jobs?after=zzz");
        Assert.Contains("No more jobs after this one.", empty, StringComparison.Ordinal);
    }

    [GeneratedRegex("<th><a href=\"/eval/(\\d+)\">")]
    private static partial Regex EvalHeader();
}
