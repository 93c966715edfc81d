using Hydra.Builder.Nix.Serve;

namespace Hydra.Builder.Tests.Nix;

public sealed class ServeWireTests
{
    [Fact]
    public void Numbers_are_64_bit_little_endian()
    {
        using var stream = new MemoryStream();
        ServeWire.WriteNumber(stream, ServeProtocol.ClientMagic);

        Assert.Equal(new byte[] { 0xeb, 0x9d, 0x0c, 0x39, 0, 0, 0, 0 }, stream.ToArray());
    }

    [Fact]
    public void Strings_are_length_then_bytes_padded_with_zeros_to_8()
    {
        using var stream = new MemoryStream();
        ServeWire.WriteString(stream, "abc");
        ServeWire.WriteString(stream, "12345678");
        ServeWire.WriteString(stream, "");

        Assert.Equal(
            new byte[]
            {
                3, 0, 0, 0, 0, 0, 0, 0, (byte)'a', (byte)'b', (byte)'c', 0, 0, 0, 0, 0,
                8, 0, 0, 0, 0, 0, 0, 0, (byte)'1', (byte)'2', (byte)'3', (byte)'4', (byte)'5', (byte)'6', (byte)'7', (byte)'8',
                0, 0, 0, 0, 0, 0, 0, 0,
            },
            stream.ToArray());
    }

    [Fact]
    public async Task What_is_written_reads_back()
    {
        using var stream = new MemoryStream();
        ServeWire.WriteNumber(stream, ulong.MaxValue);
        ServeWire.WriteStrings(stream, ["/nix/store/a", "", "ünïcode"]);
        ServeWire.WriteString(stream, "tail");
        stream.Position = 0;

        Assert.Equal(ulong.MaxValue, await ServeWire.ReadNumberAsync(stream, CancellationToken.None));
        Assert.Equal(["/nix/store/a", "", "ünïcode"], await ServeWire.ReadStringsAsync(stream, CancellationToken.None));
        Assert.Equal("tail", await ServeWire.ReadStringAsync(stream, CancellationToken.None));
    }

    [Fact]
    public async Task An_absurd_length_is_refused_instead_of_allocated()
    {
        using var stream = new MemoryStream();
        ServeWire.WriteNumber(stream, 1UL << 40);
        stream.Position = 0;

        await Assert.ThrowsAsync<InvalidDataException>(() => ServeWire.ReadStringAsync(stream, CancellationToken.None));
    }

    [Fact]
    public async Task A_stream_that_ends_early_throws_end_of_stream()
    {
        using var stream = new MemoryStream([5, 0, 0, 0, 0, 0, 0, 0, (byte)'a']);

        await Assert.ThrowsAsync<EndOfStreamException>(() => ServeWire.ReadStringAsync(stream, CancellationToken.None));
    }
}
