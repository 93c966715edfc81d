using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Hydra.Web.Tests.Access;

public sealed class PrivateModeTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    private WebApplicationFactory<Program> Private() =>
        factory.WithWebHostBuilder(builder => builder.UseSetting("Hydra:Access:Private", "true"));

    [Theory]
    [InlineData("/")]
    [InlineData("/project/anything")]
    [InlineData("/machines")]
    [InlineData("/build/1")]
    public async Task Pages_send_visitors_to_the_sign_in_form(string path)
    {
        var client = Private().CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/login?returnUrl={Uri.EscapeDataString(path)}", response.Headers.Location?.ToString());
    }

    [Fact]
    public async Task The_api_answers_visitors_401()
    {
        var client = Private().CreateClient();
        client.DefaultRequestHeaders.Add("Accept", "application/json");

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/jobsets?project=x")).StatusCode);
    }

    [Theory]
    [InlineData("/login")]
    [InlineData("/cache/nix-cache-info")]
    [InlineData("/health")]
    [InlineData("/css/site.css")]
    public async Task Sign_in_the_cache_and_static_files_stay_open(string path)
    {
        var client = Private().CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Webhooks_and_the_worker_protocol_are_not_gated_by_a_session()
    {
        var client = Private().CreateClient();
        // They answer with their own rules (a missing worker token, a push without rights), not the private-mode refusal.
        var push = await client.PostAsync("/api/push?jobsets=a:b", null);
        var claim = await client.PostAsJsonAsync("/api/worker/claim", new { });

        Assert.DoesNotContain("private", await push.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("private", await claim.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signed_in_user_sees_the_pages()
    {
        var app = Private();
        await factory.CreateUserAsync("pia", "pw");
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("Origin", HydraWebFactory.Origin);
        (await client.PostAsJsonAsync("/login", new { username = "pia", password = "pw" })).EnsureSuccessStatusCode();

        var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Projects", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_private_mode_visitors_read_the_pages()
    {
        var response = await factory.CreateClient().GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("/loginx", false)]
    [InlineData("/login", true)]
    [InlineData("/login/github", true)]
    [InlineData("/api/webhook-github", true)]
    [InlineData("/api/pushy", false)]
    [InlineData("/cachex", false)]
    [InlineData("/cache/abc.narinfo", true)]
    public void Public_paths_match_whole_segments(string path, bool expected) =>
        Assert.Equal(expected, Hydra.Web.Auth.AccessGate.IsPublic(path));
}
