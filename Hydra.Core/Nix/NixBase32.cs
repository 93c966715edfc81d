namespace Hydra.Core.Nix;

/// <summary>
/// Nix's base32 encoding, as used in store path hashes and narinfo hashes. It differs from
/// RFC 4648: the alphabet omits e, o, u and t, and the bits are read from the end of the input,
/// so the first character encodes the most significant bits of the last byte.
/// </summary>
public static class NixBase32
{
    /// <summary>The 32 characters Nix uses, in digit order.</summary>
    public const string Alphabet = "0123456789abcdfghijklmnpqrsvwxyz";

    // Maps an ASCII character to its digit, or -1 when it is not in the alphabet.
    private static readonly sbyte[] s_digits = BuildDigits();

    /// <summary>Number of characters the encoding of <paramref name="byteCount"/> bytes takes.</summary>
    public static int EncodedLength(int byteCount) => byteCount == 0 ? 0 : ((byteCount * 8) - 1) / 5 + 1;

    /// <summary>Encodes bytes the way Nix's <c>printHash32</c> does.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var length = EncodedLength(bytes.Length);
        if (length == 0)
        {
            return string.Empty;
        }

        Span<char> chars = length <= 256 ? stackalloc char[length] : new char[length];
        for (var n = length - 1; n >= 0; n--)
        {
            var bit = n * 5;
            var i = bit / 8;
            var j = bit % 8;
            var low = bytes[i] >> j;
            var high = i >= bytes.Length - 1 ? 0 : bytes[i + 1] << (8 - j);
            chars[length - 1 - n] = Alphabet[(low | high) & 0x1f];
        }

        return new string(chars);
    }

    /// <summary>Decodes Nix base32 text.</summary>
    /// <exception cref="FormatException">The text has a character outside the alphabet, a length no
    /// byte count encodes to, or bits set beyond the last byte.</exception>
    public static byte[] Decode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var byteCount = text.Length * 5 / 8;
        if (EncodedLength(byteCount) != text.Length)
        {
            throw new FormatException($"'{text}' has a length ({text.Length}) that is not a Nix base32 encoding.");
        }

        var bytes = new byte[byteCount];
        for (var n = 0; n < text.Length; n++)
        {
            var c = text[text.Length - n - 1];
            var digit = c < 128 ? s_digits[c] : -1;
            if (digit < 0)
            {
                throw new FormatException($"Invalid character '{c}' at offset {text.Length - n - 1} in Nix base32 text.");
            }

            var bit = n * 5;
            var i = bit / 8;
            var j = bit % 8;
            bytes[i] |= (byte)(digit << j);
            var carry = digit >> (8 - j);
            if (i < byteCount - 1)
            {
                bytes[i + 1] |= (byte)carry;
            }
            else if (carry != 0)
            {
                throw new FormatException($"'{text}' has bits set beyond its last byte.");
            }
        }

        return bytes;
    }

    /// <summary>Whether <paramref name="c"/> belongs to Nix's base32 alphabet.</summary>
    public static bool IsValidChar(char c) => c < 128 && s_digits[c] >= 0;

    private static sbyte[] BuildDigits()
    {
        var digits = new sbyte[128];
        Array.Fill(digits, (sbyte)-1);
        for (var i = 0; i < Alphabet.Length; i++)
        {
            digits[Alphabet[i]] = (sbyte)i;
        }

        return digits;
    }
}
