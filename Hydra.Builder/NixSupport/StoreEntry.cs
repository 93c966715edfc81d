namespace Hydra.Builder.NixSupport;

/// <summary>
/// What a path inside a store output is, judged like an entry of the output's NAR: every component below the
/// output must be a real directory (a symlink is an entry of its own, never followed), so a product line cannot
/// reach outside the output through a link.
/// </summary>
internal enum StoreEntry
{
    Missing,
    Regular,
    Directory,
    Symlink,
}

internal static class StoreEntries
{
    /// <summary>The kind of <paramref name="path"/>, which must be <paramref name="outputPath"/> or lie lexically inside it.</summary>
    public static StoreEntry Lstat(string outputPath, string path)
    {
        var current = outputPath;
        var kind = KindOf(current);
        var relative = path.Length == outputPath.Length ? "" : path[(outputPath.Length + 1)..];
        foreach (var part in relative.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (kind != StoreEntry.Directory)
            {
                return StoreEntry.Missing;
            }

            current = current + "/" + part;
            kind = KindOf(current);
        }

        return kind;
    }

    private static StoreEntry KindOf(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            return StoreEntry.Symlink;
        }

        return Directory.Exists(path) ? StoreEntry.Directory : info.Exists ? StoreEntry.Regular : StoreEntry.Missing;
    }
}
