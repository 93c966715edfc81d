using Hydra.Core.Nix;

namespace Hydra.Core.Storage;

/// <summary>Reads the <see cref="CachedStorePath"/> a stored narinfo describes.</summary>
public static class CachedStorePaths
{
    /// <summary>The path <paramref name="narInfoText"/> describes, or null when it is gone or unreadable (skipped, not fatal, in a listing).</summary>
    public static CachedStorePath? FromNarInfo(string hashPart, string? narInfoText)
    {
        if (narInfoText is null)
        {
            return null;
        }

        try
        {
            var info = NarInfo.Parse(narInfoText);
            return CacheNames.TryGetNarFileName(info.Url, out var narName)
                ? new CachedStorePath(hashPart, info.StorePath, "nar/" + narName, info.FileSize ?? 0)
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
