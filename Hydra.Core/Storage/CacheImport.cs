using Hydra.Core.Nix;

namespace Hydra.Core.Storage;

/// <summary>
/// Moves what a Nix <c>file://</c> store wrote into a staging directory (e.g. <c>nix copy --to file://...</c>) into the
/// cache's storage, for storages Nix cannot write to itself (<see cref="ICacheStorage.LocalDirectory"/> is null).
/// Paths the cache already has are skipped. NARs go first, then narinfos with every path's references before the path,
/// so at each moment every narinfo in the cache has its NAR and its closure, even if the import stops half way.
/// </summary>
public static class CacheImport
{
    /// <summary>Imports the store paths staged in <paramref name="directory"/>; returns how many narinfos were written.</summary>
    /// <exception cref="IOException">A staged file is malformed or a write was refused.</exception>
    public static async Task<int> ImportAsync(ICacheStorage storage, string directory, CancellationToken cancellationToken)
    {
        var staged = new Dictionary<string, (NarInfo Info, string Text)>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(directory, "*.narinfo"))
        {
            var hashPart = Path.GetFileNameWithoutExtension(file);
            if (!CacheNames.IsHashPart(hashPart) || await storage.LengthAsync(hashPart + ".narinfo", cancellationToken) is not null)
            {
                continue;
            }

            var text = await File.ReadAllTextAsync(file, cancellationToken);
            staged[hashPart] = (NarInfo.Parse(text), text);
        }

        foreach (var (info, _) in staged.Values)
        {
            if (!CacheNames.TryGetNarFileName(info.Url, out var narName))
            {
                throw new IOException($"The staged narinfo of {info.StorePath} names '{info.Url}', not a file under nar/.");
            }

            await using var nar = File.OpenRead(Path.Combine(directory, "nar", narName));
            var hash = info.FileHash is { } fileHash && fileHash.StartsWith("sha256:", StringComparison.Ordinal) ? fileHash["sha256:".Length..] : null;
            await WriteAsync(storage, "nar/" + narName, nar, hash, cancellationToken);
        }

        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var hashPart in staged.Keys.Order(StringComparer.Ordinal))
        {
            await WriteWithReferencesAsync(hashPart);
        }

        return written.Count;

        async Task WriteWithReferencesAsync(string root)
        {
            // Iterative depth-first walk: a reference's narinfo is written before the narinfo that names it.
            var stack = new Stack<(string Hash, bool Expanded)>([(root, false)]);
            while (stack.TryPop(out var entry))
            {
                if (written.Contains(entry.Hash) || !staged.TryGetValue(entry.Hash, out var path))
                {
                    continue;
                }

                if (entry.Expanded)
                {
                    using var text = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(path.Text));
                    await WriteAsync(storage, entry.Hash + ".narinfo", text, null, cancellationToken);
                    written.Add(entry.Hash);
                    continue;
                }

                stack.Push((entry.Hash, true));
                foreach (var reference in path.Info.References)
                {
                    if (reference.Length > StorePath.HashLength && reference[..StorePath.HashLength] is var hash && hash != entry.Hash)
                    {
                        stack.Push((hash, false));
                    }
                }
            }
        }
    }

    private static async Task WriteAsync(ICacheStorage storage, string key, Stream content, string? sha256, CancellationToken cancellationToken)
    {
        var result = await storage.WriteAsync(key, content, long.MaxValue, sha256, cancellationToken);
        if (result != CacheWriteResult.Stored)
        {
            throw new IOException($"Writing {key} to the binary cache failed: {result}.");
        }
    }
}
