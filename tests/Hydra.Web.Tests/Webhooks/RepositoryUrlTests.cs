using Hydra.Web.Api.Push;

namespace Hydra.Web.Tests.Webhooks;

public sealed class RepositoryUrlTests
{
    [Theory]
    [InlineData("https://github.com/Acme/Widget.git", "github.com/acme/widget")]
    [InlineData("https://github.com/acme/widget/", "github.com/acme/widget")]
    [InlineData("http://github.com/acme/widget", "github.com/acme/widget")]
    [InlineData("ssh://git@github.com:22/acme/widget.git", "github.com/acme/widget")]
    [InlineData("git@github.com:acme/widget.git", "github.com/acme/widget")]
    [InlineData("github.com:acme/widget", "github.com/acme/widget")]
    [InlineData("git+https://github.com/acme/widget?ref=main&rev=abc", "github.com/acme/widget")]
    [InlineData("git+ssh://git@github.com/acme/widget.git", "github.com/acme/widget")]
    [InlineData("github:acme/widget", "github.com/acme/widget")]
    [InlineData("github:acme/widget/main?dir=sub", "github.com/acme/widget")]
    [InlineData("gitlab:group/widget", "gitlab.com/group/widget")]
    [InlineData("https://gitlab.example.org/group/sub/widget.git", "gitlab.example.org/group/sub/widget")]
    public void Every_way_to_write_a_repository_gives_one_key(string url, string key) => Assert.Equal(key, RepositoryUrl.Key(url));

    [Theory]
    [InlineData("")]
    [InlineData("/srv/git/widget")]
    [InlineData("https://")]
    [InlineData("github:acme")]
    public void What_names_no_repository_gives_no_key(string url) => Assert.Null(RepositoryUrl.Key(url));

    [Fact]
    public void Like_patterns_escape_the_wildcards() =>
        Assert.Equal(@"%a\_b/c\%d\\e%", RepositoryUrl.LikePattern(@"github.com/a_b/c%d\e"));
}
