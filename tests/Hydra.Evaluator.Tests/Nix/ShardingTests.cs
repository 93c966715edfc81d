namespace Hydra.Evaluator.Tests.Nix;

public sealed class ShardingTests : NixEvalTest
{
    [Fact]
    public async Task Two_workers_give_the_same_result_as_one()
    {
        var jobs = string.Join("\n", Enumerable.Range(0, 12).Select(i => $"  job{i} = {Drv($"job{i}")};"));
        var expression = $$"""
            {
            {{jobs}}
              pkgs = { recurseForDerivations = true; a = {{Drv("a")}}; b = {{Drv("b")}} // { meta.license = "mit"; }; };
              thrown = throw "no";
              aborted = abort "no";
              release = {{Drv("release", "_hydraAggregate = true; _hydraGlobConstituents = true; constituents = [ \"pkgs.*\" \"job3\" ];")}};
            }
            """;

        var one = await EvaluateAsync(expression, o => o.Workers = 1);
        var two = await EvaluateAsync(expression, o => o.Workers = 2);

        Assert.Equal(15, one.Jobs.Count);
        Assert.Equal(["aborted", "thrown"], one.Errors.Select(e => e.Name));
        Assert.Equal(one.Jobs.Select(j => j.Name), two.Jobs.Select(j => j.Name));
        Assert.Equal(one.Jobs.Select(j => j.DrvPath), two.Jobs.Select(j => j.DrvPath));
        Assert.Equal(one.Jobs.Select(j => j.License), two.Jobs.Select(j => j.License));
        Assert.Equal(one.Jobs.Single(j => j.Name == "release").Constituents, two.Jobs.Single(j => j.Name == "release").Constituents);
        Assert.Equal(one.Errors, two.Errors);
    }
}
