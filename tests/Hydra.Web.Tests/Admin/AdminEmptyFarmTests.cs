using System.Net;

namespace Hydra.Web.Tests.Admin;

/// <summary>The admin page of a farm with nothing in it; a class of its own, so no other test's data shows.</summary>
public sealed class AdminEmptyFarmTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    [Fact]
    public async Task An_empty_farm_says_so_and_clearing_the_cache_needs_the_admin_role_and_the_form_token()
    {
        var admin = await FormPosts.ClientAsync(factory, "root2", "admin");
        var page = await admin.GetStringAsync("/admin");
        Assert.Contains("No jobset failed its last evaluation.", page, StringComparison.Ordinal);
        // There is nothing to clear, so no button.
        Assert.DoesNotContain("Clear failure cache", page, StringComparison.Ordinal);

        var forged = await admin.PostAsync("/api/clear-failed-cache", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);

        var other = await FormPosts.ClientAsync(factory, "dev", "restart-jobs");
        var refused = await other.PostAsync("/api/clear-failed-cache", FormPosts.Form(FormPosts.Token(await other.GetStringAsync("/"))));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("needs the admin role", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
