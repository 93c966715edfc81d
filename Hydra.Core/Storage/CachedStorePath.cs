namespace Hydra.Core.Storage;

/// <summary>A store path the cache holds: its narinfo key and the key of the NAR file that narinfo points to.</summary>
/// <param name="HashPart">The store path's 32-character hash, the narinfo's name.</param>
/// <param name="StorePath">The full store path, from the narinfo.</param>
/// <param name="NarKey">The NAR file's key (<c>nar/...</c>), from the narinfo's URL.</param>
/// <param name="FileSize">Bytes of the NAR file as stored, from the narinfo (0 when it gives none).</param>
public sealed record CachedStorePath(string HashPart, string StorePath, string NarKey, long FileSize)
{
    /// <summary>The narinfo's key.</summary>
    public string NarInfoKey => HashPart + ".narinfo";
}
