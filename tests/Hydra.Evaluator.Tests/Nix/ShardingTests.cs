using System.Collections.Concurrent;
using Hydra.Core.Processes;
using Hydra.Evaluator.Nix;
using Microsoft.Extensions.Options;

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
              lateAbort = {{Drv("lateAbort", "extra = abort \"late\";")}};
              release = {{Drv("release", "_hydraAggregate = true; _hydraGlobConstituents = true; constituents = [ \"pkgs.*\" \"job3\" ];")}};
            }
            """;

        var one = await EvaluateAsync(expression, o => o.Workers = 1);
        var two = await EvaluateAsync(expression, o => o.Workers = 2);

        Assert.Equal(15, one.Jobs.Count);
        Assert.Equal(["aborted", "lateAbort", "thrown"], one.Errors.Select(e => e.Name));
        Assert.Equal(one.Jobs.Select(j => j.Name), two.Jobs.Select(j => j.Name));
        Assert.Equal(one.Jobs.Select(j => j.DrvPath), two.Jobs.Select(j => j.DrvPath));
        Assert.Equal(one.Jobs.Select(j => j.License), two.Jobs.Select(j => j.License));
        Assert.Equal(one.Jobs.Single(j => j.Name == "release").Constituents, two.Jobs.Single(j => j.Name == "release").Constituents);
        Assert.Equal(one.Errors, two.Errors);
    }

    [Fact]
    public async Task Shards_run_as_separate_processes_under_the_memory_limit()
    {
        var recorder = new RecordingRunner();
        var evaluator = new NixEvaluator(recorder, Options.Create(new EvaluatorOptions { NixEvalJobsPath = "", Workers = 2, MaxMemoryMiB = 1024 }));
        var jobs = string.Join("\n", Enumerable.Range(0, 6).Select(i => $"  job{i} = {Drv($"job{i}")};"));

        var evaluation = await evaluator.EvaluateAsync(Write("release.nix", $"{{\n{jobs}\n}}"), [], CancellationToken.None);

        Assert.Equal(6, evaluation.Jobs.Count);
        Assert.All(recorder.Requests, r => Assert.Equal(["--as=1073741824", "--", "nix-instantiate"], r.Arguments.Take(3)));
        var modes = recorder.Requests.Select(r => r.Arguments[r.Arguments.ToList().IndexOf("mode") + 1]).ToList();
        Assert.Equal(["list", "eval", "eval"], modes);
    }

    /// <summary>The real runner, remembering every request.</summary>
    private sealed class RecordingRunner : INixProcessRunner
    {
        private readonly NixProcessRunner _inner = new();

        public ConcurrentQueue<NixProcessRequest> Requests { get; } = new();

        public Task<int> RunAsync(NixProcessRequest request, Action<OutputLine> onLine, CancellationToken cancellationToken)
        {
            Requests.Enqueue(request);
            return _inner.RunAsync(request, onLine, cancellationToken);
        }
    }
}
