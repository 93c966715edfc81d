using Hydra.Core.Data.Entities;
using Hydra.Evaluator.Inputs;
using Hydra.Testing;

namespace Hydra.Evaluator.Tests.Inputs;

public sealed class GitInputTests
{
    private static Jobset GitJobset(string value, params JobsetInput[] more) => new()
    {
        Name = "j", NixExprInput = "src", NixExprPath = "default.nix",
        Inputs = [new JobsetInput { Name = "src", Type = "git", Value = value }, .. more],
    };

    [Fact]
    public async Task Git_string_and_boolean_inputs_become_expression_arguments()
    {
        using var repository = new GitRepository();
        var revision = repository.Commit("first", ("default.nix", "{ }"));
        using var harness = new InputsHarness();
        var jobset = GitJobset($"{repository.Url} main",
            new JobsetInput { Name = "greeting", Type = "string", Value = "hi" },
            new JobsetInput { Name = "fast", Type = "boolean", Value = "true" });

        var resolved = await harness.Resolver.ResolveAsync(jobset, CancellationToken.None);

        Assert.Equal(revision, resolved.Inputs.Single(i => i.Name == "src").Revision);
        Assert.True(File.Exists(Path.Combine(resolved.ExpressionRoot, "default.nix")));
        Assert.Equal("hi", (string?)resolved.Arguments["greeting"]!["value"]);
        Assert.True((bool)resolved.Arguments["fast"]!["value"]!);
    }

    [Fact]
    public async Task A_branch_that_does_not_exist_is_a_clear_input_error()
    {
        using var repository = new GitRepository();
        repository.Commit("first", ("default.nix", "{ }"));
        using var harness = new InputsHarness();

        var error = await Assert.ThrowsAsync<InputFetchException>(() =>
            harness.Resolver.ResolveAsync(GitJobset($"{repository.Url} no-such-branch"), CancellationToken.None));

        Assert.Contains("no-such-branch", error.Message);
    }

    [Fact]
    public async Task A_plain_checkout_has_no_git_directory_but_knows_its_revision_count()
    {
        using var repository = new GitRepository();
        repository.Commit("first", ("default.nix", "{ }"));
        repository.Commit("second", ("default.nix", "{ x = 1; }"));
        using var harness = new InputsHarness();

        var resolved = await harness.Resolver.ResolveAsync(GitJobset($"{repository.Url} main"), CancellationToken.None);

        Assert.False(Directory.Exists(Path.Combine(resolved.ExpressionRoot, ".git")));
        Assert.Equal(2, (int)resolved.Arguments["src"]!["revCount"]!);
    }

    [Fact]
    public async Task DeepClone_keeps_the_history_in_the_checkout()
    {
        using var repository = new GitRepository();
        var first = repository.Commit("first", ("default.nix", "{ }"));
        var second = repository.Commit("second", ("default.nix", "{ x = 1; }"));
        using var harness = new InputsHarness();

        var resolved = await harness.Resolver.ResolveAsync(GitJobset($"{repository.Url} main deepClone"), CancellationToken.None);

        var checkout = new GitRepositoryView(resolved.ExpressionRoot);
        Assert.Equal(second, checkout.Run("rev-parse", "HEAD").Trim());
        Assert.Equal("2", checkout.Run("rev-list", "--count", "HEAD").Trim());
        Assert.Contains(first, checkout.Run("log", "--format=%H"));
        Assert.Equal(repository.Url, checkout.Run("remote", "get-url", "origin").Trim());
        Assert.Equal(2, (int)resolved.Arguments["src"]!["revCount"]!);
    }

    [Fact]
    public async Task Submodules_are_checked_out_recursively_when_asked_for()
    {
        using var library = new GitRepository();
        library.Commit("lib", ("lib.nix", "42"));
        using var repository = new GitRepository();
        repository.Commit("first", ("default.nix", "{ }"));
        repository.Run("-c", "protocol.file.allow=always", "submodule", "--quiet", "add", library.Url, "vendor/lib");
        repository.Commit("add submodule");
        using var harness = new InputsHarness();

        var plain = await harness.Resolver.ResolveAsync(GitJobset($"{repository.Url} main"), CancellationToken.None);
        var withSubmodules = await harness.Resolver.ResolveAsync(GitJobset($"{repository.Url} main submodules=true"), CancellationToken.None);

        Assert.False(File.Exists(Path.Combine(plain.ExpressionRoot, "vendor", "lib", "lib.nix")));
        Assert.Equal("42", File.ReadAllText(Path.Combine(withSubmodules.ExpressionRoot, "vendor", "lib", "lib.nix")));
        // Without deepClone no .git is left anywhere, so the store path depends on the files only.
        Assert.Empty(Directory.EnumerateFileSystemEntries(withSubmodules.ExpressionRoot, ".git", SearchOption.AllDirectories));
        Assert.Equal(plain.Inputs[0].Revision, withSubmodules.Inputs[0].Revision);
    }

    [Theory]
    [InlineData("https://example.org/r.git", "https://example.org/r.git", null, false, false)]
    [InlineData("https://example.org/r.git dev", "https://example.org/r.git", "dev", false, false)]
    [InlineData("https://example.org/r.git dev 1", "https://example.org/r.git", "dev", true, false)]
    [InlineData("https://example.org/r.git branch=dev deepClone=true submodules=true", "https://example.org/r.git", "dev", true, true)]
    public void Git_values_follow_Hydras_format(string value, string url, string? branch, bool deepClone, bool submodules) =>
        Assert.Equal(new GitInputValue(url, branch, deepClone, submodules), GitInputValue.Parse(value));

    [Fact]
    public void An_unknown_git_option_is_an_error_that_lists_the_known_ones()
    {
        var error = Assert.Throws<InputFetchException>(() => GitInputValue.Parse("https://example.org/r.git shallow=yes"));
        Assert.Contains("deepClone", error.Message);
    }

    /// <summary>Runs git inside a checkout made by the fetcher.</summary>
    private sealed class GitRepositoryView(string path)
    {
        public string Run(params string[] arguments)
        {
            var start = new System.Diagnostics.ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = path };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }
            using var process = System.Diagnostics.Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return output;
        }
    }
}
