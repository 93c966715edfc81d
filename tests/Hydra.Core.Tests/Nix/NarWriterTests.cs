using System.Security.Cryptography;
using Hydra.Core.Nix;

namespace Hydra.Core.Tests.Nix;

/// <summary>NARs written here must hash exactly as Nix's own (<c>nix hash path</c> hashes the NAR of a path).</summary>
public sealed class NarWriterTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    [Theory]
    [InlineData("")]
    [InlineData("eight by")]
    [InlineData("Derive([(\"out\",\"/nix/store/x\",\"\",\"\")],[],[],\"x86_64-linux\",\"/bin/sh\",[],[])")]
    public async Task Regular_file_nar_hashes_like_nix_hash_path(string text)
    {
        var path = _directory.Combine("file-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(path, text);

        await AssertSameHashAsNixAsync(path, NarWriter.RegularFile(await File.ReadAllBytesAsync(path)));
    }

    [Fact]
    public async Task Executable_file_nar_hashes_like_nix_hash_path()
    {
        var path = _directory.Combine("script");
        await File.WriteAllTextAsync(path, "#!/bin/sh\necho hi\n");
        await NixProcess.RunCheckedAsync("chmod", "+x", path);

        await AssertSameHashAsNixAsync(path, NarWriter.RegularFile(await File.ReadAllBytesAsync(path), executable: true));
    }

    [Fact]
    public async Task Nar_of_a_store_drv_matches_nix_store_dump()
    {
        var drv = await NixProcess.RunCheckedAsync("nix-instantiate", "-E",
            $"derivation {{ name = \"nar-writer-test\"; system = \"x86_64-linux\"; builder = \"/bin/sh\"; salt = \"{Guid.NewGuid():N}\"; }}");
        var dumped = _directory.Combine("dump.nar");
        await NixProcess.RunCheckedAsync("/bin/sh", "-c", $"nix-store --dump '{drv}' > '{dumped}'");

        Assert.Equal(await File.ReadAllBytesAsync(dumped), NarWriter.RegularFile(await File.ReadAllBytesAsync(drv)));
    }

    public void Dispose() => _directory.Dispose();

    private static async Task AssertSameHashAsNixAsync(string path, byte[] nar)
    {
        var expected = await NixProcess.RunCheckedAsync("nix", "hash", "path", "--type", "sha256", "--base32", path);

        Assert.Equal(expected, NixBase32.Encode(SHA256.HashData(nar)));
        Assert.Equal(0, nar.Length % 8);
    }
}
