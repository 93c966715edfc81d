using System.Buffers.Binary;
using System.Text;

namespace Hydra.Builder.Nix.Serve;

/// <summary>
/// The framing of Nix's serve protocol (and of its worker protocol): every number is a 64-bit little-endian
/// word; a string is its length as a number, then its bytes, then zero bytes up to a multiple of 8; a list
/// of strings is its count, then the strings.
/// </summary>
public static class ServeWire
{
    private static readonly byte[] s_padding = new byte[8];

    public static void WriteNumber(Stream stream, ulong value)
    {
        Span<byte> word = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(word, value);
        stream.Write(word);
    }

    public static void WriteString(Stream stream, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        WriteNumber(stream, (ulong)bytes.Length);
        stream.Write(bytes);
        stream.Write(s_padding, 0, Padding(bytes.Length));
    }

    public static void WriteStrings(Stream stream, IReadOnlyCollection<string> values)
    {
        WriteNumber(stream, (ulong)values.Count);
        foreach (var value in values)
        {
            WriteString(stream, value);
        }
    }

    /// <exception cref="EndOfStreamException">The peer closed the stream (Nix exited).</exception>
    public static async Task<ulong> ReadNumberAsync(Stream stream, CancellationToken cancellationToken)
    {
        var word = new byte[8];
        await stream.ReadExactlyAsync(word, cancellationToken);
        return BinaryPrimitives.ReadUInt64LittleEndian(word);
    }

    /// <param name="maxLength">Longer strings mean the two sides disagree about the framing: refuse them.</param>
    public static async Task<string> ReadStringAsync(Stream stream, CancellationToken cancellationToken, int maxLength = 1 << 24)
    {
        var length = await ReadNumberAsync(stream, cancellationToken);
        if (length > (ulong)maxLength)
        {
            throw new InvalidDataException($"The serve protocol sent a string of {length} bytes; the framing is out of step.");
        }

        var bytes = new byte[(int)length + Padding((int)length)];
        await stream.ReadExactlyAsync(bytes, cancellationToken);
        return Encoding.UTF8.GetString(bytes, 0, (int)length);
    }

    public static async Task<IReadOnlyList<string>> ReadStringsAsync(Stream stream, CancellationToken cancellationToken)
    {
        var count = await ReadNumberAsync(stream, cancellationToken);
        if (count > 1 << 20)
        {
            throw new InvalidDataException($"The serve protocol sent a list of {count} strings; the framing is out of step.");
        }

        var values = new List<string>((int)count);
        for (var i = 0UL; i < count; i++)
        {
            values.Add(await ReadStringAsync(stream, cancellationToken));
        }

        return values;
    }

    private static int Padding(int length) => (8 - length % 8) % 8;
}
