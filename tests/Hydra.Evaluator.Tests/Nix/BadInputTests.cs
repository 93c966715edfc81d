using System.Diagnostics;
using Hydra.Evaluator.Nix;

namespace Hydra.Evaluator.Tests.Nix;

public sealed class BadInputTests : NixEvalTest
{
    [Fact]
    public async Task Recursion_abort_throw_and_stack_overflow_fail_only_their_jobs()
    {
        var evaluation = await EvaluateAsync($$"""
            {
              good = {{Drv("good")}};
              recursion = let x = x; in x;
              aborted = abort "this job aborts";
              thrown = throw "this job throws";
              overflow = let f = x: f (x + 1); in f 0;
              pkgs = { recurseForDerivations = true; fine = {{Drv("fine")}}; broken = abort "nested abort"; };
              lateThrow = {{Drv("late", "extra = throw \"thrown inside the derivation\";")}};
              other = {{Drv("other")}};
            }
            """);

        Assert.Equal(["good", "other", "pkgs.fine"], evaluation.Jobs.Select(j => j.Name));
        Assert.Equal(["aborted", "lateThrow", "overflow", "pkgs.broken", "recursion", "thrown"], evaluation.Errors.Select(e => e.Name));
        string Error(string name) => evaluation.Errors.Single(e => e.Name == name).Message;
        Assert.Contains("infinite recursion", Error("recursion"));
        Assert.Contains("this job aborts", Error("aborted"));
        Assert.Contains("this job throws", Error("thrown"));
        Assert.Contains("thrown inside the derivation", Error("lateThrow"));
        Assert.Contains("nested abort", Error("pkgs.broken"));
        Assert.Contains("stack overflow", Error("overflow"));
    }

    [Fact]
    public async Task A_job_that_allocates_without_bound_hits_the_memory_limit_alone()
    {
        var watch = Stopwatch.StartNew();
        var evaluation = await EvaluateAsync($$"""
            {
              good = {{Drv("good")}};
              hog = builtins.deepSeq (builtins.genList (x: x) 100000000) {{Drv("hog")}};
              lateHog = {{Drv("lateHog", "big = builtins.deepSeq (builtins.genList (x: x * 2) 100000000) \"x\";")}};
              other = {{Drv("other")}};
            }
            """, o => o.MaxMemoryMiB = 256);

        Assert.Equal(["good", "other"], evaluation.Jobs.Select(j => j.Name));
        Assert.Equal(["hog", "lateHog"], evaluation.Errors.Select(e => e.Name));
        Assert.All(evaluation.Errors, e => Assert.Contains("out of memory", e.Message));
        Assert.All(evaluation.Errors, e => Assert.Contains("256 MiB", e.Message));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_job_that_runs_forever_hits_the_time_limit_alone()
    {
        var evaluation = await EvaluateAsync($$"""
            {
              good = {{Drv("good")}};
              forever = let fib = n: if n < 2 then n else fib (n - 1) + fib (n - 2); in {{Drv("forever", "n = fib 100;")}};
            }
            """, o => o.EvalTimeout = TimeSpan.FromSeconds(2));

        Assert.Equal("good", Assert.Single(evaluation.Jobs).Name);
        var error = Assert.Single(evaluation.Errors);
        Assert.Equal("forever", error.Name);
        Assert.Contains("time limit", error.Message);
    }

    [Fact]
    public async Task A_job_that_loops_while_listing_hits_the_time_limit_alone()
    {
        var evaluation = await EvaluateAsync($$"""
            {
              good = {{Drv("good")}};
              forever = let fib = n: if n < 2 then n else fib (n - 1) + fib (n - 2); in builtins.seq (fib 100) {{Drv("forever")}};
            }
            """, o => o.EvalTimeout = TimeSpan.FromSeconds(2));

        Assert.Equal("good", Assert.Single(evaluation.Jobs).Name);
        Assert.Contains("time limit", Assert.Single(evaluation.Errors, e => e.Name == "forever").Message);
    }

    [Fact]
    public async Task A_syntax_error_fails_the_evaluation_naming_the_file()
    {
        var error = await Assert.ThrowsAsync<EvaluationFailedException>(() => EvaluateAsync("{ a = ; }"));

        Assert.Contains("release.nix", error.Message);
        Assert.Contains("syntax error", error.Message);
    }

    [Fact]
    public async Task A_missing_file_fails_the_evaluation_naming_the_file()
    {
        var error = await Assert.ThrowsAsync<EvaluationFailedException>(() =>
            Evaluator().EvaluateAsync(Path.Combine(Directory, "nope.nix"), [], CancellationToken.None));

        Assert.Contains("nope.nix", error.Message);
    }

    [Fact]
    public async Task An_expression_that_is_not_an_attribute_set_fails_clearly()
    {
        var error = await Assert.ThrowsAsync<EvaluationFailedException>(() => EvaluateAsync("[ 1 2 ]"));

        Assert.Contains("must evaluate to an attribute set", error.Message);
        Assert.Contains("release.nix", error.Message);
        Assert.Contains("list", error.Message);
    }
}
