namespace Hydra.Testing;

/// <summary>
/// How tests run Nix: as root on the local store, no substituters but the farm's own, no sandbox
/// (Debian's Nix), nix-command enabled. Applied to this process so servers started in-process inherit it.
/// </summary>
public static class NixTestEnvironment
{
    public const string Config = "experimental-features = nix-command\nsubstituters =\nsandbox = false";

    public static void Apply()
    {
        Environment.SetEnvironmentVariable("NIX_REMOTE", "local");
        Environment.SetEnvironmentVariable("NIX_CONFIG", Config);
    }

    /// <summary>A jobset expression of /bin/sh derivations; <paramref name="salt"/> makes every run build for real.</summary>
    public static string Derivation(string name, string script, string salt, params string[] dependencies) =>
        $$"""
          {{name}} = derivation {
              name = "{{name}}";
              system = builtins.currentSystem;
              builder = "/bin/sh";
              args = [ "-c" "{{script}}" ];
              PATH = "/bin:/usr/bin";
              salt = "{{salt}}";
              deps = [ {{string.Join(' ', dependencies)}} ];
            };
        """;
}
