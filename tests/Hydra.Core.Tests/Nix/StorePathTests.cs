using Hydra.Core.Nix;

namespace Hydra.Core.Tests.Nix;

public sealed class StorePathTests
{
    private const string Hash = "g9rfbmv0zcagqr54jn21wl63xi2x1f0a";

    [Fact]
    public void Parses_hash_and_name_of_a_full_path()
    {
        var path = StorePath.Parse($"/nix/store/{Hash}-hello-2.12.1.drv");

        Assert.Equal(Hash, path.HashPart);
        Assert.Equal("hello-2.12.1.drv", path.Name);
        Assert.Equal($"{Hash}-hello-2.12.1.drv", path.BaseName);
        Assert.Equal($"/nix/store/{Hash}-hello-2.12.1.drv", path.FullPath);
        Assert.Equal(path.FullPath, path.ToString());
    }

    [Fact]
    public void Builds_the_same_path_from_its_base_name()
    {
        var fromBaseName = StorePath.FromBaseName($"{Hash}-a+b_c?d=e");

        Assert.Equal(StorePath.Parse($"/nix/store/{Hash}-a+b_c?d=e"), fromBaseName);
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello")]
    [InlineData("/nix/store")]
    [InlineData("/nix/store/")]
    [InlineData("/usr/store/g9rfbmv0zcagqr54jn21wl63xi2x1f0a-hello")]
    [InlineData("nix/store/g9rfbmv0zcagqr54jn21wl63xi2x1f0a-hello")]
    [InlineData("/nix/store/g9rfbmv0zcagqr54jn21wl63xi2x1f0a")]
    [InlineData("/nix/store/g9rfbmv0zcagqr54jn21wl63xi2x1f0a-")]
    [InlineData("/nix/store/g9rfbmv0zcagqr54jn21wl63xi2x1f0-hello")]
    [InlineData("/nix/store/g9rfbmv0zcagqr54jn21wl63xi2x1f0e-hello")]
    [InlineData("/nix/store/G9RFBMV0ZCAGQR54JN21WL63XI2X1F0A-hello")]
    [InlineData("/nix/store/g9rfbmv0zcagqr54jn21wl63xi2x1f0a_hello")]
    [InlineData("/nix/store/g9rfbmv0zcagqr54jn21wl63xi2x1f0a-.hidden")]
    [InlineData("/nix/store/g9rfbmv0zcagqr54jn21wl63xi2x1f0a-hello/bin/hello")]
    [InlineData("/nix/store/g9rfbmv0zcagqr54jn21wl63xi2x1f0a-hello world")]
    public void Rejects_what_is_not_a_store_path(string text)
    {
        Assert.Throws<FormatException>(() => StorePath.Parse(text));
        Assert.False(StorePath.TryParse(text, out var result));
        Assert.Null(result);
    }

    [Fact]
    public void Rejects_names_longer_than_nix_allows()
    {
        Assert.True(StorePath.TryParse($"/nix/store/{Hash}-{new string('a', 211)}", out _));
        Assert.False(StorePath.TryParse($"/nix/store/{Hash}-{new string('a', 212)}", out _));
    }

    [Fact]
    public void TryParse_returns_false_for_null()
    {
        Assert.False(StorePath.TryParse(null, out var result));
        Assert.Null(result);
    }

    [Fact]
    public void Paths_with_the_same_text_are_equal()
    {
        Assert.Equal(StorePath.Parse($"/nix/store/{Hash}-x"), StorePath.Parse($"/nix/store/{Hash}-x"));
        Assert.NotEqual(StorePath.Parse($"/nix/store/{Hash}-x"), StorePath.Parse($"/nix/store/{Hash}-y"));
    }
}
