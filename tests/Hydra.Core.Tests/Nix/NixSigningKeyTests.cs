using System.Runtime.Versioning;
using Hydra.Core.Nix;

namespace Hydra.Core.Tests.Nix;

public sealed class NixSigningKeyTests
{
    private const string Fingerprint = "1;/nix/store/56afsba76gf5r5qvriiws1c0jzzncki9-sig-test;sha256:1hb8spd8s0ly7f03dgn41pn8vhbm11w5a29ij6k3d84znpbg2hjn;160;";

    [Fact]
    public void Generated_key_survives_its_secret_key_text()
    {
        var key = NixSigningKey.Generate("hydra-1");

        var parsed = NixSigningKey.Parse("  " + key.SecretKeyText + "\n");

        Assert.Equal("hydra-1", parsed.Name);
        Assert.Equal(key.SecretKeyText, parsed.SecretKeyText);
        Assert.Equal(key.PublicKeyText, parsed.PublicKeyText);
        Assert.StartsWith("hydra-1:", key.PublicKeyText, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(key.PublicKeyText["hydra-1:".Length..]).Length);
        Assert.Equal(64, Convert.FromBase64String(key.SecretKeyText["hydra-1:".Length..]).Length);
    }

    [Fact]
    public void Signature_verifies_with_the_public_key()
    {
        var key = NixSigningKey.Generate("hydra-1");

        var signature = key.Sign(Fingerprint);

        Assert.StartsWith("hydra-1:", signature, StringComparison.Ordinal);
        Assert.Equal(64, Convert.FromBase64String(signature["hydra-1:".Length..]).Length);
        Assert.True(NixSigningKey.Verify(key.PublicKeyText, Fingerprint, signature));
    }

    [Fact]
    public void Signature_does_not_verify_for_another_fingerprint_key_or_name()
    {
        var key = NixSigningKey.Generate("hydra-1");
        var signature = key.Sign(Fingerprint);

        Assert.False(NixSigningKey.Verify(key.PublicKeyText, Fingerprint.Replace(";160;", ";161;", StringComparison.Ordinal), signature));
        Assert.False(NixSigningKey.Verify(NixSigningKey.Generate("hydra-1").PublicKeyText, Fingerprint, signature));
        Assert.False(NixSigningKey.Verify(key.PublicKeyText, Fingerprint, "hydra-2" + signature["hydra-1".Length..]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("hydra-1")]
    [InlineData("hydra-1:")]
    [InlineData("hydra-1:not base64!")]
    [InlineData("hydra-1:c2hvcnQ=")]
    public void Malformed_signatures_do_not_verify(string signature)
    {
        var key = NixSigningKey.Generate("hydra-1");

        Assert.False(NixSigningKey.Verify(key.PublicKeyText, Fingerprint, signature));
    }

    [Theory]
    [InlineData("no-colon")]
    [InlineData(":AAAA")]
    [InlineData("hydra-1:c2hvcnQ=")]
    [InlineData("hydra-1:***")]
    public void Rejects_malformed_secret_keys(string text)
    {
        Assert.Throws<FormatException>(() => NixSigningKey.Parse(text));
    }

    [Fact]
    public void Rejects_a_secret_key_whose_public_half_does_not_match_its_seed()
    {
        var bytes = Convert.FromBase64String(NixSigningKey.Generate("k").SecretKeyText[2..]);
        bytes[40] ^= 1;

        Assert.Throws<FormatException>(() => NixSigningKey.Parse("k:" + Convert.ToBase64String(bytes)));
    }

    [Fact]
    public void Rejects_a_malformed_public_key()
    {
        Assert.Throws<FormatException>(() => NixSigningKey.Verify("hydra-1:c2hvcnQ=", Fingerprint, "hydra-1:c2hvcnQ="));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a:b")]
    [InlineData("a b")]
    public void Generate_rejects_names_nix_cannot_use(string name)
    {
        Assert.ThrowsAny<ArgumentException>(() => NixSigningKey.Generate(name));
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task LoadOrCreate_creates_a_private_key_file_once_and_then_loads_it()
    {
        using var directory = new TemporaryDirectory();
        var secretPath = directory.Combine("keys", "nested", "secret");
        var publicPath = directory.Combine("keys", "public");

        var created = await NixSigningKey.LoadOrCreateAsync(secretPath, publicPath, "hydra-1", CancellationToken.None);
        var loaded = await NixSigningKey.LoadOrCreateAsync(secretPath, publicPath, "hydra-1", CancellationToken.None);

        Assert.Equal(created.SecretKeyText, loaded.SecretKeyText);
        Assert.Equal(created.SecretKeyText, (await File.ReadAllTextAsync(secretPath)).Trim());
        Assert.Equal(created.PublicKeyText, (await File.ReadAllTextAsync(publicPath)).Trim());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secretPath));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(secretPath)!));
    }

    [Fact]
    public async Task LoadOrCreate_rewrites_a_missing_public_key_file()
    {
        using var directory = new TemporaryDirectory();
        var secretPath = directory.Combine("secret");
        var publicPath = directory.Combine("public");
        var key = await NixSigningKey.LoadOrCreateAsync(secretPath, publicPath, "hydra-1", CancellationToken.None);
        File.Delete(publicPath);

        await NixSigningKey.LoadOrCreateAsync(secretPath, publicPath, "hydra-1", CancellationToken.None);

        Assert.Equal(key.PublicKeyText, (await File.ReadAllTextAsync(publicPath)).Trim());
    }
}
