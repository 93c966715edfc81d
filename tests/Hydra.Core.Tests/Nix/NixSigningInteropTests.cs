using Hydra.Core.Nix;

namespace Hydra.Core.Tests.Nix;

/// <summary>Signatures must be interchangeable with real Nix in both directions.</summary>
public sealed class NixSigningInteropTests(NixBinaryCacheFixture cache) : IClassFixture<NixBinaryCacheFixture>
{
    [Fact]
    public async Task Verify_accepts_the_signature_nix_wrote()
    {
        var info = NarInfo.Parse(await File.ReadAllTextAsync(cache.NarInfoPath));

        var signature = Assert.Single(info.Sigs);
        Assert.Single(info.References);
        Assert.True(NixSigningKey.Verify(cache.PublicKeyText, info.Fingerprint(), signature));
    }

    [Fact]
    public async Task Sign_with_a_nix_generated_key_matches_the_signature_nix_wrote()
    {
        var info = NarInfo.Parse(await File.ReadAllTextAsync(cache.NarInfoPath));
        var key = await NixSigningKey.LoadAsync(cache.SecretKeyPath, CancellationToken.None);

        Assert.Equal(NixBinaryCacheFixture.KeyName, key.Name);
        Assert.Equal(cache.PublicKeyText, key.PublicKeyText);
        Assert.Equal(Assert.Single(info.Sigs), key.Sign(info.Fingerprint()));
    }

    [Fact]
    public async Task Narinfo_text_round_trips_byte_for_byte()
    {
        var text = await File.ReadAllTextAsync(cache.NarInfoPath);

        Assert.Equal(text, NarInfo.Parse(text).ToText());
    }

    [Fact]
    public async Task Nix_trusts_a_narinfo_signed_with_a_generated_key()
    {
        var key = NixSigningKey.Generate("hydra-test-1");
        var copy = cache.CopyCache();
        var narInfoPath = Path.Combine(copy, Path.GetFileName(cache.NarInfoPath));
        var info = NarInfo.Parse(await File.ReadAllTextAsync(narInfoPath));
        info.Sigs.Clear();
        info.SignWith(key);
        await File.WriteAllTextAsync(narInfoPath, info.ToText());

        var trusted = await cache.VerifyWithNixAsync(copy, key.PublicKeyText);
        var untrusted = await cache.VerifyWithNixAsync(copy, cache.PublicKeyText);

        Assert.True(trusted.ExitCode == 0, trusted.StandardError);
        Assert.NotEqual(0, untrusted.ExitCode);
    }

    [Fact]
    public async Task Tampered_nar_size_fails_verification_here_and_in_nix()
    {
        var copy = cache.CopyCache();
        var narInfoPath = Path.Combine(copy, Path.GetFileName(cache.NarInfoPath));
        var info = NarInfo.Parse(await File.ReadAllTextAsync(narInfoPath));
        info.NarSize += 8;
        await File.WriteAllTextAsync(narInfoPath, info.ToText());

        var nix = await cache.VerifyWithNixAsync(copy, cache.PublicKeyText);

        Assert.False(NixSigningKey.Verify(cache.PublicKeyText, info.Fingerprint(), Assert.Single(info.Sigs)));
        Assert.NotEqual(0, nix.ExitCode);
    }
}
