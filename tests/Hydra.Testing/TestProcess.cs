using System.Diagnostics;

namespace Hydra.Testing;

/// <summary>Runs a command-line tool (nix, nix-store, ...) for a test and captures what it printed.</summary>
public static class TestProcess
{
    public static Task<(int ExitCode, string Output, string Error)> RunAsync(string fileName, params string[] arguments) =>
        RunAsync(fileName, environment: null, arguments);

    /// <summary>Runs <paramref name="fileName"/> with <paramref name="environment"/> added to this process's environment.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(
        string fileName, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }

    /// <summary>The trimmed standard output; a non-zero exit fails the test with the tool's errors.</summary>
    public static async Task<string> RunCheckedAsync(string fileName, params string[] arguments)
    {
        var result = await RunAsync(fileName, arguments);
        return result.ExitCode == 0
            ? result.Output.Trim()
            : throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} failed: {result.Error}");
    }
}
