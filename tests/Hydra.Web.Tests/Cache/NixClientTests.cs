using Hydra.Core.Nix;

namespace Hydra.Web.Tests.Cache;

/// <summary>The cache as real Nix sees it: uploads with <c>nix copy --to</c>, downloads with signature checks.</summary>
public sealed class NixClientTests(CacheServerFactory factory) : IClassFixture<CacheServerFactory>, IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("hydra-cache-nix-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task Nix_copy_uploads_with_a_netrc_token_and_the_server_signs_the_narinfo()
    {
        var path = await NixCli.BuildTinyPathAsync();

        await UploadAsync(path);

        var hash = StorePath.Parse(path).HashPart;
        var info = NarInfo.Parse(await File.ReadAllTextAsync(Path.Combine(factory.CacheDir, hash + ".narinfo")));
        Assert.Equal(path, info.StorePath);
        Assert.Equal("zstd", info.Compression);
        Assert.True(File.Exists(Path.Combine(factory.CacheDir, info.Url)));
        var signature = Assert.Single(info.Sigs);
        Assert.True(NixSigningKey.Verify(await factory.PublicKeyAsync(), info.Fingerprint(), signature));
    }

    [Fact]
    public async Task Nix_copy_from_the_cache_accepts_the_farm_key_and_rejects_another()
    {
        var path = await NixCli.BuildTinyPathAsync();
        await UploadAsync(path);

        var trusted = await CopyToFreshStoreAsync(path, await factory.PublicKeyAsync());
        Assert.True(trusted.ExitCode == 0, "copy with the farm key failed: " + trusted.Stderr);
        Assert.Equal("hi\n", await File.ReadAllTextAsync(Path.Combine(_scratch, "trusted") + path));

        var other = NixSigningKey.Generate("hydra-1").PublicKeyText;
        var untrusted = await CopyToFreshStoreAsync(path, other, "untrusted");
        Assert.NotEqual(0, untrusted.ExitCode);
        Assert.Contains("lacks a valid signature", untrusted.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_scratch, "untrusted") + path));
    }

    private async Task UploadAsync(string path)
    {
        var worker = $"w-{Guid.NewGuid():N}";
        var token = await factory.CreateWorkerTokenAsync(worker);
        await factory.HoldStepAsync(worker, [path]);
        var netrc = Path.Combine(_scratch, "netrc");
        await File.WriteAllTextAsync(netrc, $"machine 127.0.0.1 login worker password {token}\n");

        var result = await NixCli.RunAsync("nix", ["copy", "--to", factory.CacheUrl + "?compression=zstd", path], $"netrc-file = {netrc}");

        Assert.True(result.ExitCode == 0, "nix copy --to failed: " + result.Stderr);
    }

    /// <summary>Copies into a new chroot store, which (unlike a file:// cache) checks signatures on import.</summary>
    private Task<NixCli.Result> CopyToFreshStoreAsync(string path, string trustedKey, string storeName = "trusted") =>
        NixCli.RunAsync("nix",
            ["copy", "--from", factory.CacheUrl, "--to", Path.Combine(_scratch, storeName), path],
            $"trusted-public-keys = {trustedKey}", "require-sigs = true");
}
