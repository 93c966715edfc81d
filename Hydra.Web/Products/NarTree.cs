using Hydra.Core.Nix;
using System.Text;

namespace Hydra.Web.Products;

/// <summary>
/// A whole Nix archive as a tree: directories, regular files (their bytes are slices of the NAR) and
/// symbolic links. Used to serve files from inside a build output that lives only in the binary cache.
/// </summary>
internal abstract record NarNode
{
    /// <summary>Nesting deeper than this is refused, so a hostile NAR cannot exhaust the stack.</summary>
    private const int MaxDepth = 256;

    private const int MaxTokenLength = 4096;

    internal sealed record Regular(ReadOnlyMemory<byte> Contents, bool Executable) : NarNode;

    internal sealed record Directory(IReadOnlyDictionary<string, NarNode> Entries) : NarNode;

    internal sealed record Symlink(string Target) : NarNode;

    /// <exception cref="FormatException">The bytes are not a well-formed NAR.</exception>
    public static NarNode Parse(ReadOnlyMemory<byte> nar)
    {
        var reader = new Reader(nar);
        reader.Expect("nix-archive-1");
        var root = reader.Node(0);
        return reader.AtEnd ? root : throw new FormatException("The NAR has bytes after its root entry.");
    }

    private sealed class Reader(ReadOnlyMemory<byte> nar)
    {
        private int _offset;

        public bool AtEnd => _offset == nar.Length;

        public NarNode Node(int depth)
        {
            if (depth > MaxDepth)
            {
                throw new FormatException($"The NAR nests deeper than {MaxDepth} directories.");
            }
            Expect("(");
            Expect("type");
            NarNode node;
            switch (Token())
            {
                case "regular":
                    var next = Token();
                    var executable = next == "executable";
                    if (executable)
                    {
                        Expect("");
                        next = Token();
                    }
                    if (next != "contents")
                    {
                        throw new FormatException($"The NAR has '{next}' where a regular file's 'contents' belong.");
                    }
                    node = new Regular(String(int.MaxValue), executable);
                    break;
                case "symlink":
                    Expect("target");
                    node = new Symlink(Encoding.UTF8.GetString(String(MaxTokenLength).Span));
                    break;
                case "directory":
                    var entries = new Dictionary<string, NarNode>(StringComparer.Ordinal);
                    string token;
                    while ((token = Token()) == "entry")
                    {
                        Expect("(");
                        Expect("name");
                        var name = Encoding.UTF8.GetString(String(MaxTokenLength).Span);
                        if (name.Length == 0 || name is "." or ".." || name.Contains('/') || name.Contains('\0') || !entries.TryAdd(name, null!))
                        {
                            throw new FormatException($"The NAR has an invalid or repeated entry name '{name}'.");
                        }
                        Expect("node");
                        entries[name] = Node(depth + 1);
                        Expect(")");
                    }
                    if (token != ")")
                    {
                        throw new FormatException($"The NAR has '{token}' inside a directory.");
                    }
                    return new Directory(entries);
                case var other:
                    throw new FormatException($"The NAR has an unknown entry type '{other}'.");
            }
            Expect(")");
            return node;
        }

        public void Expect(string expected)
        {
            var at = _offset;
            if (Token() != expected)
            {
                throw new FormatException($"The NAR lacks '{expected}' at byte {at}.");
            }
        }

        private string Token() => Encoding.ASCII.GetString(String(64).Span);

        private ReadOnlyMemory<byte> String(int maxLength) => NarReader.ReadString(nar, ref _offset, maxLength);
    }
}
