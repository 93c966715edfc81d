using Hydra.Builder.Tests.Fakes;
using Hydra.Core.Protocol;

namespace Hydra.Builder.Tests.Worker;

/// <summary>What the worker uploads to the cache, and what it leaves alone, against the fake server's cache.</summary>
public sealed class UploadEndToEndTests : FakeServerTests
{
    [Fact]
    public async Task An_output_the_cache_has_already_is_not_uploaded_again()
    {
        var drv = await TestNix.InstantiateAsync("echo once > $out");
        var output = (await TestNix.OutputPathsAsync(drv)).Single();
        var narinfo = NarInfoName(output);
        await Worker.StartAsync(Server);
        Server.Enqueue(TestWorker.Claim(61, drv, output));
        Assert.Equal(StepOutcome.Succeeded, (await Server.WaitForFinishAsync(61, Patience)).Outcome);
        Assert.True(Server.CacheUploads.ContainsKey(narinfo));
        Server.CacheUploads.Clear();

        Server.Enqueue(TestWorker.Claim(62, drv, output));
        var again = await Server.WaitForFinishAsync(62, Patience);

        Assert.Equal(StepOutcome.Succeeded, again.Outcome);
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

    private static string NarInfoName(string storePath) => Path.GetFileName(storePath)[..32] + ".narinfo";
}
