namespace Hydra.Builder.Nix;

/// <summary>
/// Environment for Nix child processes: everything is inherited; <c>NIX_REMOTE=local</c> when unset, and our
/// settings are appended to the user's <c>NIX_CONFIG</c> (later lines win in Nix, so ours take effect).
/// </summary>
public static class NixEnvironment
{
    /// <summary>
    /// Settings every call needs: the new CLI (<c>nix ...</c>) is still experimental in Nix 2.8, for
    /// whoever runs it with these settings; and no narinfo caching, because Nix's disk cache would
    /// otherwise answer for the farm's cache: a realise would not see a <c>.drv</c> or an input that
    /// another worker uploaded after Nix last found it missing.
    /// </summary>
    public static readonly IReadOnlyList<string> BaseConfigLines =
    [
        "extra-experimental-features = nix-command",
        "narinfo-cache-positive-ttl = 0",
        "narinfo-cache-negative-ttl = 0",
    ];

    /// <summary>The variables to override on top of the inherited environment.</summary>
    public static IReadOnlyDictionary<string, string> Overrides(
        IEnumerable<string> extraConfigLines, Func<string, string?>? getEnvironmentVariable = null)
    {
        getEnvironmentVariable ??= Environment.GetEnvironmentVariable;
        var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(getEnvironmentVariable("NIX_REMOTE")))
        {
            overrides["NIX_REMOTE"] = "local";
        }

        var lines = new List<string>();
        if (getEnvironmentVariable("NIX_CONFIG") is { Length: > 0 } userConfig)
        {
            lines.Add(userConfig.TrimEnd('\n'));
        }

        lines.AddRange(BaseConfigLines);
        lines.AddRange(extraConfigLines);
        overrides["NIX_CONFIG"] = string.Join('\n', lines) + "\n";
        return overrides;
    }
}
