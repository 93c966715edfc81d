using Hydra.Builder.Tests.Fakes;
using Hydra.Core.Protocol;

namespace Hydra.Builder.Tests.Worker;

/// <summary>What the worker uploads to the cache, and what it leaves alone, against the fake server's cache.</summary>
public sealed class UploadEndToEndTests : FakeServerTests
{
    [Fact]
    public async Task A_reference_the_cache_has_already_is_not_uploaded_again_and_a_single_output_is_not_asked_about()
    {
        var (top, dep) = await InstantiateWithDependencyAsync();
        var depOutput = (await TestNix.OutputPathsAsync(dep)).Single();
        var topOutput = (await TestNix.OutputPathsAsync(top)).Single();
        await Worker.StartAsync(Server);
        Server.Enqueue(TestWorker.Claim(61, dep, depOutput));
        Assert.Equal(StepOutcome.Succeeded, (await Server.WaitForFinishAsync(61, Patience)).Outcome);
        Assert.True(Server.CacheUploads.ContainsKey(NarInfoName(depOutput)));
        Server.CacheUploads.Clear();
        Server.CacheHeads.Clear();

        Server.Enqueue(TestWorker.Claim(62, top, topOutput));
        Assert.Equal(StepOutcome.Succeeded, (await Server.WaitForFinishAsync(62, Patience)).Outcome);

        Assert.Equal([NarInfoName(topOutput)], Server.CacheUploads.Keys.Where(k => k.EndsWith(".narinfo", StringComparison.Ordinal)));
        // The server hands out a step with one output only while that output is missing, so only the reference was asked about.
        Assert.Equal([NarInfoName(depOutput)], Server.CacheHeads);
    }

    [Fact]
    public async Task Outputs_of_a_step_with_several_the_cache_has_already_are_not_uploaded_again()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var drv = (await TestNix.RunAsync("nix-instantiate", ["--expr",
            $"derivation {{ name = \"t-multi-{id}\"; system = builtins.currentSystem; builder = \"/bin/sh\"; outputs = [\"out\" \"doc\"]; " +
            "args = [\"-c\" \"echo out > $out; echo doc > $doc\"]; }"])).Single();
        var outputs = await TestNix.OutputPathsAsync(drv);
        var claim = TestWorker.Claim(63, drv, outputs[0]) with { OutputPaths = outputs };
        await Worker.StartAsync(Server);
        Server.Enqueue(claim);
        Assert.Equal(StepOutcome.Succeeded, (await Server.WaitForFinishAsync(63, Patience)).Outcome);
        Assert.All(outputs, o => Assert.True(Server.CacheUploads.ContainsKey(NarInfoName(o))));
        Server.CacheUploads.Clear();

        Server.Enqueue(claim with { AttemptId = 64 });
        var again = await Server.WaitForFinishAsync(64, Patience);

        Assert.Equal(StepOutcome.Succeeded, again.Outcome);
        Assert.Equal(2, again.Outputs.Count);
        Assert.Empty(Server.CacheUploads);
    }

    [Fact]
    public async Task A_reference_the_cache_lacks_is_uploaded_with_the_output()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var drv = (await TestNix.RunAsync("nix-instantiate", ["--expr",
            $"let step = name: script: derivation {{ inherit name; system = builtins.currentSystem; builder = \"/bin/sh\"; args = [\"-c\" script]; }}; " +
            $"dep = step \"t-dep-{id}\" \"echo dep > $out\"; in step \"t-top-{id}\" \"echo ${{dep}} > $out\""])).Single();
        var output = (await TestNix.OutputPathsAsync(drv)).Single();
        await Worker.StartAsync(Server);

        Server.Enqueue(TestWorker.Claim(71, drv, output));
        Assert.Equal(StepOutcome.Succeeded, (await Server.WaitForFinishAsync(71, Patience)).Outcome);

        var dep = (await File.ReadAllTextAsync(output)).Trim();
        Assert.StartsWith("/nix/store/", dep, StringComparison.Ordinal);
        Assert.Contains($"References: {Path.GetFileName(dep)}\n", Server.CacheText(NarInfoName(output)), StringComparison.Ordinal);
        Assert.Contains("StorePath: " + dep + "\n", Server.CacheText(NarInfoName(dep)), StringComparison.Ordinal);
    }

    private static async Task<(string Top, string Dep)> InstantiateWithDependencyAsync()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var top = (await TestNix.RunAsync("nix-instantiate", ["--expr",
            $"let step = name: script: derivation {{ inherit name; system = builtins.currentSystem; builder = \"/bin/sh\"; args = [\"-c\" script]; }}; " +
            $"dep = step \"t-dep-{id}\" \"echo dep > $out\"; in step \"t-top-{id}\" \"echo ${{dep}} > $out\""])).Single();
        var dep = (await TestNix.RunAsync("nix-store", ["--query", "--references", top])).Single(p => p.EndsWith(".drv", StringComparison.Ordinal));
        return (top, dep);
    }

    private static string NarInfoName(string storePath) => Path.GetFileName(storePath)[..32] + ".narinfo";
}
