namespace Hydra.Builder.Nix.Daemon;

/// <summary>
/// What a daemon session is started with and cannot change later: Nix 2.8 reads its substituters once per
/// process. Sessions with other settings (the farm's cache moved) are not reused.
/// </summary>
/// <param name="BuildHookPath">Replaces Nix's remote-build hook (<see cref="DeclineBuildHook"/>).</param>
/// <param name="NetrcPath">
/// The worker token for the cache (<see cref="DaemonNetrc"/>), so a private cache lets the daemon substitute; null
/// sends no credentials.
/// </param>
public sealed record NixDaemonSettings(string CacheUrl, string PublicKey, string BuildHookPath, string? NetrcPath = null)
{
    /// <summary>The farm cache is the only substituter, trusted through the farm's key only.</summary>
    public IReadOnlyList<string> ConfigLines =>
    [
        $"substituters = {CacheUrl}",
        $"trusted-public-keys = {PublicKey}",
        $"build-hook = {BuildHookPath}",
        .. NetrcPath is null ? (string[])[] : [$"netrc-file = {NetrcPath}"],
    ];
}
