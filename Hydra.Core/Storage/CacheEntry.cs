namespace Hydra.Core.Storage;

/// <summary>An object in the cache's storage, as a listing gives it.</summary>
/// <param name="Key">Its key, e.g. <c>&lt;hash&gt;.narinfo</c> or <c>nar/&lt;file&gt;</c>.</param>
/// <param name="Size">Bytes stored.</param>
/// <param name="Modified">When it was last written.</param>
public sealed record CacheEntry(string Key, long Size, DateTimeOffset Modified)
{
    /// <summary>The key without its directory.</summary>
    public string Name => Key[(Key.LastIndexOf('/') + 1)..];
}
