using Hydra.Testing;

namespace Hydra.Web.Tests.Hosting;

/// <summary>
/// <c>hydra-server</c> as a process, with a database that refuses connections: help and usage errors must need
/// none, and a command line that is not understood must never get as far as serving or touching the database.
/// </summary>
public sealed class CommandLineTests
{
    private static readonly string[] CommandNames =
        ["serve", "migrate", "create-user", "create-worker", "list-workers", "disable-worker", "enable-worker", "clear-failed-cache", "gc"];

    public static TheoryData<string> Commands => new(CommandNames);

    [Fact]
    public async Task Help_lists_every_command_and_says_that_none_serves()
    {
        foreach (var help in new[] { "--help", "-h" })
        {
            var (exitCode, output, error) = await RunAsync(help);

            Assert.True(exitCode == 0, error);
            Assert.Contains("Usage:", output, StringComparison.Ordinal);
            Assert.Contains("With no command", output, StringComparison.Ordinal);
            Assert.All(CommandNames, command => Assert.Contains($"  {command}", output, StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Every_command_prints_its_usage_on_help_and_exits_0(string command)
    {
        var (exitCode, output, error) = await RunAsync(command, "--help");

        Assert.True(exitCode == 0, error);
        Assert.Contains($"Usage:\n  hydra-server {command} ", output, StringComparison.Ordinal);
        Assert.Equal("", error);
    }

    [Theory]
    [InlineData("hydra-server serve", "unknown option '--bogus'", "--bogus")]
    [InlineData("hydra-server serve", "unknown option '--bogus'", "--bogus", "value")]
    [InlineData("hydra-server serve", "unknown option '--bogus'", "serve", "--urls", "http://127.0.0.1:0", "--bogus")]
    [InlineData("hydra-server serve", "'bogus' is neither a command", "bogus")]
    [InlineData("hydra-server serve", "'migrat' is neither a command", "migrat")]
    [InlineData("hydra-server serve", "setting '--Hydra:Roles' has no value", "serve", "--Hydra:Roles")]
    [InlineData("hydra-server serve", "Required argument missing for option: '--urls'", "--urls")]
    [InlineData("hydra-server migrate", "Unrecognized command or argument '--bogus'", "migrate", "--bogus")]
    [InlineData("hydra-server create-worker", "Required argument missing", "create-worker")]
    [InlineData("hydra-server create-worker", "Unrecognized command or argument 'extra'", "create-worker", "box", "extra")]
    [InlineData("hydra-server gc", "Unrecognized command or argument '--dryrun'", "gc", "--dryrun")]
    public async Task A_command_line_that_is_not_understood_says_what_and_where_the_usage_is_and_exits_2(string command, string message, params string[] arguments)
    {
        var (exitCode, output, error) = await RunAsync(arguments);

        Assert.True(exitCode == 2, $"exit {exitCode}: {error}");
        Assert.Contains($"{command}: {message}", error, StringComparison.Ordinal);
        Assert.Contains($"Run '{command} --help' for usage.", error, StringComparison.Ordinal);
        // Standard output is the command's answer (create-worker's token): no usage there.
        Assert.Equal("", output);
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("migrate")]
    [InlineData("gc", "--dry-run")]
    public async Task Without_a_database_setting_a_command_says_what_to_set_without_a_stack_trace_and_exits_2(params string[] arguments)
    {
        var (exitCode, output, error) = await RunWithAsync("", arguments);

        Assert.True(exitCode == 2, $"exit {exitCode}: {error}");
        Assert.Contains("hydra-server: No database configured. Set ConnectionStrings:Hydra", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", error, StringComparison.Ordinal);
        Assert.Equal("", output);
    }

    private static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] arguments) =>
        RunWithAsync("Host=127.0.0.1;Port=1;Username=nobody;Timeout=2", arguments);

    private static Task<(int ExitCode, string Output, string Error)> RunWithAsync(string connectionString, string[] arguments) =>
        TestProcess.RunAsync(
            "dotnet",
            new Dictionary<string, string> { ["ConnectionStrings__Hydra"] = connectionString },
            [Path.Combine(AppContext.BaseDirectory, "hydra-server.dll"), .. arguments]);
}
