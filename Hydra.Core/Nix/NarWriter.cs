using System.Buffers.Binary;
using System.Text;

namespace Hydra.Core.Nix;

/// <summary>
/// Writes Nix archives (NAR) for store paths that are a single regular file, such as <c>.drv</c>
/// files. A NAR string is its length as a little-endian u64, the bytes, then zeros up to a multiple
/// of 8; a single file is <c>"nix-archive-1" "(" "type" "regular" ["executable" ""] "contents" &lt;bytes&gt; ")"</c>.
/// </summary>
public static class NarWriter
{
    private static readonly string[] s_header = ["nix-archive-1", "(", "type", "regular"];

    /// <summary>The NAR of a store path that is one regular file holding <paramref name="contents"/>.</summary>
    public static byte[] RegularFile(ReadOnlySpan<byte> contents, bool executable = false)
    {
        var tokens = executable ? [.. s_header, "executable", ""] : s_header;
        var size = tokens.Sum(t => StringSize(t.Length)) + StringSize("contents".Length) + StringSize(contents.Length) + StringSize(1);
        var nar = new byte[size];
        var offset = 0;
        foreach (var token in tokens)
        {
            offset = WriteString(nar, offset, Encoding.ASCII.GetBytes(token));
        }

        offset = WriteString(nar, offset, "contents"u8);
        offset = WriteString(nar, offset, contents);
        offset = WriteString(nar, offset, ")"u8);
        return offset == nar.Length ? nar : throw new InvalidOperationException("NAR size was miscounted.");
    }

    private static int StringSize(int length) => 8 + Padded(length);

    private static int Padded(int length) => (length + 7) & ~7;

    private static int WriteString(byte[] nar, int offset, ReadOnlySpan<byte> value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(nar.AsSpan(offset), (ulong)value.Length);
        value.CopyTo(nar.AsSpan(offset + 8));
        // The padding is already zero: the array is fresh.
        return offset + StringSize(value.Length);
    }
}
