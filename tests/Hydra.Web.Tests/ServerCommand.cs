using System.Diagnostics;

namespace Hydra.Web.Tests;

/// <summary>Runs a <c>hydra-server</c> command (clear-failed-cache, list-workers, ...) as a process against the factory's database.</summary>
internal static class ServerCommand
{
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(HydraWebFactory factory, params string[] arguments) =>
        RunWithInputAsync(factory, "", arguments);

    /// <summary>The same, with <paramref name="stdin"/> as the command's standard input.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunWithInputAsync(HydraWebFactory factory, string stdin, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "hydra-server.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // Commands take their configuration from the environment, as in production.
        start.Environment["ConnectionStrings__Hydra"] = factory.ConnectionString;
        start.Environment["Hydra__DataDir"] = factory.DataDir;

        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }
}
