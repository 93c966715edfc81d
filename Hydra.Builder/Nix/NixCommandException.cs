namespace Hydra.Builder.Nix;

/// <summary>A Nix command whose output we need exited non-zero.</summary>
public sealed class NixCommandException(string command, int exitCode)
    : Exception($"'{command}' exited with code {exitCode}.")
{
    public int ExitCode { get; } = exitCode;
}
