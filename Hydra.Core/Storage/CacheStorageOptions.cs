namespace Hydra.Core.Storage;

/// <summary>Where the binary cache's files live, bound from <c>Hydra:Cache</c> (the same section as the web cache's own settings).</summary>
public sealed class CacheStorageOptions
{
    public const string Section = "Hydra:Cache";

    /// <summary>Where the cache's files live: <c>directory</c> (the default, <c>{DataDir}/cache</c>) or <c>s3</c> (see <see cref="S3"/>).</summary>
    public string Storage { get; set; } = "directory";

    /// <summary>The bucket, when <see cref="Storage"/> is <c>s3</c>.</summary>
    public S3StorageOptions S3 { get; set; } = new();
}
