namespace Hydra.Builder.Worker;

/// <summary>The seam around the file system's free space, so tests can fill a disk without filling a disk.</summary>
public interface IFreeDiskSpace
{
    /// <summary>Bytes available to this process on the file system holding <paramref name="path"/>; null when that cannot be told.</summary>
    long? AvailableBytes(string path);
}
