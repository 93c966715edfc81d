namespace Hydra.Core.Storage;

/// <summary>How an object in the cache is sent: a local file (sent by the kernel, with ranges) or a redirect.</summary>
public abstract record CacheObject
{
    private CacheObject()
    {
    }

    /// <summary>A file on this machine's disk.</summary>
    public sealed record LocalFile(string PhysicalPath) : CacheObject;

    /// <summary>An object elsewhere that the client fetches itself, e.g. a presigned S3 URL.</summary>
    public sealed record Redirect(Uri Location) : CacheObject;

    /// <summary>Bytes already in memory (small objects fetched from remote storage).</summary>
    public sealed record Content(byte[] Bytes) : CacheObject;
}
