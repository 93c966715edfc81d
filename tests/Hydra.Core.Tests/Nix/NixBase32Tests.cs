using System.Security.Cryptography;
using System.Text;
using Hydra.Core.Nix;

namespace Hydra.Core.Tests.Nix;

public sealed class NixBase32Tests
{
    [Fact]
    public void Encodes_sha256_of_abc_like_nix()
    {
        // nix-hash --type sha256 --to-base32 $(printf abc | sha256sum)
        var hash = SHA256.HashData(Encoding.ASCII.GetBytes("abc"));

        Assert.Equal("1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s", NixBase32.Encode(hash));
    }

    [Theory]
    [InlineData("md5", 16)]
    [InlineData("sha1", 20)]
    [InlineData("sha256", 32)]
    [InlineData("sha512", 64)]
    public async Task Encodes_random_hashes_exactly_as_nix_hash_does(string type, int length)
    {
        var bytes = RandomNumberGenerator.GetBytes(length);

        var expected = await NixProcess.RunCheckedAsync("nix-hash", "--type", type, "--to-base32", Convert.ToHexStringLower(bytes));

        Assert.Equal(expected, NixBase32.Encode(bytes));
        Assert.Equal(bytes, NixBase32.Decode(expected));
    }

    [Fact]
    public void Round_trips_every_length_up_to_100_bytes()
    {
        for (var length = 0; length <= 100; length++)
        {
            var bytes = RandomNumberGenerator.GetBytes(length);

            var text = NixBase32.Encode(bytes);

            Assert.Equal(NixBase32.EncodedLength(length), text.Length);
            Assert.Equal(bytes, NixBase32.Decode(text));
        }
    }

    [Theory]
    [InlineData("1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5e")]
    [InlineData("1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5o")]
    [InlineData("1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5u")]
    [InlineData("1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5t")]
    [InlineData("1B8M03R63ZQHNJF7L5WNLDHH7C134AP5VPJ0850YMKQ1IYZICY5S")]
    [InlineData("1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5-")]
    public void Rejects_characters_outside_the_alphabet(string text)
    {
        Assert.Throws<FormatException>(() => NixBase32.Decode(text));
    }

    [Fact]
    public void Rejects_a_length_no_byte_count_encodes_to()
    {
        // 1 byte encodes to 2 characters and 2 bytes to 4: nothing encodes to 1 or 3.
        Assert.Throws<FormatException>(() => NixBase32.Decode("0"));
        Assert.Throws<FormatException>(() => NixBase32.Decode("000"));
    }

    [Fact]
    public void Rejects_bits_set_beyond_the_last_byte()
    {
        // 52 characters carry 260 bits for 256; a leading 'z' sets the 4 surplus bits.
        Assert.Throws<FormatException>(() => NixBase32.Decode("z" + new string('0', 51)));
    }

    [Fact]
    public void Empty_input_encodes_to_empty_text()
    {
        Assert.Equal(string.Empty, NixBase32.Encode([]));
        Assert.Empty(NixBase32.Decode(string.Empty));
    }
}
