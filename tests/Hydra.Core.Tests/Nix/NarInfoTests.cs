using Hydra.Core.Nix;

namespace Hydra.Core.Tests.Nix;

public sealed class NarInfoTests
{
    // Written by `nix copy --to file://...` (Nix 2.8) for a built path with one reference.
    private const string WrittenByNix = """
        StorePath: /nix/store/56afsba76gf5r5qvriiws1c0jzzncki9-sig-test
        URL: nar/00kb353df5h0989diak11rd93ycrk57hfnmsq9s0n5ay7dhvwkq7.nar.xz
        Compression: xz
        FileHash: sha256:00kb353df5h0989diak11rd93ycrk57hfnmsq9s0n5ay7dhvwkq7
        FileSize: 172
        NarHash: sha256:1hb8spd8s0ly7f03dgn41pn8vhbm11w5a29ij6k3d84znpbg2hjn
        NarSize: 160
        References: q2mkxqh5ni9g3lyayvf4vsaz9h7rg53z-dep
        Deriver: 5r8b4j1q4hkx6z6fmxdvz32471af3vqs-sig-test.drv
        Sig: test-1:OSBzd+YXnqg4hDueq5IR2YTGowAmZB/IxP1Y9SdLpZl10p8KVRn0vHDkytzihkJinSApjVnv6DKcuxtuqTZaCw==

        """;

    // A content-addressed path with no references, as `nix copy` writes it.
    private const string ContentAddressed = """
        StorePath: /nix/store/g9rfbmv0zcagqr54jn21wl63xi2x1f0a-f.txt
        URL: nar/0ir1qj1b8f3yx56516r5ag4b4v56nlswvq54vh8yh0cgvk0i84l0.nar.xz
        Compression: xz
        FileHash: sha256:0ir1qj1b8f3yx56516r5ag4b4v56nlswvq54vh8yh0cgvk0i84l0
        FileSize: 140
        NarHash: sha256:1k51k9nqdvbcxj9lya9mdk8zhl5dpg1fj82w5qpkykl43krp9fim
        NarSize: 128
        References: 
        Sig: test-1:HhpJyqV0aYU30ujyS5pa7yvjyyYs5bUMVNFCPEuBs7ztuJJ+X3S8cyZ4U6zqIoZbZu/VSuV8Fmwc9vKCYAZFDQ==
        CA: fixed:r:sha256:1k51k9nqdvbcxj9lya9mdk8zhl5dpg1fj82w5qpkykl43krp9fim

        """;

    [Fact]
    public void Parses_every_field_nix_writes()
    {
        var info = NarInfo.Parse(WrittenByNix);

        Assert.Equal("/nix/store/56afsba76gf5r5qvriiws1c0jzzncki9-sig-test", info.StorePath);
        Assert.Equal("nar/00kb353df5h0989diak11rd93ycrk57hfnmsq9s0n5ay7dhvwkq7.nar.xz", info.Url);
        Assert.Equal("xz", info.Compression);
        Assert.Equal("sha256:00kb353df5h0989diak11rd93ycrk57hfnmsq9s0n5ay7dhvwkq7", info.FileHash);
        Assert.Equal(172, info.FileSize);
        Assert.Equal("sha256:1hb8spd8s0ly7f03dgn41pn8vhbm11w5a29ij6k3d84znpbg2hjn", info.NarHash);
        Assert.Equal(160, info.NarSize);
        Assert.Equal(["q2mkxqh5ni9g3lyayvf4vsaz9h7rg53z-dep"], info.References);
        Assert.Equal("5r8b4j1q4hkx6z6fmxdvz32471af3vqs-sig-test.drv", info.Deriver);
        Assert.Null(info.System);
        Assert.Null(info.Ca);
        Assert.Single(info.Sigs);
    }

    [Theory]
    [InlineData(WrittenByNix)]
    [InlineData(ContentAddressed)]
    public void Writes_back_exactly_what_nix_wrote(string text)
    {
        Assert.Equal(text, NarInfo.Parse(text).ToText());
    }

    [Fact]
    public void Writes_optional_fields_in_nix_order()
    {
        var info = new NarInfo
        {
            StorePath = "/nix/store/56afsba76gf5r5qvriiws1c0jzzncki9-sig-test",
            Url = "nar/x.nar",
            NarHash = "sha256:1hb8spd8s0ly7f03dgn41pn8vhbm11w5a29ij6k3d84znpbg2hjn",
            NarSize = 160,
            System = "x86_64-linux",
            Ca = "text:sha256:1hb8spd8s0ly7f03dgn41pn8vhbm11w5a29ij6k3d84znpbg2hjn",
            Sigs = ["a:x", "b:y"],
        };

        Assert.Equal(
            """
            StorePath: /nix/store/56afsba76gf5r5qvriiws1c0jzzncki9-sig-test
            URL: nar/x.nar
            NarHash: sha256:1hb8spd8s0ly7f03dgn41pn8vhbm11w5a29ij6k3d84znpbg2hjn
            NarSize: 160
            References: 
            System: x86_64-linux
            Sig: a:x
            Sig: b:y
            CA: text:sha256:1hb8spd8s0ly7f03dgn41pn8vhbm11w5a29ij6k3d84znpbg2hjn

            """,
            info.ToText());
    }

