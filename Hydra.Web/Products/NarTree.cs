using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Hydra.Web.Products;

/// <summary>
/// A Nix archive's listing as a tree: directories, regular files (where their bytes lie in the NAR, not the bytes) and
/// symbolic links. Read from a stream in one pass, so serving a file from inside a build output that lives only in the
/// binary cache needs memory for the listing, never for the NAR (Nix's own <c>.ls</c> files serve the same purpose).
/// </summary>
internal abstract record NarNode
{
    /// <summary>Nesting deeper than this is refused, so a hostile NAR cannot exhaust the stack.</summary>
    private const int MaxDepth = 256;

    /// <summary>More entries than this are refused, so a hostile NAR cannot exhaust memory with its listing.</summary>
    private const int MaxEntries = 1_000_000;

    private const int MaxTokenLength = 4096;

    /// <summary>A regular file whose contents are the <paramref name="Size"/> bytes at <paramref name="Offset"/> of the NAR.</summary>
    internal sealed record Regular(long Offset, long Size, bool Executable) : NarNode;

    internal sealed record Directory(IReadOnlyDictionary<string, NarNode> Entries) : NarNode;

    internal sealed record Symlink(string Target) : NarNode;

    /// <summary>The listing of the NAR in <paramref name="nar"/>, with the NAR's size and SHA-256 (to check against the narinfo).</summary>
    /// <exception cref="FormatException">The bytes are not a well-formed NAR.</exception>
    public static async Task<(NarNode Root, long Size, byte[] Sha256)> ReadAsync(Stream nar, CancellationToken cancellationToken)
    {
        var reader = new Reader(nar, cancellationToken);
        await reader.ExpectAsync("nix-archive-1");
        var root = await reader.NodeAsync(0);
        return await reader.AtEndAsync()
            ? (root, reader.Position, reader.Hash())
            : throw new FormatException("The NAR has bytes after its root entry.");
    }

    /// <summary>Reads NAR strings off a stream, counting and hashing every byte.</summary>
    private sealed class Reader(Stream nar, CancellationToken cancellationToken)
    {
        private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly byte[] _skip = new byte[64 * 1024];
        private readonly byte[] _word = new byte[8];
        private int _entries;

        public long Position { get; private set; }

        public byte[] Hash() => _sha256.GetHashAndReset();

        public async Task<bool> AtEndAsync() => await nar.ReadAsync(_word.AsMemory(0, 1), cancellationToken) == 0;

        public async Task<NarNode> NodeAsync(int depth)
        {
            if (depth > MaxDepth)
            {
                throw new FormatException($"The NAR nests deeper than {MaxDepth} directories.");
            }
            if (++_entries > MaxEntries)
            {
                throw new FormatException($"The NAR has more than {MaxEntries} entries.");
            }
            await ExpectAsync("(");
            await ExpectAsync("type");
            NarNode node;
            switch (await TokenAsync())
            {
                case "regular":
                    var next = await TokenAsync();
                    var executable = next == "executable";
                    if (executable)
                    {
                        await ExpectAsync("");
                        next = await TokenAsync();
                    }
                    if (next != "contents")
                    {
                        throw new FormatException($"The NAR has '{next}' where a regular file's 'contents' belong.");
                    }
                    var size = await LengthAsync(long.MaxValue);
                    node = new Regular(Position, size, executable);
                    await SkipAsync(size);
                    await PaddingAsync(size);
                    break;
                case "symlink":
                    await ExpectAsync("target");
                    node = new Symlink(Encoding.UTF8.GetString(await StringAsync(MaxTokenLength)));
                    break;
                case "directory":
                    var entries = new Dictionary<string, NarNode>(StringComparer.Ordinal);
                    string token;
                    while ((token = await TokenAsync()) == "entry")
                    {
                        await ExpectAsync("(");
                        await ExpectAsync("name");
                        var name = Encoding.UTF8.GetString(await StringAsync(MaxTokenLength));
                        if (name.Length == 0 || name is "." or ".." || name.Contains('/') || name.Contains('\0') || !entries.TryAdd(name, null!))
                        {
                            throw new FormatException($"The NAR has an invalid or repeated entry name '{name}'.");
                        }
                        await ExpectAsync("node");
                        entries[name] = await NodeAsync(depth + 1);
                        await ExpectAsync(")");
                    }
                    if (token != ")")
                    {
                        throw new FormatException($"The NAR has '{token}' inside a directory.");
                    }
                    return new Directory(entries);
                case var other:
                    throw new FormatException($"The NAR has an unknown entry type '{other}'.");
            }
            await ExpectAsync(")");
            return node;
        }

        public async Task ExpectAsync(string expected)
        {
            var at = Position;
            if (await TokenAsync() != expected)
            {
                throw new FormatException($"The NAR lacks '{expected}' at byte {at}.");
            }
        }

        private async Task<string> TokenAsync() => Encoding.ASCII.GetString(await StringAsync(64));

        private async Task<byte[]> StringAsync(int maxLength)
        {
            var length = await LengthAsync(maxLength);
            var bytes = new byte[length];
            await ReadAsync(bytes);
            await PaddingAsync(length);
            return bytes;
        }

        private async Task<long> LengthAsync(long maxLength)
        {
            var at = Position;
            await ReadAsync(_word);
            var length = BinaryPrimitives.ReadUInt64LittleEndian(_word);
            return length <= (ulong)maxLength
                ? (long)length
                : throw new FormatException($"The NAR has a string of {length} bytes at byte {at}, which does not fit.");
        }

        private async Task PaddingAsync(long length)
        {
            var padding = (int)((8 - (length % 8)) % 8);
            if (padding == 0)
            {
                return;
            }
            var at = Position;
            await ReadAsync(_word.AsMemory(0, padding));
            if (_word.AsSpan(0, padding).ContainsAnyExcept((byte)0))
            {
                throw new FormatException($"The NAR has non-zero padding at byte {at}.");
            }
        }

        private async Task SkipAsync(long count)
        {
            while (count > 0)
            {
                var chunk = (int)Math.Min(count, _skip.Length);
                await ReadAsync(_skip.AsMemory(0, chunk));
                count -= chunk;
            }
        }

        private async Task ReadAsync(Memory<byte> buffer)
        {
            try
            {
                await nar.ReadExactlyAsync(buffer, cancellationToken);
            }
            catch (EndOfStreamException exception)
            {
                throw new FormatException($"The NAR ends early at byte {Position}.", exception);
            }
            _sha256.AppendData(buffer.Span);
            Position += buffer.Length;
        }
    }
}
