using Hydra.Builder.NixSupport;

namespace Hydra.Builder.Tests.NixSupport;

/// <summary>The reader over plain directories standing in for store outputs (the real-Nix cases are in the worker tests).</summary>
public sealed class NixSupportReaderTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("hydra-nix-support-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public async Task Without_a_products_file_each_directory_output_is_a_nix_build_product()
    {
        var outPath = Output("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-hello-2.10");
        var docPath = Output("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-hello-2.10-doc");
        var filePath = Path.Combine(_root.FullName, "cccccccccccccccccccccccccccccccc-hello.tar");
        await File.WriteAllTextAsync(filePath, "not a directory");

        var result = await NixSupportReader.ReadAsync(
            new Dictionary<string, string> { ["out"] = outPath, ["doc"] = docPath, ["tarball"] = filePath }, CancellationToken.None);

        Assert.Equal([("nix-build", "doc", docPath), ("nix-build", "", outPath)], result.Products.Select(p => (p.Type, p.Subtype, p.Path)));
        Assert.False(result.Failed);
        Assert.Empty(result.Metrics);
        Assert.Null(result.ReleaseName);
    }

    [Fact]
    public async Task Nix_support_files_that_are_symlinks_are_ignored()
    {
        var decoy = Path.Combine(_root.FullName, "decoy");
        await File.WriteAllTextAsync(decoy, "file binary-dist /etc/passwd\n");
        var outPath = Output("dddddddddddddddddddddddddddddddd-linked");
        Directory.CreateDirectory(Path.Combine(outPath, "nix-support"));
        File.CreateSymbolicLink(Path.Combine(outPath, "nix-support", "hydra-build-products"), decoy);
        File.CreateSymbolicLink(Path.Combine(outPath, "nix-support", "hydra-release-name"), decoy);

        var result = await NixSupportReader.ReadAsync(new Dictionary<string, string> { ["out"] = outPath }, CancellationToken.None);

        Assert.Equal([outPath], result.Products.Select(p => p.Path));
        Assert.Null(result.ReleaseName);
    }

    [Fact]
    public async Task A_symlinked_nix_support_directory_is_not_followed()
    {
        var elsewhere = Directory.CreateDirectory(Path.Combine(_root.FullName, "elsewhere")).FullName;
        await File.WriteAllTextAsync(Path.Combine(elsewhere, "failed"), "");
        await File.WriteAllTextAsync(Path.Combine(elsewhere, "hydra-metrics"), "stolen 1\n");
        var outPath = Output("eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee-pointing");
        Directory.CreateSymbolicLink(Path.Combine(outPath, "nix-support"), elsewhere);

        var result = await NixSupportReader.ReadAsync(new Dictionary<string, string> { ["out"] = outPath }, CancellationToken.None);

        Assert.False(result.Failed);
        Assert.Empty(result.Metrics);
    }

    [Theory]
    [InlineData("hello-1.0\n", "hello-1.0")]
    [InlineData("  v2.0@rc:1_x  \n", "v2.0@rc:1_x")]
    [InlineData("<script>alert(1)</script>\n", null)]
    [InlineData("two words\n", null)]
    [InlineData("\n", null)]
    public async Task Release_names_outside_hydras_alphabet_are_dropped(string contents, string? expected)
    {
        var outPath = Output("ffffffffffffffffffffffffffffffff-release");
        Directory.CreateDirectory(Path.Combine(outPath, "nix-support"));
        await File.WriteAllTextAsync(Path.Combine(outPath, "nix-support", "hydra-release-name"), contents);

        var result = await NixSupportReader.ReadAsync(new Dictionary<string, string> { ["out"] = outPath }, CancellationToken.None);

        Assert.Equal(expected, result.ReleaseName);
    }

    private string Output(string baseName) => Directory.CreateDirectory(Path.Combine(_root.FullName, baseName)).FullName;
}