    [Fact]
    public void Ignores_unknown_keys_blank_lines_and_carriage_returns()
    {
        var text = "Future: thing\r\n\r\n" + WrittenByNix.Replace("\n", "\r\n", StringComparison.Ordinal);

        var info = NarInfo.Parse(text);

        Assert.Equal(160, info.NarSize);
        Assert.Equal(WrittenByNix, info.ToText());
    }

    [Fact]
    public void Treats_unknown_deriver_as_none()
    {
        var info = NarInfo.Parse(WrittenByNix.Replace("5r8b4j1q4hkx6z6fmxdvz32471af3vqs-sig-test.drv", "unknown-deriver", StringComparison.Ordinal));

        Assert.Null(info.Deriver);
    }

    [Theory]
    [InlineData("StorePath")]
    [InlineData("URL")]
    [InlineData("NarHash")]
    [InlineData("NarSize")]
    public void Rejects_narinfo_missing_a_required_field(string key)
    {
        var text = string.Join('\n', WrittenByNix.Split('\n').Where(l => !l.StartsWith(key + ":", StringComparison.Ordinal)));

        var error = Assert.Throws<FormatException>(() => NarInfo.Parse(text));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("StorePath: /nix/store/56afsba76gf5r5qvriiws1c0jzzncki9-sig-test", "StorePath: /tmp/sig-test")]
    [InlineData("NarSize: 160", "NarSize: lots")]
    [InlineData("NarSize: 160", "NarSize: -160")]
    [InlineData("NarSize: 160", "NarSize: 0")]
    [InlineData("FileSize: 172", "FileSize: 1.5")]
    [InlineData("NarHash: sha256:1hb8spd8s0ly7f03dgn41pn8vhbm11w5a29ij6k3d84znpbg2hjn", "NarHash: sha256:nothex")]
    [InlineData("NarHash: sha256:1hb8spd8s0ly7f03dgn41pn8vhbm11w5a29ij6k3d84znpbg2hjn", "NarHash: md5:1hb8spd8s0ly7f03dgn41pn8vhbm11w5a29ij6k3d84znpbg2hjn")]
    [InlineData("References: q2mkxqh5ni9g3lyayvf4vsaz9h7rg53z-dep", "References: /nix/store/q2mkxqh5ni9g3lyayvf4vsaz9h7rg53z-dep")]
    [InlineData("Deriver: 5r8b4j1q4hkx6z6fmxdvz32471af3vqs-sig-test.drv", "Deriver: sig-test.drv")]
    [InlineData("Compression: xz", "Compression xz")]
    public void Rejects_narinfo_with_an_invalid_field(string line, string replacement)
    {
        Assert.Throws<FormatException>(() => NarInfo.Parse(WrittenByNix.Replace(line, replacement, StringComparison.Ordinal)));
    }

    [Fact]
    public void Fingerprint_joins_path_hash_size_and_full_reference_paths()
    {
        var info = NarInfo.Parse(WrittenByNix);
        info.References.Add("g9rfbmv0zcagqr54jn21wl63xi2x1f0a-f.txt");

        Assert.Equal(
            "1;/nix/store/56afsba76gf5r5qvriiws1c0jzzncki9-sig-test;sha256:1hb8spd8s0ly7f03dgn41pn8vhbm11w5a29ij6k3d84znpbg2hjn;160;"
            + "/nix/store/q2mkxqh5ni9g3lyayvf4vsaz9h7rg53z-dep,/nix/store/g9rfbmv0zcagqr54jn21wl63xi2x1f0a-f.txt",
            info.Fingerprint());
    }

    [Fact]
    public void Fingerprint_of_a_path_without_references_ends_with_a_semicolon()
    {
        Assert.EndsWith(";128;", NarInfo.Parse(ContentAddressed).Fingerprint(), StringComparison.Ordinal);
    }

    [Fact]
    public void Fingerprint_converts_hex_and_sri_nar_hashes_to_nix_base32()
    {
        var info = NarInfo.Parse(WrittenByNix);
        var expected = info.Fingerprint();
        var bytes = NixBase32.Decode("1hb8spd8s0ly7f03dgn41pn8vhbm11w5a29ij6k3d84znpbg2hjn");

        info.NarHash = "sha256:" + Convert.ToHexStringLower(bytes);
        Assert.Equal(expected, info.Fingerprint());

        info.NarHash = "sha256-" + Convert.ToBase64String(bytes);
        Assert.Equal(expected, info.Fingerprint());
    }

    [Fact]
    public void SignWith_replaces_a_signature_of_the_same_key_name_and_keeps_others()
    {
        var info = NarInfo.Parse(WrittenByNix);
        var key = NixSigningKey.Generate("test-1");
        info.Sigs.Add("other-1:c2lnbmF0dXJl");

        info.SignWith(key);

        Assert.Equal(["other-1:c2lnbmF0dXJl", key.Sign(info.Fingerprint())], info.Sigs);
    }
}
