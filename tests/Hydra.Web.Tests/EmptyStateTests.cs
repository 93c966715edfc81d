namespace Hydra.Web.Tests;

public sealed class EmptyStateTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    [Fact]
    public async Task Overview_without_projects_explains_how_to_create_one()
    {
        var html = await factory.CreateClient().GetStringAsync("/");

        Assert.Contains("No projects yet", html, StringComparison.Ordinal);
        Assert.Contains("./dev.sh up", html, StringComparison.Ordinal);
        Assert.Contains("PUT", html, StringComparison.Ordinal);
    }
}
