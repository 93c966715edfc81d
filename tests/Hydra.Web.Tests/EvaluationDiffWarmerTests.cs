using Hydra.Web.Api.Evals;
using Microsoft.Extensions.DependencyInjection;

namespace Hydra.Web.Tests;

/// <summary>The warmer compares each jobset's newest evaluation ahead of its viewers, once.</summary>
public sealed class EvaluationDiffWarmerTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    [Fact]
    public async Task The_newest_evaluation_of_each_jobset_is_compared_once_and_shared_with_its_viewers()
    {
        long older = 0, newest = 0, other = 0;
        await factory.WithDbAsync(async db =>
        {
            var jobset = await Seed.JobsetAsync(db, "warm", "main");
            var first = await Seed.EvalAsync(db, jobset);
            await Seed.BuildAsync(db, jobset, first, "a", 0);
            var second = await Seed.EvalAsync(db, jobset);
            await Seed.BuildAsync(db, jobset, second, "a", 1);
            var otherJobset = await Seed.JobsetAsync(db, "warm2", "main");
            var third = await Seed.EvalAsync(db, otherJobset);
            await Seed.BuildAsync(db, otherJobset, third, "b", 0);
            (older, newest, other) = (first.Id, second.Id, third.Id);
        });
        var warmer = factory.Services.GetRequiredService<EvaluationDiffWarmer>();

        Assert.Equal(2, await warmer.WarmAsync(CancellationToken.None));
        Assert.Equal(0, await warmer.WarmAsync(CancellationToken.None));

        // What the page shows by default is the warmed result: the newest against the one before it.
        var diff = await factory.Services.GetRequiredService<EvaluationDiffCache>().GetAsync(newest, older, CancellationToken.None);
        Assert.Equal(older, diff.CompareTo);
        Assert.Single(diff.NowFail);
        var page = await factory.CreateClient().GetStringAsync($"/eval/{newest}");
        Assert.Contains("Now failing", page, StringComparison.Ordinal);
        Assert.Contains($"href=\"/eval/{older}\">evaluation {older}", page, StringComparison.Ordinal);
        Assert.NotEqual(0, other);
    }
}
