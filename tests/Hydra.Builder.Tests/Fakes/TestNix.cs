using Hydra.Core.Processes;
using Hydra.Builder.Nix;
using Hydra.Testing;

namespace Hydra.Builder.Tests.Fakes;

/// <summary>Real Nix for tests: tiny <c>/bin/sh</c> derivations with random names, so they are never already built.</summary>
internal static class TestNix
{
    static TestNix()
    {
        // The machine's Nix setup for tests: a local store and no outside substituters (no internet here).
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NIX_REMOTE")))
        {
            Environment.SetEnvironmentVariable("NIX_REMOTE", "local");
        }

        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NIX_CONFIG")))
        {
            Environment.SetEnvironmentVariable("NIX_CONFIG", NixTestEnvironment.Config);
        }
    }

    /// <summary>Instantiates a derivation running <paramref name="script"/> with /bin/sh; returns its .drv path.</summary>
    public static async Task<string> InstantiateAsync(string script)
    {
        var name = "t-" + Guid.NewGuid().ToString("N")[..12];
        var expression =
            $"derivation {{ name = \"{name}\"; system = builtins.currentSystem; builder = \"/bin/sh\"; " +
            $"args = [\"-c\" {NixString(script)}]; PATH = \"/bin:/usr/bin\"; }}";
        return (await RunAsync("nix-instantiate", ["--expr", expression])).Single();
    }

    public static async Task<IReadOnlyList<string>> OutputPathsAsync(string drvPath) =>
        await RunAsync("nix-store", ["--query", "--outputs", drvPath]);

    /// <summary>Builds <paramref name="drvPath"/> with plain <c>nix-store --realise</c>.</summary>
    public static async Task RealiseAsync(string drvPath) => await RunAsync("nix-store", ["--realise", drvPath]);

    public static async Task<IReadOnlyList<string>> RunAsync(string fileName, IReadOnlyList<string> arguments)
    {
        var stdout = new List<string>();
        var stderr = new List<string>();
        var exitCode = await new NixProcessRunner().RunAsync(
            new NixProcessRequest(fileName, arguments, NixEnvironment.Overrides([])),
            line => (line.IsStandardError ? stderr : stdout).Add(line.Text),
            CancellationToken.None);
        Assert.True(exitCode == 0, $"{fileName} failed ({exitCode}): {string.Join('\n', stderr)}");
        return stdout;
    }

    private static string NixString(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("${", "\\${", StringComparison.Ordinal) + "\"";
}
