namespace Hydra.Builder.Worker;

/// <summary>
/// The real <see cref="IFreeDiskSpace"/>: <c>statvfs</c> through <see cref="DriveInfo"/> on the path, or on its
/// nearest existing parent (a fresh machine's <c>/nix/store</c> may not exist before the first build).
/// </summary>
public sealed class FreeDiskSpace : IFreeDiskSpace
{
    public long? AvailableBytes(string path)
    {
        var directory = new DirectoryInfo(Path.GetFullPath(path));
        while (directory is not null && !directory.Exists)
        {
            directory = directory.Parent;
        }
        if (directory is null)
        {
            return null;
        }
        try
        {
            return new DriveInfo(directory.FullName).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }
}
