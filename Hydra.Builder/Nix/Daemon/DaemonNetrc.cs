namespace Hydra.Builder.Nix.Daemon;

/// <summary>
/// The netrc file the daemon sessions substitute with (<see cref="NixDaemonSettings.NetrcPath"/>): the worker token as
/// the password for the cache's host, which the server takes as a global read token. Without it a private cache (or a
/// private project's paths) answers 401 and a step whose inputs were built elsewhere cannot be substituted.
/// </summary>
public static class DaemonNetrc
{
    /// <summary>Writes <c>netrc</c> (mode 0600, replaced atomically) into <paramref name="directory"/> and returns its path.</summary>
    public static string Write(string directory, string cacheUrl, string token)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "netrc");
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        // A leftover from a crashed run may have other permissions; FileMode.Create keeps them, so start afresh.
        File.Delete(temporary);
        using (var writer = new StreamWriter(temporary, options))
        {
            writer.Write($"machine {new Uri(cacheUrl).Host} login worker password {token}\n");
        }

        File.Move(temporary, path, overwrite: true);
        return path;
    }
}
