namespace Hydra.Builder.Nix;

/// <summary>
/// Writes the netrc file Nix's curl uses to authenticate cache uploads: <c>machine host login worker password token</c>,
/// readable only by us (0600), since it holds the worker token.
/// </summary>
public static class NetrcFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static string Write(string directory, IEnumerable<Uri> servers, string token)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "netrc");
        var lines = servers
            .Select(s => s.Host)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(host => $"machine {host} login worker password {token}\n");
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        using (var writer = new StreamWriter(path, options))
        {
            writer.Write(string.Concat(lines));
        }

        if (!OperatingSystem.IsWindows())
        {
            // UnixCreateMode applies only to new files; an older file keeps its mode unless we set it.
            File.SetUnixFileMode(path, OwnerOnly);
        }

        return path;
    }
}
