using Hydra.Testing;

namespace Hydra.Builder.Tests.Configuration;

/// <summary><c>hydra-builder</c> as a process: its help, and what it answers a command line it does not understand.</summary>
public sealed class CommandLineTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Help_lists_every_option_and_exits_0(string help)
    {
        var (exitCode, output, error) = await RunAsync(help);

        Assert.True(exitCode == 0, error);
        Assert.Contains("hydra-builder [options]", output, StringComparison.Ordinal);
        foreach (var option in new[] { "--server", "--token-file", "--systems", "--max-jobs", "--min-free-disk", "--work-dir", "--config", "--drain-timeout" })
        {
            Assert.Contains(option, output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("Unrecognized command or argument '--bogus'", "--bogus")]
    [InlineData("Unrecognized command or argument 'bogus'", "--server", "http://127.0.0.1:1", "bogus")]
    [InlineData("Cannot parse argument 'many' for option '--max-jobs'", "--max-jobs", "many")]
    [InlineData("Required argument missing for option: '--server'", "--server")]
    public async Task A_command_line_that_is_not_understood_says_what_and_where_the_usage_is_and_exits_2(string message, params string[] arguments)
    {
        var (exitCode, output, error) = await RunAsync(arguments);

        Assert.True(exitCode == 2, $"exit {exitCode}: {error}");
        Assert.Contains($"hydra-builder: {message}", error, StringComparison.Ordinal);
        Assert.Contains("Run 'hydra-builder --help' for usage.", error, StringComparison.Ordinal);
        Assert.Equal("", output);
    }

    [Fact]
    public async Task Missing_settings_are_named_with_how_to_give_them_and_exit_2()
    {
        var (exitCode, _, error) = await TestProcess.RunAsync(
            "dotnet", new Dictionary<string, string> { ["HYDRA_BUILDER_TOKEN"] = "" }, Dll, "--max-jobs", "0");

        Assert.Equal(2, exitCode);
        Assert.Contains("hydra-builder: No server given: pass --server", error, StringComparison.Ordinal);
        Assert.Contains("hydra-builder: --max-jobs must be at least 1, not 0.", error, StringComparison.Ordinal);
    }

    private static string Dll => Path.Combine(AppContext.BaseDirectory, "hydra-builder.dll");

    private static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] arguments) =>
        TestProcess.RunAsync("dotnet", [Dll, .. arguments]);
}
