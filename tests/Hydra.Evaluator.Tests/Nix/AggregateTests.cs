namespace Hydra.Evaluator.Tests.Nix;

public sealed class AggregateTests : NixEvalTest
{
    [Fact]
    public async Task Constituents_given_by_name_or_derivation_become_job_names()
    {
        var evaluation = await EvaluateAsync($$"""
            let hello = {{Drv("hello")}}; in
            {
              hello = hello;
              pkgs = { recurseForDerivations = true; helloAlias = hello; world = {{Drv("world")}}; };
              release = {{Drv("release", "_hydraAggregate = true; constituents = [ \"pkgs.world\" hello ];")}};
            }
            """);

        Assert.Empty(evaluation.Errors);
        var release = evaluation.Jobs.Single(j => j.Name == "release");
        // hello and pkgs.helloAlias share a derivation: the shortest name wins.
        Assert.Equal(["pkgs.world", "hello"], release.Constituents);
    }

    [Fact]
    public async Task Glob_constituents_match_job_names()
    {
        var evaluation = await EvaluateAsync($$"""
            {
              pkgs = { recurseForDerivations = true; a = {{Drv("a")}}; b = {{Drv("b")}}; };
              tests = { recurseForDerivations = true; t = {{Drv("t")}}; };
              release = {{Drv("release", "_hydraAggregate = true; _hydraGlobConstituents = true; constituents = [ \"pkgs.*\" \"tests.t\" ];")}};
            }
            """);

        Assert.Empty(evaluation.Errors);
        Assert.Equal(["pkgs.a", "pkgs.b", "tests.t"], evaluation.Jobs.Single(j => j.Name == "release").Constituents);
    }

    [Fact]
    public async Task A_missing_constituent_makes_only_the_aggregate_an_error()
    {
        var evaluation = await EvaluateAsync($$"""
            {
              a = {{Drv("a")}};
              release = {{Drv("release", "_hydraAggregate = true; constituents = [ \"a\" \"nope\" ];")}};
              bad = throw "bad job";
              needsBad = {{Drv("needsBad", "_hydraAggregate = true; constituents = [ \"bad\" ];")}};
              globbed = {{Drv("globbed", "_hydraAggregate = true; _hydraGlobConstituents = true; constituents = [ \"none.*\" ];")}};
            }
            """);

        Assert.Equal(["a"], evaluation.Jobs.Select(j => j.Name));
        var release = evaluation.Errors.Single(e => e.Name == "release");
        Assert.Contains("'nope'", release.Message);
        Assert.Contains("does not exist", release.Message);
        Assert.Contains("'bad' failed to evaluate", evaluation.Errors.Single(e => e.Name == "needsBad").Message);
        Assert.Contains("'none.*' matches no job", evaluation.Errors.Single(e => e.Name == "globbed").Message);
    }

    [Fact]
    public async Task A_cycle_between_aggregates_is_an_error_naming_the_cycle()
    {
        var evaluation = await EvaluateAsync($$"""
            {
              a = {{Drv("a")}};
              x = {{Drv("x", "_hydraAggregate = true; constituents = [ \"a\" \"y\" ];")}};
              y = {{Drv("y", "_hydraAggregate = true; constituents = [ \"x\" ];")}};
              fine = {{Drv("fine", "_hydraAggregate = true; constituents = [ \"a\" ];")}};
            }
            """);

        Assert.Equal(["a", "fine"], evaluation.Jobs.Select(j => j.Name));
        Assert.Equal(["x", "y"], evaluation.Errors.Select(e => e.Name));
        Assert.All(evaluation.Errors, e => Assert.Contains("cycle", e.Message));
        Assert.Contains("x -> y -> x", evaluation.Errors[0].Message);
    }
}
