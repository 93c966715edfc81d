using Hydra.Builder.Nix;

namespace Hydra.Builder.Tests.Execution;

public sealed class NixEnvironmentTests
{
    [Fact]
    public void Sets_NIX_REMOTE_only_when_unset()
    {
        Assert.Equal("local", NixEnvironment.Overrides([], _ => null)["NIX_REMOTE"]);
        Assert.False(NixEnvironment.Overrides([], n => n == "NIX_REMOTE" ? "daemon" : null).ContainsKey("NIX_REMOTE"));
    }

    [Fact]
    public void Appends_our_lines_after_the_users_NIX_CONFIG()
    {
        var config = NixEnvironment.Overrides(["netrc-file = /w/netrc"], n => n == "NIX_CONFIG" ? "substituters =\nsandbox = false\n" : null)["NIX_CONFIG"];

        Assert.Equal("substituters =\nsandbox = false\nextra-experimental-features = nix-command\nnarinfo-cache-positive-ttl = 0\nnarinfo-cache-negative-ttl = 0\nnetrc-file = /w/netrc\n", config);
    }
}
