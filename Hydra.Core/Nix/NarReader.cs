using System.Buffers.Binary;
using System.Text;

namespace Hydra.Core.Nix;

/// <summary>
/// Reads Nix archives (NAR) of store paths that are a single regular file, the counterpart of
/// <see cref="NarWriter"/>. The whole NAR is in memory: callers cap its size before reading it.
/// </summary>
public static class NarReader
{
    /// <summary>Tokens ("type", "regular", ...) are short; a longer one means the bytes are not a NAR.</summary>
    private const int MaxTokenLength = 64;

    /// <summary>The contents of the single regular file archived in <paramref name="nar"/>.</summary>
    /// <exception cref="FormatException">
    /// The bytes are not a well-formed NAR, or the archived path is a directory or a symbolic link.
    /// </exception>
    public static ReadOnlyMemory<byte> ReadRegularFile(ReadOnlyMemory<byte> nar)
    {
        var offset = 0;
        Expect(nar, ref offset, "nix-archive-1", "is not a NAR (no 'nix-archive-1' header)");
        Expect(nar, ref offset, "(", "has no root entry");
        Expect(nar, ref offset, "type", "has no entry type");
        var type = Token(nar, ref offset);
        switch (type)
        {
            case "regular":
                break;
            case "directory":
                throw new FormatException("The archived path is a directory, not a regular file.");
            case "symlink":
                Expect(nar, ref offset, "target", "has a symbolic link without a target");
                var target = Encoding.UTF8.GetString(ReadString(nar, ref offset, MaxTokenLength * 64).Span);
                throw new FormatException($"The archived path is a symbolic link to '{target}', not a regular file.");
            default:
                throw new FormatException($"The NAR has an unknown entry type '{type}'.");
        }

        var next = Token(nar, ref offset);
        if (next == "executable")
        {
            Expect(nar, ref offset, "", "has an 'executable' marker with a value");
            next = Token(nar, ref offset);
        }
        if (next != "contents")
        {
            throw new FormatException($"The NAR has '{next}' where a regular file's 'contents' belong.");
        }
        var contents = ReadString(nar, ref offset, int.MaxValue);
        Expect(nar, ref offset, ")", "does not close its root entry");
        return offset == nar.Length
            ? contents
            : throw new FormatException($"The NAR has {nar.Length - offset} bytes after its root entry.");
    }

    private static void Expect(ReadOnlyMemory<byte> nar, ref int offset, string expected, string problem)
    {
        var at = offset;
        if (Token(nar, ref offset) != expected)
        {
            throw new FormatException($"The NAR {problem} at byte {at}.");
        }
    }

    private static string Token(ReadOnlyMemory<byte> nar, ref int offset) =>
        Encoding.ASCII.GetString(ReadString(nar, ref offset, MaxTokenLength).Span);

    /// <summary>
    /// A NAR string at <paramref name="offset"/> (advanced past it): its length as a little-endian u64, the bytes,
    /// zeros up to a multiple of 8. Longer than <paramref name="maxLength"/>, cut short or badly padded: <see cref="FormatException"/>.
    /// </summary>
    public static ReadOnlyMemory<byte> ReadString(ReadOnlyMemory<byte> nar, ref int offset, int maxLength)
    {
        var span = nar.Span;
        if (span.Length - offset < 8)
        {
            throw new FormatException($"The NAR ends early at byte {offset}.");
        }
        var length = BinaryPrimitives.ReadUInt64LittleEndian(span[offset..]);
        var padded = (length + 7) & ~7UL;
        if (length > (ulong)maxLength || padded > (ulong)(span.Length - offset - 8))
        {
            throw new FormatException($"The NAR has a string of {length} bytes at byte {offset}, which does not fit.");
        }
        var start = offset + 8;
        var value = nar.Slice(start, (int)length);
        if (span.Slice(start + (int)length, (int)(padded - length)).ContainsAnyExcept((byte)0))
        {
            throw new FormatException($"The NAR has non-zero padding after the string at byte {offset}.");
        }
        offset = start + (int)padded;
        return value;
    }
}
