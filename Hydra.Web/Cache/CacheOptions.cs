namespace Hydra.Web.Cache;

/// <summary>Binary cache settings, bound from <c>Hydra:Cache</c>; where the files live is <see cref="Hydra.Core.Storage.CacheStorageOptions"/>, bound from the same section.</summary>
public sealed class CacheOptions
{
    public const string Section = "Hydra:Cache";

    /// <summary>Largest NAR file (compressed, as uploaded) the cache accepts; larger uploads get 413. Default 8 GiB.</summary>
    public long MaxNarSize { get; set; } = 8L << 30;

    /// <summary>Largest build log the cache accepts under <c>log/</c>. Default 64 MiB.</summary>
    public long MaxLogSize { get; set; } = 64L << 20;

    /// <summary>Largest narinfo accepted. Real ones are well under a kilobyte plus references.</summary>
    public long MaxNarInfoSize { get; set; } = 1L << 20;

    /// <summary>Advertised in <c>nix-cache-info</c>; lower wins among substituters.</summary>
    public int Priority { get; set; } = 30;

    /// <summary>
    /// What NARs uploaded as <c>br</c> or <c>none</c> are stored as: <c>zstd</c> (the default; recompressed once, at
    /// upload, by the <c>zstd</c> program) or <c>keep</c> (stored as sent). xz and zstd uploads are always kept.
    /// </summary>
    public string Compression { get; set; } = "zstd";

    /// <summary>zstd level for <see cref="Compression"/>; 3 is zstd's own default, fast with a good ratio.</summary>
    public int ZstdLevel { get; set; } = 3;

    /// <summary>
    /// Public keys (<c>name:base64</c>) of earlier signing keys, still listed at <c>/cache/public-keys</c> after a
    /// rotation so clients keep trusting narinfos signed before it. The current key is always listed first.
    /// </summary>
    public List<string> PreviousPublicKeys { get; set; } = [];

    /// <summary>When true, every read needs a token from <see cref="ReadTokens"/> or any project's <see cref="Projects"/> entry.</summary>
    public bool Private { get; set; }

    /// <summary>Tokens that may read the whole cache (netrc password, or <c>Authorization: Bearer</c>).</summary>
    public List<string> ReadTokens { get; set; } = [];

    /// <summary>
    /// Private projects by name: the outputs of their builds (narinfo, and logs of their derivations) are served only
    /// to one of the project's tokens or a <see cref="ReadTokens"/> token. Everything else stays public unless <see cref="Private"/>.
    /// </summary>
    public Dictionary<string, CacheProjectAccess> Projects { get; set; } = [];
}
