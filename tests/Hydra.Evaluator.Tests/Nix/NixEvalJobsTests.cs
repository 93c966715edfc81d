using System.Text.Json.Nodes;
using Hydra.Core.Processes;
using Hydra.Evaluator.Nix;
using Microsoft.Extensions.Options;

namespace Hydra.Evaluator.Tests.Nix;

/// <summary>nix-eval-jobs is not installed here; a fake script records its arguments and prints canned lines.</summary>
public sealed class NixEvalJobsTests : NixEvalTest
{
    private const string Lines = """
        {"attr":"hello","attrPath":["hello"],"drvPath":"/nix/store/aaaa-hello.drv","name":"hello-1.0","system":"x86_64-linux","outputs":{"out":"/nix/store/bbbb-hello-1.0"},"meta":{"description":"Hi","license":[{"shortName":"mit"}],"maintainers":[{"email":"m@example.org"}],"schedulingPriority":10,"isHydraChannel":true}}
        warning: this line is not JSON
        {"attr":"pkgs.alias","drvPath":"/nix/store/aaaa-hello.drv","name":"hello-1.0","system":"x86_64-linux","outputs":{"out":"/nix/store/bbbb-hello-1.0"},"meta":{}}
        {"attr":"broken","attrPath":["broken"],"error":"error: this job is broken"}
        {"attr":"release","drvPath":"/nix/store/cccc-release.drv","name":"release","system":"x86_64-linux","outputs":{"out":"/nix/store/dddd-release"},"meta":{},"constituents":["/nix/store/aaaa-hello.drv"]}
        """;

    private string FakeNixEvalJobs(string output, int exitCode = 0)
    {
        var argumentsFile = Path.Combine(Directory, "arguments");
        var outputFile = Write("output.jsonl", output + "\n");
        var source = Write("nix-eval-jobs.sh", $"#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > {argumentsFile}\ncat {outputFile}\necho 'some progress on stderr' >&2\nexit {exitCode}\n");
        // The executable is written by `install`, not by this process: a child that another test forks while
        // this process holds a file open for writing keeps it open until it execs, and running that file
        // then fails with "Text file busy".
        var script = Path.Combine(Directory, "nix-eval-jobs");
        using var install = System.Diagnostics.Process.Start("install", ["-m", "0755", source, script]);
        install.WaitForExit();
        Assert.Equal(0, install.ExitCode);
        return script;
    }

    private static NixEvaluator EvaluatorUsing(string script) => new(new NixProcessRunner(), Options.Create(new EvaluatorOptions
    {
        NixEvalJobsPath = script, Workers = 2, MaxMemoryMiB = 512, EvalTimeout = TimeSpan.FromSeconds(30),
    }));

    private string[] Arguments() => File.ReadAllLines(Path.Combine(Directory, "arguments"));

    [Fact]
    public async Task Runs_nix_eval_jobs_with_Hydra_flags_and_reads_its_lines()
    {
        var expression = Write("release.nix", "{ }");
        var inputs = new JsonObject
        {
            ["greeting"] = new JsonObject { ["kind"] = "string", ["value"] = "hi \"there\"" },
            ["fast"] = new JsonObject { ["kind"] = "boolean", ["value"] = true },
            ["src"] = new JsonObject { ["kind"] = "path", ["path"] = "/tmp/checkout", ["rev"] = "abc123", ["shortRev"] = "abc" },
        };

        var evaluation = await EvaluatorUsing(FakeNixEvalJobs(Lines)).EvaluateAsync(expression, inputs, CancellationToken.None);

        var arguments = Arguments();
        Assert.Equal(["--meta", "--constituents", "--force-recurse", "--workers", "2", "--max-memory-size", "512"], arguments[..7]);
        Assert.Equal(expression, arguments[^1]);
        var joined = string.Join('\n', arguments);
        Assert.Contains("--argstr\ngreeting\nhi \"there\"", joined);
        Assert.Contains("--arg\nfast\ntrue", joined);
        Assert.Contains("--arg\nsrc\n{ outPath = builtins.path { path = /. + \"/tmp/checkout\"; name = \"source\"; }; rev = \"abc123\"; shortRev = \"abc\"; }", joined);

        Assert.Equal(["hello", "pkgs.alias", "release"], evaluation.Jobs.Select(j => j.Name));
        var hello = evaluation.Jobs[0];
        Assert.Equal("/nix/store/aaaa-hello.drv", hello.DrvPath);
        Assert.Equal("hello-1.0", hello.NixName);
        Assert.Equal("x86_64-linux", hello.System);
        Assert.Equal("/nix/store/bbbb-hello-1.0", hello.Outputs["out"]);
        Assert.Equal("Hi", hello.Description);
        Assert.Equal("mit", hello.License);
        Assert.Equal("m@example.org", hello.Maintainers);
        Assert.Equal(10, hello.SchedulingPriority);
        Assert.True(hello.IsChannel);
        Assert.Equal(["hello"], evaluation.Jobs[2].Constituents);

        var error = Assert.Single(evaluation.Errors);
        Assert.Equal("broken", error.Name);
        Assert.Equal("error: this job is broken", error.Message);
    }

    [Fact]
    public async Task A_failing_nix_eval_jobs_fails_the_evaluation()
    {
        var evaluator = EvaluatorUsing(FakeNixEvalJobs("", exitCode: 1));

        var error = await Assert.ThrowsAsync<EvaluationFailedException>(() =>
            evaluator.EvaluateAsync(Write("release.nix", "{ }"), [], CancellationToken.None));

        Assert.Contains("nix-eval-jobs failed", error.Message);
        Assert.Contains("some progress on stderr", error.Message);
    }

    [Fact]
    public async Task Flakes_go_to_nix_eval_jobs_as_flake_references()
    {
        using var flake = FlakeTests.CreateFlake("{ outputs = { self }: { hydraJobs = { }; }; }");

        await EvaluatorUsing(FakeNixEvalJobs("")).EvaluateFlakeAsync(flake.LockedUrl, CancellationToken.None);

        Assert.Equal($"{flake.LockedUrl}#hydraJobs", Arguments()[^1]);
        Assert.Contains("--flake", Arguments());
    }
}
