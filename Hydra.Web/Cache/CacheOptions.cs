namespace Hydra.Web.Cache;

/// <summary>Binary cache settings, bound from <c>Hydra:Cache</c>.</summary>
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
}
