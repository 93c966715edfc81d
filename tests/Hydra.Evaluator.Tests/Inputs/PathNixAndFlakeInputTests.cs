using Hydra.Core.Data.Entities;
using Hydra.Evaluator.Inputs;
using Hydra.Testing;

namespace Hydra.Evaluator.Tests.Inputs;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PathNixAndFlakeInputTests
{
    static PathNixAndFlakeInputTests() => NixTestEnvironment.Apply();

    private static Jobset PathJobset(string path, params JobsetInput[] more) => new()
    {
        Name = "j", NixExprInput = "src", NixExprPath = "default.nix",
        Inputs = [new JobsetInput { Name = "src", Type = "path", Value = path }, .. more],
    };

    [Fact]
    public async Task A_path_input_is_hashed_and_its_hash_changes_with_content_and_mode()
    {
        using var directory = new TemporaryTree();
        File.WriteAllText(Path.Combine(directory.Path, "default.nix"), "{ }");
        Directory.CreateDirectory(Path.Combine(directory.Path, "sub"));
        File.WriteAllText(Path.Combine(directory.Path, "sub", "build.sh"), "echo hi");
        using var harness = new InputsHarness();

        var first = await harness.Resolver.ResolveAsync(PathJobset(directory.Path), CancellationToken.None);
        var again = await harness.Resolver.ResolveAsync(PathJobset(directory.Path), CancellationToken.None);
        File.WriteAllText(Path.Combine(directory.Path, "sub", "build.sh"), "echo bye");
        var edited = await harness.Resolver.ResolveAsync(PathJobset(directory.Path), CancellationToken.None);
        File.SetUnixFileMode(Path.Combine(directory.Path, "sub", "build.sh"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var executable = await harness.Resolver.ResolveAsync(PathJobset(directory.Path), CancellationToken.None);

        Assert.Equal(directory.Path, first.ExpressionRoot);
        Assert.Equal(first.Inputs[0].Revision, again.Inputs[0].Revision);
        Assert.NotEqual(first.Inputs[0].Revision, edited.Inputs[0].Revision);
        Assert.NotEqual(edited.Inputs[0].Revision, executable.Inputs[0].Revision);
        Assert.Equal(directory.Path, first.Inputs[0].Path);
        Assert.Equal("path", (string?)first.Arguments["src"]!["kind"]);
        Assert.Equal(first.Inputs[0].Revision, (string?)first.Arguments["src"]!["rev"]);
    }

    [Fact]
    public async Task A_missing_path_is_a_clear_input_error()
    {
        using var harness = new InputsHarness();

        var error = await Assert.ThrowsAsync<InputFetchException>(() =>
            harness.Resolver.ResolveAsync(PathJobset("/no/such/hydra/path"), CancellationToken.None));

        Assert.Equal("Path input '/no/such/hydra/path' does not exist on the evaluator's machine.", error.Message);
    }

    [Fact]
    public async Task A_nix_input_is_passed_as_an_expression_and_recorded_by_value()
    {
        using var directory = new TemporaryTree();
        using var harness = new InputsHarness();
        var jobset = PathJobset(directory.Path, new JobsetInput { Name = "systems", Type = "nix", Value = "[ \"x86_64-linux\" ]" });

        var resolved = await harness.Resolver.ResolveAsync(jobset, CancellationToken.None);

        Assert.Equal("nix", (string?)resolved.Arguments["systems"]!["kind"]);
        Assert.Equal("[ \"x86_64-linux\" ]", (string?)resolved.Arguments["systems"]!["value"]);
        Assert.Equal("[ \"x86_64-linux\" ]", resolved.Inputs.Single(i => i.Name == "systems").Value);
    }

    [Fact]
    public async Task A_flake_jobset_is_locked_to_its_current_revision()
    {
        using var repository = new GitRepository();
        var first = repository.Commit("first", ("flake.nix", "{ outputs = { self }: { hydraJobs = { }; }; }"));
        using var harness = new InputsHarness();
        var jobset = new Jobset { Name = "j", Type = 1, Flake = $"git+{repository.Url}?ref=main", NixExprInput = "", NixExprPath = "" };

        var before = await harness.Resolver.ResolveAsync(jobset, CancellationToken.None);
        var second = repository.Commit("second", ("README", "more"));
        var after = await harness.Resolver.ResolveAsync(jobset, CancellationToken.None);

        Assert.Contains($"rev={first}", before.FlakeUrl);
        Assert.Contains($"rev={second}", after.FlakeUrl);
        var record = Assert.Single(after.Inputs);
        Assert.Equal(("flake", "flake", after.FlakeUrl, second), (record.Name, record.Type, record.Uri, record.Revision));
        Assert.Empty(after.Arguments);
    }

    [Fact]
    public async Task A_flake_that_cannot_be_fetched_is_an_input_error()
    {
        using var harness = new InputsHarness();
        var jobset = new Jobset { Name = "j", Type = 1, Flake = "git+file:///no/such/hydra/repo", NixExprInput = "", NixExprPath = "" };

        var error = await Assert.ThrowsAsync<InputFetchException>(() => harness.Resolver.ResolveAsync(jobset, CancellationToken.None));

        Assert.StartsWith("Locking the flake git+file:///no/such/hydra/repo failed", error.Message);
    }

    private sealed class TemporaryTree : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("hydra-path-input-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
