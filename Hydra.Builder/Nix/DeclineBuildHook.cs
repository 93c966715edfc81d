namespace Hydra.Builder.Nix;

/// <summary>
/// A build hook that tells Nix at once that it never builds remotely. The farm distributes steps itself, so
/// Nix's own remote builders are never wanted on a worker; but Nix 2.8 starts its default hook
/// (<c>build-remote</c>, a Nix process of its own: some 20-40 ms) for every <c>nix-store --realise</c> just to
/// hear "no machines". An empty <c>build-hook</c> does not help: 2.8 then fails with "executing ''". This
/// script answers <c>decline-permanently</c> (so Nix builds locally and stops asking) and swallows the
/// settings Nix writes to it until Nix closes the pipe.
/// </summary>
public static class DeclineBuildHook
{
    private const string Script = "#!/bin/sh\necho '# decline-permanently' >&2\nexec cat >/dev/null\n";

    /// <summary>Writes the hook into <paramref name="directory"/> and returns its path.</summary>
    public static string Write(string directory)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "decline-build-hook");
        File.WriteAllText(path, Script);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        return path;
    }
}
