namespace Hydra.Core.Storage;

/// <summary>S3-compatible storage for the cache, bound from <c>Hydra:Cache:S3</c> when <c>Hydra:Cache:Storage</c> is <c>s3</c>.</summary>
public sealed class S3StorageOptions
{
    /// <summary>The service's base URL, e.g. <c>http://127.0.0.1:9000</c>; objects are addressed path-style, <c>{Endpoint}/{Bucket}/{key}</c>.</summary>
    public string Endpoint { get; set; } = "";

    public string Bucket { get; set; } = "";

    /// <summary>The region requests are signed for (most S3-compatible servers accept <c>us-east-1</c>).</summary>
    public string Region { get; set; } = "us-east-1";

    public string AccessKeyId { get; set; } = "";

    public string SecretAccessKey { get; set; } = "";

    /// <summary>Prepended to every key, e.g. <c>cache/</c>, to share a bucket.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>How long the presigned NAR URLs the cache redirects to stay valid.</summary>
    public TimeSpan PresignExpiry { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Where uploads are staged (hashed, size-checked) before one PUT; the server's temp directory by default.</summary>
    public string? StagingDirectory { get; set; }
}
