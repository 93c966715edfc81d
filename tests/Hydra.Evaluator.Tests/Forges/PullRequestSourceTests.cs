using Hydra.Evaluator.Forges;
using Hydra.Evaluator.Inputs;

namespace Hydra.Evaluator.Tests.Forges;

public sealed class PullRequestSourceTests
{
    [Theory]
    [InlineData("github NixOS/nix", "github", "NixOS/nix", null)]
    [InlineData(" gitea  acme/widget  src ", "gitea", "acme/widget", "src")]
    [InlineData("gitlab group/sub/project", "gitlab", "group/sub/project", null)]
    public void A_pullrequests_value_names_the_forge_the_repository_and_the_input(string value, string forge, string repository, string? input)
    {
        Assert.Null(InputValueRules.Check(PullRequestSource.InputType, value));
        Assert.Equal(new PullRequestSource(forge, repository, input), PullRequestSource.TryParse(value));
    }

    [Theory]
    [InlineData("")]
    [InlineData("github")]
    [InlineData("bitbucket acme/widget")]
    [InlineData("github acme")]
    [InlineData("github acme/widget/extra")]
    [InlineData("github ../widget")]
    [InlineData("github acme/wid get src extra")]
    [InlineData("github acme/%2e%2e")]
    public void Anything_else_is_refused(string value)
    {
        Assert.NotNull(InputValueRules.Check(PullRequestSource.InputType, value));
        Assert.Null(PullRequestSource.TryParse(value));
    }

    [Fact]
    public void Pull_requests_live_under_each_forges_own_ref()
    {
        Assert.Equal("refs/pull/12/head", PullRequestSource.TryParse("github a/b")!.HeadRef(12));
        Assert.Equal("refs/pull/12/head", PullRequestSource.TryParse("gitea a/b")!.HeadRef(12));
        Assert.Equal("refs/merge-requests/12/head", PullRequestSource.TryParse("gitlab a/b")!.HeadRef(12));
    }

    [Fact]
    public void A_followed_git_input_keeps_its_options_at_the_pull_requests_ref() =>
        Assert.Equal("https://example.org/r.git refs/pull/3/head deepClone=true submodules=true",
            PullRequestJobsets.AtRef("https://example.org/r.git main deepClone=true submodules=true", "refs/pull/3/head"));

    [Theory]
    [InlineData("github:acme/widget", "git+https://github.com/acme/widget?ref=refs/pull/3/head")]
    [InlineData("github:acme/widget/main", "git+https://github.com/acme/widget?ref=refs/pull/3/head")]
    [InlineData("git+https://example.org/r.git?ref=main&rev=abc&dir=sub", "git+https://example.org/r.git?dir=sub&ref=refs/pull/3/head")]
    [InlineData("git+file:///srv/r", "git+file:///srv/r?ref=refs/pull/3/head")]
    [InlineData("path:/srv/r", null)]
    [InlineData("https://example.org/r.tar.gz", null)]
    public void A_flake_follows_a_pull_request_through_git(string flake, string? expected) =>
        Assert.Equal(expected, PullRequestFlake.WithRef(flake, "refs/pull/3/head"));
}
