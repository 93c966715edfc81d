using System.Diagnostics;

namespace Hydra.Web.Tests.Cache;

/// <summary>Runs the real Nix against the local store, with no substituters and a private cache dir.</summary>
internal static class NixCli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>Runs <paramref name="program"/>; <paramref name="extraConfig"/> lines are appended to NIX_CONFIG.</summary>
    public static async Task<Result> RunAsync(string program, IEnumerable<string> arguments, params string[] extraConfig)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NIX_REMOTE"] = "local";
        start.Environment["NIX_CONFIG"] = string.Join('\n', ["experimental-features = nix-command", "substituters =", "sandbox = false", .. extraConfig]);

        // Nix remembers narinfo lookups per cache URL, including the unsigned narinfo it just uploaded;
        // a fresh cache per run makes each call behave like another machine, and keeps the home clean.
        var xdgCache = Directory.CreateTempSubdirectory("hydra-cache-test-xdg-");
        start.Environment["XDG_CACHE_HOME"] = xdgCache.FullName;

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} ran longer than {Timeout}.");
        }
        finally
        {
            xdgCache.Delete(recursive: true);
        }

        return new Result(process.ExitCode, (await stdout).Trim(), await stderr);
    }

    /// <summary>Builds a fresh tiny store path with a unique name, a file holding <paramref name="text"/> and a newline, and returns it.</summary>
    public static async Task<string> BuildTinyPathAsync(string text = "hi")
    {
        var name = $"c-{Guid.NewGuid():N}"[..14];
        var expression =
            $$"""derivation { name = "{{name}}"; builder = "/bin/sh"; args = [ "-c" "echo {{text}} > $out" ]; system = builtins.currentSystem; PATH = "/bin:/usr/bin"; }""";
        var result = await RunAsync("nix-build", ["--no-out-link", "-E", expression]);
        Assert.True(result.ExitCode == 0, "nix-build failed: " + result.Stderr);
        return result.Stdout;
    }
}
