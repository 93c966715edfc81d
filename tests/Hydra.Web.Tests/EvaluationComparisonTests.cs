using System.Net;
using System.Text.Json;
using Hydra.Core;
using Hydra.Core.Data;
using Hydra.Core.Data.Entities;
using Hydra.Web.Api.Evals;

namespace Hydra.Web.Tests;

public sealed class EvaluationComparisonTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    /// <summary>
    /// Two evaluations of one jobset covering every section: (job, status before, status now).
    /// Null status = unfinished; "gone" is only in the first, "fresh" only in the second.
    /// </summary>
    private async Task<(long First, long Second, Dictionary<string, long> Builds)> SeedPairAsync(HydraDbContext db, string project)
    {
        var jobset = await Seed.JobsetAsync(db, project, "main");
        var first = await Seed.EvalAsync(db, jobset);
        var second = await Seed.EvalAsync(db, jobset);
        var builds = new Dictionary<string, long>();
        (string Job, int? Before, int? Now)[] jobs =
        [
            ("ok-ok", BuildStatus.Succeeded, BuildStatus.Succeeded),
            ("bad-bad", BuildStatus.Failed, BuildStatus.DependencyFailed),
            ("ok-bad", BuildStatus.Succeeded, BuildStatus.Failed),
            ("bad-ok", BuildStatus.Failed, BuildStatus.Succeeded),
            ("ok-queued", BuildStatus.Succeeded, null),
            ("queued-ok", null, BuildStatus.Succeeded),
            ("ok-cancelled", BuildStatus.Succeeded, BuildStatus.Cancelled),
            ("ok-timedout", BuildStatus.Succeeded, BuildStatus.TimedOut),
        ];
        foreach (var (job, before, now) in jobs)
        {
            await Seed.BuildAsync(db, jobset, first, job, before);
            builds[job] = (await Seed.BuildAsync(db, jobset, second, job, now)).Id;
        }
        builds["gone"] = (await Seed.BuildAsync(db, jobset, first, "gone", BuildStatus.Succeeded)).Id;
        builds["fresh"] = (await Seed.BuildAsync(db, jobset, second, "fresh", BuildStatus.Failed)).Id;
        return (first.Id, second.Id, builds);
    }

    [Fact]
    public async Task Builds_fall_into_Hydras_sections_by_job_and_system()
    {
        await factory.WithDbAsync(async db =>
        {
            var (first, second, builds) = await SeedPairAsync(db, "diff");

            var diff = await EvaluationComparison.CompareAsync(db, second, first, CancellationToken.None);

            Assert.Equal(first, diff.CompareTo);
            Assert.Equal([builds["fresh"]], diff.New.Select(b => b.Id));
            Assert.Equal(["gone"], diff.Removed.Select(b => b.Job));
            Assert.Equal([builds["ok-bad"]], diff.NowFail.Select(b => b.Id));
            Assert.Equal([builds["bad-ok"]], diff.NowSucceed.Select(b => b.Id));
            Assert.Equal([builds["bad-bad"]], diff.StillFail.Select(b => b.Id));
            Assert.Equal([builds["ok-ok"]], diff.StillSucceed.Select(b => b.Id));
            Assert.Equal(["ok-queued", "queued-ok"], diff.Unfinished.Select(b => b.Job));
            Assert.Equal(["ok-cancelled", "ok-timedout"], diff.Aborted.Select(b => b.Job));
        });
    }

    [Fact]
    public void The_same_job_on_another_system_is_a_different_job()
    {
        ComparedBuild Build(long id, string system, int status) => new(id, "hello", system, "hello-1.0", true, status);

        var diff = EvaluationComparison.Compare(
            [Build(3, "x86_64-linux", BuildStatus.Succeeded), Build(4, "aarch64-linux", BuildStatus.Succeeded)],
            [Build(1, "x86_64-linux", BuildStatus.Failed), Build(2, "i686-linux", BuildStatus.Succeeded)],
            compareTo: 7);

        Assert.Equal([3L], diff.NowSucceed.Select(b => b.Id));
        Assert.Equal([4L], diff.New.Select(b => b.Id));
        Assert.Equal([2L], diff.Removed.Select(b => b.Id));
    }

    [Fact]
    public async Task Compare_defaults_to_the_previous_evaluation_of_the_jobset_and_accepts_ids_and_jobset_names()
    {
        await factory.WithDbAsync(async db =>
        {
            var (first, second, _) = await SeedPairAsync(db, "resolve");
            var other = await Seed.JobsetAsync(db, "resolve-other", "main");
            await Seed.EvalAsync(db, other);

            Assert.Equal((true, (long?)first), await EvaluationComparison.ResolveAsync(db, second, null, CancellationToken.None));
            Assert.Equal((true, (long?)null), await EvaluationComparison.ResolveAsync(db, first, "", CancellationToken.None));
            Assert.Equal((true, (long?)second), await EvaluationComparison.ResolveAsync(db, first, second.ToString(), CancellationToken.None));
            Assert.Equal((true, (long?)second), await EvaluationComparison.ResolveAsync(db, first, "main", CancellationToken.None));
            Assert.False((await EvaluationComparison.ResolveAsync(db, first, "no-such-jobset", CancellationToken.None)).Found);
            Assert.False((await EvaluationComparison.ResolveAsync(db, first, "999999", CancellationToken.None)).Found);
        });
    }

    [Fact]
    public async Task The_eval_page_shows_the_sections_with_Hydras_tab_ids()
    {
        long second = 0, first = 0;
        Dictionary<string, long> builds = [];
        await factory.WithDbAsync(async db => (first, second, builds) = await SeedPairAsync(db, "tabs"));

        var response = await factory.CreateClient().GetAsync($"/eval/{second}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        foreach (var id in new[] { "tabs-new", "tabs-removed", "tabs-now-fail", "tabs-now-succeed", "tabs-still-fail", "tabs-still-succeed", "tabs-unfinished", "tabs-aborted" })
        {
            Assert.Contains($"id=\"{id}\"", html, StringComparison.Ordinal);
        }
        Assert.Contains($"href=\"/eval/{first}\"", html, StringComparison.Ordinal);
        var nowFail = html[html.IndexOf("id=\"tabs-now-fail\"", StringComparison.Ordinal)..html.IndexOf("id=\"tabs-now-succeed\"", StringComparison.Ordinal)];
        Assert.Contains($"/build/{builds["ok-bad"]}", nowFail, StringComparison.Ordinal);
        Assert.DoesNotContain($"/build/{builds["ok-ok"]}", nowFail, StringComparison.Ordinal);

        var firstPage = await factory.CreateClient().GetStringAsync($"/eval/{first}");
        Assert.Contains("first evaluation", firstPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_json_carries_the_comparison_only_when_asked()
    {
        long first = 0, second = 0;
        Dictionary<string, long> builds = [];
        await factory.WithDbAsync(async db => (first, second, builds) = await SeedPairAsync(db, "json"));
        var client = factory.JsonClient();

        var plain = JsonDocument.Parse(await client.GetStringAsync($"/eval/{second}")).RootElement;
        Assert.False(plain.TryGetProperty("comparison", out _));

        var compared = JsonDocument.Parse(await client.GetStringAsync($"/eval/{second}?compare={first}")).RootElement.GetProperty("comparison");
        Assert.Equal(first, compared.GetProperty("compareto").GetInt64());
        var nowFail = Assert.Single(compared.GetProperty("nowfail").EnumerateArray());
        Assert.Equal(builds["ok-bad"], nowFail.GetProperty("id").GetInt64());
        Assert.Equal(1, nowFail.GetProperty("finished").GetInt32());
        Assert.Equal(BuildStatus.Failed, nowFail.GetProperty("buildstatus").GetInt32());
        Assert.Equal(2, compared.GetProperty("aborted").GetArrayLength());
        Assert.Equal("gone", Assert.Single(compared.GetProperty("removed").EnumerateArray()).GetProperty("job").GetString());

        var byDefault = JsonDocument.Parse(await client.GetStringAsync($"/eval/{second}?compare")).RootElement.GetProperty("comparison");
        Assert.Equal(first, byDefault.GetProperty("compareto").GetInt64());

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/eval/{second}?compare=nope")).StatusCode);
    }
}
