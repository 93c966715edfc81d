using System.Text;
using Hydra.Core.Nix;

namespace Hydra.Core.Tests.Nix;

/// <summary>The NAR reader against NARs written by <see cref="NarWriter"/> and by Nix itself (<c>nix-store --dump</c>).</summary>
public sealed class NarReaderTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    [Theory]
    [InlineData("", false)]
    [InlineData("eight by", false)]
    [InlineData("{ \"jobset\": { \"enabled\": 1 } }\n", true)]
    public void Reads_back_what_the_writer_wrote(string text, bool executable)
    {
        var nar = NarWriter.RegularFile(Encoding.UTF8.GetBytes(text), executable);

        Assert.Equal(text, Encoding.UTF8.GetString(NarReader.ReadRegularFile(nar).Span));
    }

    [Fact]
    public async Task Reads_the_file_in_a_nar_dumped_by_nix()
    {
        var file = _directory.Combine("spec.json");
        await File.WriteAllTextAsync(file, "{ \"a\": {} }\n");

        var nar = await DumpAsync(file);

        Assert.Equal("{ \"a\": {} }\n", Encoding.UTF8.GetString(NarReader.ReadRegularFile(nar).Span));
    }

    [Fact]
    public async Task Refuses_a_directory()
    {
        var directory = _directory.Combine("out");
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "spec.json"), "{}");

        var nar = await DumpAsync(directory);
        var error = Assert.Throws<FormatException>(() => NarReader.ReadRegularFile(nar));

        Assert.Equal("The archived path is a directory, not a regular file.", error.Message);
    }

    [Fact]
    public async Task Refuses_a_symbolic_link_and_names_its_target()
    {
        var link = _directory.Combine("link");
        File.CreateSymbolicLink(link, "/etc/hostname");

        var nar = await DumpAsync(link);
        var error = Assert.Throws<FormatException>(() => NarReader.ReadRegularFile(nar));

        Assert.Equal("The archived path is a symbolic link to '/etc/hostname', not a regular file.", error.Message);
    }

    [Fact]
    public void Refuses_bytes_that_are_not_a_nar()
    {
        var error = Assert.Throws<FormatException>(() => NarReader.ReadRegularFile(Encoding.UTF8.GetBytes("{ \"not\": \"a nar\" }")));

        Assert.Contains("NAR", error.Message);
    }

    [Fact]
    public void Refuses_a_truncated_nar_and_one_with_trailing_bytes()
    {
        var nar = NarWriter.RegularFile("some contents"u8);

        Assert.Throws<FormatException>(() => NarReader.ReadRegularFile(nar.AsMemory(0, nar.Length - 8)));
        Assert.Throws<FormatException>(() => NarReader.ReadRegularFile(nar.AsMemory(0, nar.Length - 24)));
        var error = Assert.Throws<FormatException>(() => NarReader.ReadRegularFile(nar.Concat(new byte[8]).ToArray()));
        Assert.Contains("8 bytes after its root entry", error.Message);
    }

    [Fact]
    public void Refuses_a_length_that_runs_past_the_end()
    {
        var nar = NarWriter.RegularFile("abc"u8);
        // The contents' length follows "nix-archive-1" (8 + 16 bytes), then "(", "type", "regular" and "contents" (8 + 8 each).
        const int lengthOffset = 24 + 4 * 16;
        Assert.Equal(3UL, BitConverter.ToUInt64(nar, lengthOffset));
        BitConverter.TryWriteBytes(nar.AsSpan(lengthOffset), 1UL << 40);

        var error = Assert.Throws<FormatException>(() => NarReader.ReadRegularFile(nar));

        Assert.Contains("does not fit", error.Message);
    }

    [Fact]
    public void Refuses_non_zero_padding()
    {
        var nar = NarWriter.RegularFile("abc"u8);
        // "abc" is padded with five zeros before ")".
        nar[^17] = 1;

        var error = Assert.Throws<FormatException>(() => NarReader.ReadRegularFile(nar));

        Assert.Contains("non-zero padding", error.Message);
    }

    public void Dispose() => _directory.Dispose();

    private async Task<byte[]> DumpAsync(string path)
    {
        var dumped = _directory.Combine("dump-" + Guid.NewGuid().ToString("N") + ".nar");
        await NixProcess.RunCheckedAsync("/bin/sh", "-c", $"nix-store --dump '{path}' > '{dumped}'");
        return await File.ReadAllBytesAsync(dumped);
    }
}
