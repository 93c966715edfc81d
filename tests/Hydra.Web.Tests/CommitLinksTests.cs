using Hydra.Web.Pages.Shared;

namespace Hydra.Web.Tests;

public sealed class CommitLinksTests
{
    private const string Rev = "0123456789abcdef0123456789abcdef01234567";

    [Theory]
    [InlineData("git", "https://github.com/NixOS/nixpkgs.git", "https://github.com/NixOS/nixpkgs/commit/" + Rev)]
    [InlineData("git", "https://gitlab.example.org/group/sub/repo main", "https://gitlab.example.org/group/sub/repo/commit/" + Rev)]
    [InlineData("git", "http://gitea.local:3000/o/r/", "http://gitea.local:3000/o/r/commit/" + Rev)]
    [InlineData("git", "git@github.com:o/r.git", null)]
    [InlineData("git", "file:///srv/repo", null)]
    [InlineData("git", "https://user:secret@example.org/r.git", null)]
    [InlineData("git", "javascript:alert(1)", null)]
    [InlineData("git", "https://example.org/", null)]
    [InlineData("path", "https://example.org/r", null)]
    public void Links_only_git_repositories_over_http(string type, string uri, string? expected)
    {
        Assert.Equal(expected, CommitLinks.For(type, uri, Rev));
    }

    [Fact]
    public void A_revision_that_is_not_a_commit_id_is_not_linked()
    {
        Assert.Null(CommitLinks.For("git", "https://github.com/o/r", "main\"><script>"));
    }
}
