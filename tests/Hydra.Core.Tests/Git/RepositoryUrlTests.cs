using Hydra.Core.Git;

namespace Hydra.Core.Tests.Git;

/// <summary>
/// Every form the webhook matcher (keys) and the forge status sinks (origin and path) accept, parsed by the one
/// <see cref="RepositoryUrl"/> both use.
/// </summary>
public sealed class RepositoryUrlTests
{
    [Theory]
    // https, case, .git, trailing slash
    [InlineData("https://github.com/Acme/Widget.git", "github.com", "Acme/Widget", "https://github.com")]
    [InlineData("https://github.com/acme/widget/", "github.com", "acme/widget", "https://github.com")]
    [InlineData("https://github.com/acme/widget.git/", "github.com", "acme/widget", "https://github.com")]
    [InlineData("https://GitHub.com/acme/widget.GIT", "github.com", "acme/widget", "https://github.com")]
    [InlineData("  https://github.com/acme/widget  ", "github.com", "acme/widget", "https://github.com")]
    [InlineData("http://github.com/acme/widget", "github.com", "acme/widget", "http://github.com")]
    [InlineData("https://github.com/octo/widgets.git", "github.com", "octo/widgets", "https://github.com")]
    [InlineData("https://github.com/acme/widget#readme", "github.com", "acme/widget", "https://github.com")]
    [InlineData("https://github.com/acme/my%20widget", "github.com", "acme/my widget", "https://github.com")]
    // ports: kept for the web only when an http(s) URL names a port that is not its default
    [InlineData("https://gitea.example.org:3000/team/site", "gitea.example.org", "team/site", "https://gitea.example.org:3000")]
    [InlineData("https://gitea.example.org:443/team/site", "gitea.example.org", "team/site", "https://gitea.example.org")]
    [InlineData("http://gitea.example.org:8080/team/site", "gitea.example.org", "team/site", "http://gitea.example.org:8080")]
    // ssh:// and git://
    [InlineData("ssh://git@github.com:22/acme/widget.git", "github.com", "acme/widget", "https://github.com")]
    [InlineData("ssh://git@gitlab.example.org/group/sub/project", "gitlab.example.org", "group/sub/project", "https://gitlab.example.org")]
    [InlineData("git://git.example.org/acme/widget", "git.example.org", "acme/widget", "https://git.example.org")]
    // scp-like
    [InlineData("git@github.com:acme/widget.git", "github.com", "acme/widget", "https://github.com")]
    [InlineData("git@github.com:octo/widgets.git", "github.com", "octo/widgets", "https://github.com")]
    [InlineData("github.com:acme/widget", "github.com", "acme/widget", "https://github.com")]
    [InlineData("git@GitHub.com:/acme/widget/", "github.com", "acme/widget", "https://github.com")]
    [InlineData("me@work@host.example.org:acme/widget", "host.example.org", "acme/widget", "https://host.example.org")]
    [InlineData("git@gitlab.example.org:group/sub/project.git", "gitlab.example.org", "group/sub/project", "https://gitlab.example.org")]
    // git+ prefixes and flake queries
    [InlineData("git+https://github.com/acme/widget?ref=main&rev=abc", "github.com", "acme/widget", "https://github.com")]
    [InlineData("git+https://gitea.example.org:3000/team/site?ref=main", "gitea.example.org", "team/site", "https://gitea.example.org:3000")]
    [InlineData("git+ssh://git@github.com/acme/widget.git", "github.com", "acme/widget", "https://github.com")]
    [InlineData("GIT+HTTPS://github.com/acme/widget", "github.com", "acme/widget", "https://github.com")]
    // flake shorthands
    [InlineData("github:acme/widget", "github.com", "acme/widget", "https://github.com")]
    [InlineData("github:acme/widget/main?dir=sub", "github.com", "acme/widget", "https://github.com")]
    [InlineData("github:octo/widgets/0123456789abcdef0123456789abcdef01234567", "github.com", "octo/widgets", "https://github.com")]
    [InlineData("GitHub:acme/widget", "github.com", "acme/widget", "https://github.com")]
    [InlineData("gitlab:group/widget", "gitlab.com", "group/widget", "https://gitlab.com")]
    [InlineData("gitlab:group%2Fsub/widget/main", "gitlab.com", "group/sub/widget", "https://gitlab.com")]
    // GitLab subgroups
    [InlineData("https://gitlab.example.org/group/sub/widget.git", "gitlab.example.org", "group/sub/widget", "https://gitlab.example.org")]
    // a path of one part is still a repository (the forge sinks ask for an owner themselves)
    [InlineData("https://git.example.org/widget", "git.example.org", "widget", "https://git.example.org")]
    public void Every_way_to_write_a_repository_gives_its_host_path_and_origin(string url, string host, string path, string origin)
    {
        var parsed = RepositoryUrl.Parse(url);

        Assert.Equal(new RepositoryUrl(host, path, origin), parsed);
        Assert.Equal($"{host}/{path}".ToLowerInvariant(), parsed!.Key);
    }

    [Theory]
    [InlineData("https://github.com/Acme/Widget.git")]
    [InlineData("git@github.com:acme/widget")]
    [InlineData("ssh://git@github.com:22/ACME/widget/")]
    [InlineData("git+https://github.com/acme/widget?ref=main")]
    [InlineData("github:Acme/Widget/main")]
    public void Every_way_to_write_one_repository_gives_one_key(string url) =>
        Assert.Equal("github.com/acme/widget", RepositoryUrl.Parse(url)?.Key);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("/srv/git/widget")]
    [InlineData("./widget:main")]
    [InlineData("file:///srv/git/widget")]
    [InlineData("git+file:///srv/git/widget")]
    [InlineData("https://")]
    [InlineData("https://github.com")]
    [InlineData("https://github.com/")]
    [InlineData("git@github.com:")]
    [InlineData("github:acme")]
    [InlineData("gitlab:")]
    public void What_names_no_repository_gives_nothing(string? url) => Assert.Null(RepositoryUrl.Parse(url));
}
