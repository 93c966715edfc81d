using Hydra.Builder.NixSupport;

namespace Hydra.Builder.Tests.NixSupport;

public sealed class ProductLineTests
{
    [Theory]
    [InlineData("file binary-dist /nix/store/aaa-x/hello.tar.gz", "file", "binary-dist", "/nix/store/aaa-x/hello.tar.gz", "")]
    [InlineData("  doc manual /nix/store/aaa-x/share/doc index.html  ", "doc", "manual", "/nix/store/aaa-x/share/doc", "index.html")]
    [InlineData("file iso \"/nix/store/aaa-x/my image.iso\"", "file", "iso", "/nix/store/aaa-x/my image.iso", "")]
    [InlineData("file\tbinary-dist\t/nix/store/aaa-x/a", "file", "binary-dist", "/nix/store/aaa-x/a", "")]
    public void Parses_hydras_grammar(string line, string type, string subtype, string path, string defaultPath)
    {
        Assert.Equal(new ProductLine(type, subtype, path, defaultPath), ProductLine.TryParse(line));
    }

    [Theory]
    [InlineData("")]
    [InlineData("file binary-dist")]
    [InlineData("file <script> /nix/store/aaa-x/a")]
    [InlineData("fi'le binary-dist /nix/store/aaa-x/a")]
    [InlineData("file binary-dist /nix/store/aaa-x/<a>")]
    [InlineData("file binary-dist \"/nix/store/aaa-x/unterminated")]
    [InlineData("file binary-dist /nix/store/aaa-x/a b c")]
    [InlineData("file binary-dist /nix/store/aaa-x/a \"quoted default\"")]
    public void Rejects_lines_outside_the_grammar(string line)
    {
        Assert.Null(ProductLine.TryParse(line));
    }
}
