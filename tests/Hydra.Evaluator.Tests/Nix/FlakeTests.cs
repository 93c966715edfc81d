using Hydra.Testing;

namespace Hydra.Evaluator.Tests.Nix;

public sealed class FlakeTests : NixEvalTest
{
    /// <summary>A flake in a temporary git repository, with no inputs so nothing is fetched.</summary>
    public sealed class LocalFlake(GitRepository repository, string revision) : IDisposable
    {
        public string LockedUrl => $"git+file://{repository.Path}?rev={revision}";

        public void Dispose() => repository.Dispose();
    }

    public static LocalFlake CreateFlake(string flakeNix)
    {
        var repository = new GitRepository();
        var revision = repository.Commit("flake", ("flake.nix", flakeNix));
        return new LocalFlake(repository, revision);
    }

    private static string FlakeDrv(string name) =>
        $"derivation {{ name = \"{name}\"; system = builtins.currentSystem; builder = \"/bin/sh\"; args = [ \"-c\" \"echo > $out\" ]; PATH = \"/bin:/usr/bin\"; }}";

    [Fact]
    public async Task A_flake_is_evaluated_through_its_hydraJobs()
    {
        using var flake = CreateFlake($$"""
            {
              outputs = { self }: {
                hydraJobs = {
                  hello = {{FlakeDrv("hello")}};
                  nested.world = {{FlakeDrv("world")}} // { meta.description = "World"; };
                };
                checks.x86_64-linux.ignored = {{FlakeDrv("ignored")}};
              };
            }
            """);

        var evaluation = await Evaluator().EvaluateFlakeAsync(flake.LockedUrl, CancellationToken.None);

        Assert.Empty(evaluation.Errors);
        Assert.Equal(["hello", "nested.world"], evaluation.Jobs.Select(j => j.Name));
        Assert.Equal("World", evaluation.Jobs[1].Description);
    }

    [Fact]
    public async Task A_flake_without_hydraJobs_is_evaluated_through_its_checks()
    {
        using var flake = CreateFlake($$"""
            {
              outputs = { self }: {
                checks.x86_64-linux = { unit = {{FlakeDrv("unit")}}; lint = {{FlakeDrv("lint")}}; };
                checks.aarch64-linux.unit = {{FlakeDrv("unit-arm")}};
              };
            }
            """);

        var evaluation = await Evaluator().EvaluateFlakeAsync(flake.LockedUrl, CancellationToken.None);

        Assert.Empty(evaluation.Errors);
        Assert.Equal(["aarch64-linux.unit", "x86_64-linux.lint", "x86_64-linux.unit"], evaluation.Jobs.Select(j => j.Name));
    }

    [Fact]
    public async Task A_flake_with_neither_output_fails_clearly()
    {
        using var flake = CreateFlake("{ outputs = { self }: { packages = { }; }; }");

        var error = await Assert.ThrowsAsync<Hydra.Evaluator.Nix.EvaluationFailedException>(() =>
            Evaluator().EvaluateFlakeAsync(flake.LockedUrl, CancellationToken.None));

        Assert.Contains("neither hydraJobs nor checks", error.Message);
    }
}
