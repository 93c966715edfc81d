using System.Collections.Concurrent;
using Hydra.Core.Processes;
using Hydra.Evaluator.Nix;
using Microsoft.Extensions.Options;

namespace Hydra.Evaluator.Tests.Nix;

public sealed class WorkerStreamTests : NixEvalTest
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
        // The same errors; the traces under them may differ in which attribute was being forced when the worker
        // died (a job that aborts is evaluated again alone), so the error lines themselves are compared.
        Assert.Equal(one.Errors.Select(e => e.Name), two.Errors.Select(e => e.Name));
        Assert.Equal(one.Errors.Select(e => ErrorLines(e.Message)), two.Errors.Select(e => ErrorLines(e.Message)));
        Assert.All(one.Errors, e => Assert.NotEmpty(ErrorLines(e.Message)));
        Assert.All(one.Errors, e => Assert.Contains(e.Name == "lateAbort" ? "late" : "no", e.Message, StringComparison.Ordinal));
    }

    /// <summary>The lines of a Nix message that state an error, without the trace's "while evaluating" lines.</summary>
    private static string ErrorLines(string message) =>
        string.Join('\n', message.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("error:", StringComparison.Ordinal) && !l.Contains("while evaluating", StringComparison.Ordinal)));

    [Fact]
    public async Task Workers_run_as_separate_processes_under_the_memory_limit()
    {
        var recorder = new RecordingRunner();
        var evaluator = new NixEvaluator(recorder, Options.Create(new EvaluatorOptions { NixEvalJobsPath = "", Workers = 2, MaxMemoryMiB = 1024 }));
        var jobs = string.Join("\n", Enumerable.Range(0, 6).Select(i => $"  job{i} = {Drv($"job{i}")};"));

        var evaluation = await evaluator.EvaluateAsync(Write("release.nix", $"{{\n{jobs}\n}}"), [], CancellationToken.None);

        Assert.Equal(6, evaluation.Jobs.Count);
        Assert.All(recorder.Requests, r => Assert.Equal(["--as=1073741824", "--", "nix-instantiate"], r.Arguments.Take(3)));
        var modes = recorder.Requests.Select(r => r.Arguments[r.Arguments.ToList().IndexOf("mode") + 1]).ToList();
        Assert.Equal(["list", "stream", "stream"], modes);
    }

    [Fact]
    public async Task A_worker_that_dies_on_a_job_is_restarted_after_it_and_the_job_gets_its_own_error()
    {
        var recorder = new RecordingRunner();
        var evaluator = new NixEvaluator(recorder, Options.Create(new EvaluatorOptions { NixEvalJobsPath = "", Workers = 1 }));
        // abort is beyond tryEval: the process evaluating b dies there, after printing a.
        var expression = $$"""
            {
              a = {{Drv("a")}};
              b = {{Drv("b", "extra = abort \"b is broken\";")}};
              c = {{Drv("c")}};
              d = {{Drv("d", "extra = abort \"d is broken too\";")}};
              e = {{Drv("e")}};
            }
            """;

        var evaluation = await evaluator.EvaluateAsync(Write("release.nix", expression), [], CancellationToken.None);

        Assert.Equal(["a", "c", "e"], evaluation.Jobs.Select(j => j.Name).Order());
        Assert.Equal(["b", "d"], evaluation.Errors.Select(e => e.Name));
        Assert.Contains("b is broken", evaluation.Errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("d is broken too", evaluation.Errors[1].Message, StringComparison.Ordinal);
        // One stream from the start, one after b, one after d; b and d alone (each once).
        var modes = recorder.Requests.Select(r => r.Arguments[r.Arguments.ToList().IndexOf("mode") + 1]).ToList();
        Assert.Equal(["list", "stream", "eval", "stream", "eval", "stream"], modes);
    }

    [Fact]
    public async Task Jobs_reach_the_stream_while_their_worker_is_still_evaluating()
    {
        var evaluator = new NixEvaluator(new NixProcessRunner(), Options.Create(new EvaluatorOptions { NixEvalJobsPath = "", Workers = 1 }));
        // `slow` is last in its worker's list and takes seconds to evaluate; `fast` must arrive before it is done.
        var expression = $$"""
            {
              fast = {{Drv("fast")}};
              slow = {{Drv("slow", "extra = toString (builtins.length (builtins.filter (x: x == 7) (builtins.genList (i: i - (i / 9) * 9) 3000000)));")}};
            }
            """;

        await using var stream = evaluator.EvaluateStreaming(Write("release.nix", expression), [], CancellationToken.None);
        var first = await stream.Jobs.ReadAsync();

        Assert.Equal("fast", first.Name);
        Assert.False(stream.Completion.IsCompleted, "the first job should arrive while `slow` is still being evaluated");
        Assert.Equal("slow", (await stream.Jobs.ReadAsync()).Name);
        Assert.Empty((await stream.Completion).Errors);
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
