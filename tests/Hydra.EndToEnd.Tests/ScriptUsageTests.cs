using Hydra.Testing;

namespace Hydra.EndToEnd.Tests;

/// <summary>
/// <c>./dev.sh</c> and the benchmark scripts: help prints the usage and exits 0, and arguments they do not take are
/// refused (exit 2, with where the usage is) before anything starts.
/// </summary>
public sealed class ScriptUsageTests
{
    // tests/Hydra.EndToEnd.Tests/bin/<Configuration>/net10.0/ -> the repository.
    private static readonly string Root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));

    public static TheoryData<string> BenchScripts =>
        new(Directory.GetFiles(Path.Combine(Root, "bench"), "*.sh").Select(f => Path.GetFileName(f)).Where(f => f != "lib.sh").Order());

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    [InlineData("up", "--help")]
    [InlineData("down", "-h")]
    [InlineData("test", "--help")]
    public async Task Dev_sh_help_prints_the_usage_and_exits_0(params string[] arguments)
    {
        var (exitCode, output, error) = await TestProcess.RunAsync(Path.Combine(Root, "dev.sh"), arguments);

        Assert.True(exitCode == 0, error);
        Assert.Contains("Usage: ./dev.sh COMMAND", output, StringComparison.Ordinal);
        Assert.All(["up ", "down ", "test ", "bench "], command => Assert.Contains("  " + command, output, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("unknown command: bogus (./dev.sh --help lists them)", "bogus")]
    [InlineData("up takes no arguments, not: --bogus", "up", "--bogus")]
    [InlineData("down takes no arguments, not: now", "down", "now")]
    public async Task Dev_sh_refuses_what_it_does_not_take_and_exits_2(string message, params string[] arguments)
    {
        var (exitCode, output, error) = await TestProcess.RunAsync(Path.Combine(Root, "dev.sh"), arguments);

        Assert.Equal(2, exitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Contains("./dev.sh --help", error, StringComparison.Ordinal);
        Assert.Equal("", output);
    }

    [Fact]
    public async Task Dev_sh_bench_help_is_the_benchmarks_usage()
    {
        var (exitCode, output, error) = await TestProcess.RunAsync(Path.Combine(Root, "dev.sh"), "bench", "--help");

        Assert.True(exitCode == 0, error);
        Assert.Contains("Usage: ./dev.sh bench [ROUNDS]", output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BenchScripts))]
    public async Task Every_benchmark_prints_its_usage_on_help_and_refuses_options_and_words(string script)
    {
        var path = Path.Combine(Root, "bench", script);
        foreach (var help in new[] { "-h", "--help" })
        {
            var (exitCode, output, error) = await TestProcess.RunAsync("bash", path, help);
            Assert.True(exitCode == 0, error);
            Assert.Contains("Usage:", output, StringComparison.Ordinal);
        }

        foreach (var (arguments, message) in new[] { (new[] { "--fast" }, "unknown option --fast"), (["2", "many"], "many is not a number") })
        {
            var (exitCode, output, error) = await TestProcess.RunAsync("bash", [path, .. arguments]);
            Assert.Equal(2, exitCode);
            Assert.Contains($"bench/{script}: {message}", error, StringComparison.Ordinal);
            Assert.Contains($"Run 'bash bench/{script} --help' for usage.", error, StringComparison.Ordinal);
            Assert.Equal("", output);
        }
    }
}
