using Hydra.Web.Api.Push;

namespace Hydra.Web.Tests.Webhooks;

public sealed class RepositoryJobsetsTests
{
    [Fact]
    public void Like_patterns_escape_the_wildcards() =>
        Assert.Equal(@"%a\_b/c\%d\\e%", RepositoryJobsets.LikePattern(@"github.com/a_b/c%d\e"));
}
