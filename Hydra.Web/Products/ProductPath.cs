namespace Hydra.Web.Products;

/// <summary>
/// Finds a file inside a build output's <see cref="NarNode"/> tree, the way a file system would, but never
/// outside the output: <c>..</c> is resolved against the path walked so far and may not climb above the
/// output, an absolute symbolic link must point into the output itself, and more than
/// <see cref="MaxSymlinkHops"/> links in one lookup is taken for a loop.
/// </summary>
internal static class ProductPath
{
    public const int MaxSymlinkHops = 40;

    /// <summary>What a lookup found: a node, or why there is none (an HTTP status and a message).</summary>
    public sealed record Result(NarNode? Node, int Status, string? Error)
    {
        public static Result Found(NarNode node) => new(node, StatusCodes.Status200OK, null);

        public static Result Refused(string error) => new(null, StatusCodes.Status403Forbidden, error);

        public static Result Missing(string error) => new(null, StatusCodes.Status404NotFound, error);
    }

    /// <summary>Looks up <paramref name="components"/> (already split, no empty, "." or ".." parts) under the output's root.</summary>
    public static Result Resolve(NarNode root, string outputPath, IEnumerable<string> components)
    {
        var pending = new LinkedList<string>(components);
        var walked = new List<NarNode> { root };
        var names = new List<string>();
        var hops = 0;
        while (pending.First is { } first)
        {
            pending.RemoveFirst();
            var name = first.Value;
            if (name is "" or ".")
            {
                continue;
            }
            if (name == "..")
            {
                if (names.Count == 0)
                {
                    return Result.Refused("A symbolic link in this product points outside the build output.");
                }
                names.RemoveAt(names.Count - 1);
                walked.RemoveAt(walked.Count - 1);
                continue;
            }
            if (walked[^1] is not NarNode.Directory directory)
            {
                return Result.Missing($"'{string.Join('/', names)}' is not a directory.");
            }
            if (!directory.Entries.TryGetValue(name, out var child))
            {
                return Result.Missing($"'{string.Join('/', names.Append(name))}' is not in the build output.");
            }
            if (child is NarNode.Symlink link)
            {
                if (++hops > MaxSymlinkHops)
                {
                    return Result.Refused($"More than {MaxSymlinkHops} symbolic links in one path: a loop.");
                }
                var target = link.Target;
                if (target.StartsWith('/'))
                {
                    // Only links into this same output are followed; the rest of the store is not ours to serve.
                    if (target != outputPath && !target.StartsWith(outputPath + "/", StringComparison.Ordinal))
                    {
                        return Result.Refused("A symbolic link in this product points outside the build output.");
                    }
                    target = target[outputPath.Length..];
                    names.Clear();
                    walked.RemoveRange(1, walked.Count - 1);
                }
                foreach (var part in target.Split('/').Reverse())
                {
                    pending.AddFirst(part);
                }
                continue;
            }
            names.Add(name);
            walked.Add(child);
        }
        return Result.Found(walked[^1]);
    }

    /// <summary>
    /// Splits a request's path into its components, decoding percent-escapes once more (so <c>%2e%2e%2f</c>
    /// is seen as <c>../</c>); null when any component is empty, "." or "..", or holds a backslash or NUL.
    /// </summary>
    public static IReadOnlyList<string>? Split(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return [];
        }
        var decoded = Uri.UnescapeDataString(path.EndsWith('/') ? path[..^1] : path);
        var parts = decoded.Split('/');
        return parts.Any(p => p is "" or "." or ".." || p.Contains('\\') || p.Contains('\0')) ? null : parts;
    }
}
