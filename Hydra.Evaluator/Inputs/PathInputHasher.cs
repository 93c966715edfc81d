using System.Security.Cryptography;
using System.Text;

namespace Hydra.Evaluator.Inputs;

/// <summary>
/// Hashes a <c>path</c> input (a local file or directory) at every evaluation: SHA-256 over each
/// entry's relative path, kind, executable bit and content (a symlink's target), in ordinal order.
/// The same tree always gives the same hash, and any change Nix would copy gives a new one.
/// </summary>
public sealed class PathInputHasher
{
    public async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        if (path.Contains("://", StringComparison.Ordinal))
        {
            throw new InputFetchException($"Path input '{path}' is a URL; only local paths are supported. Use a git input for remote sources.");
        }
        if (!Path.IsPathRooted(path))
        {
            throw new InputFetchException($"Path input '{path}' must be an absolute path on the evaluator's machine.");
        }
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (File.Exists(path))
        {
            await AddEntryAsync(hash, new FileInfo(path), "", cancellationToken);
        }
        else if (Directory.Exists(path))
        {
            await AddDirectoryAsync(hash, new DirectoryInfo(path), "", cancellationToken);
        }
        else
        {
            throw new InputFetchException($"Path input '{path}' does not exist on the evaluator's machine.");
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Depth first in ordinal name order; symlinks are hashed as links, never followed.</summary>
    private static async Task AddDirectoryAsync(IncrementalHash hash, DirectoryInfo directory, string relative, CancellationToken cancellationToken)
    {
        await AddEntryAsync(hash, directory, relative, cancellationToken);
        foreach (var entry in directory.EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0 }).OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var child = relative.Length == 0 ? entry.Name : relative + "/" + entry.Name;
            if (entry is DirectoryInfo subdirectory && entry.LinkTarget is null)
            {
                await AddDirectoryAsync(hash, subdirectory, child, cancellationToken);
            }
            else
            {
                await AddEntryAsync(hash, entry, child, cancellationToken);
            }
        }
    }

    private static async Task AddEntryAsync(IncrementalHash hash, FileSystemInfo entry, string relative, CancellationToken cancellationToken)
    {
        string kind;
        if (entry.LinkTarget is { } target)
        {
            kind = "link:" + target;
        }
        else if (entry is DirectoryInfo)
        {
            kind = "dir";
        }
        else
        {
            kind = (entry.UnixFileMode & UnixFileMode.UserExecute) != 0 ? "exec" : "file";
        }
        hash.AppendData(Encoding.UTF8.GetBytes($"{relative}\0{kind}\0"));
        if (kind is "file" or "exec")
        {
            await using var stream = new FileStream(entry.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            var buffer = new byte[1 << 16];
            int read;
            long length = 0;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                length += read;
            }
            // The length ends the content, so "ab"+"c" and "a"+"bc" in two files cannot collide.
            hash.AppendData(Encoding.UTF8.GetBytes($"\0{length}\0"));
        }
    }
}
