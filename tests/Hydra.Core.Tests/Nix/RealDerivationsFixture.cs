namespace Hydra.Core.Tests.Nix;

/// <summary>
/// Instantiates small real derivations once per test class: a simple one whose arguments need
/// escaping, one that depends on it, and one with two outputs.
/// </summary>
public sealed class RealDerivationsFixture : IAsyncLifetime
{
    // The salt keeps paths unique to this run, so tests never see a stale store entry.
    private static readonly string s_expression = """
        let
          salt = "@SALT@";
          simple = derivation {
            name = "simple";
            system = builtins.currentSystem;
            builder = "/bin/sh";
            args = [ "-c" "echo \"hi\"\nthere\t\\ > $out" ];
            PATH = "/bin:/usr/bin";
            inherit salt;
          };
          dependent = derivation {
            name = "dependent";
            system = builtins.currentSystem;
            builder = "/bin/sh";
            args = [ "-c" "cat ${simple} > $out" ];
            src = builtins.toFile "src.txt" "source ${salt}";
            requiredSystemFeatures = [ "kvm" "big-parallel" ];
            preferLocalBuild = true;
            inherit salt;
          };
          multi = derivation {
            name = "multi";
            system = builtins.currentSystem;
            builder = "/bin/sh";
            outputs = [ "out" "dev" ];
            args = [ "-c" "echo > $out; echo > $dev" ];
            inherit salt;
          };
        in { inherit simple dependent multi; }
        """;

    public string SimpleDrvPath { get; private set; } = string.Empty;

    public string DependentDrvPath { get; private set; } = string.Empty;

    public string MultiDrvPath { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        var expression = s_expression.Replace("@SALT@", Guid.NewGuid().ToString("N"), StringComparison.Ordinal);
        var output = await NixProcess.RunCheckedAsync("nix-instantiate", "-E", expression, "-A", "simple", "-A", "dependent", "-A", "multi");
        var paths = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(3, paths.Length);
        (SimpleDrvPath, DependentDrvPath, MultiDrvPath) = (paths[0], paths[1], paths[2]);
    }

    public Task DisposeAsync() => Task.CompletedTask;
}
