using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Hydra.Web.Tests.Access;

public sealed class GitHubLoginTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    [Fact]
    public async Task GitHub_sign_in_creates_a_user_named_by_the_primary_verified_email_and_returns_to_the_page()
    {
        await using var github = await FakeGitHub.StartAsync();
        github.EmailsJson = """
            [{"email":"old@example.org","primary":false,"verified":true},
             {"email":"octo+cat@example.org","primary":true,"verified":true}]
            """;
        var client = Server(github).CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        Assert.Contains("href=\"/login/github?returnUrl=%2Fproject%2Fx\"", await client.GetStringAsync("/login?returnUrl=/project/x"), StringComparison.Ordinal);

        var callback = await SignInAsync(client, "/project/x");

        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/project/x", callback.Headers.Location?.OriginalString);
        Assert.Empty(github.Problems);
        Assert.Equal(["authorize", "token", "emails"], github.Calls);
        var me = await client.GetFromJsonAsync<JsonElement>("/current-user");
        Assert.Equal("octo+cat@example.org", me.GetProperty("username").GetString());
        Assert.Empty(me.GetProperty("userroles").EnumerateArray());

        // The user has no password: the password form cannot sign in as it.
        var password = factory.CreateClient();
        password.DefaultRequestHeaders.Add("Origin", HydraWebFactory.Origin);
        Assert.Equal(HttpStatusCode.Forbidden, (await password.PostAsJsonAsync("/login", new { username = "octo+cat@example.org", password = "" })).StatusCode);
    }

    [Fact]
    public async Task An_account_without_a_verified_primary_email_is_sent_back_to_the_form_with_the_reason()
    {
        await using var github = await FakeGitHub.StartAsync();
        github.EmailsJson = """[{"email":"unverified@example.org","primary":true,"verified":false}]""";
        var client = Server(github).CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var callback = await SignInAsync(client, "/");

        Assert.Equal("/login?error=github", callback.Headers.Location?.OriginalString);
        Assert.Contains("verified primary email", await client.GetStringAsync("/login?error=github"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/current-user")).StatusCode);
    }

    [Fact]
    public async Task A_callback_with_a_forged_state_signs_nobody_in()
    {
        await using var github = await FakeGitHub.StartAsync();
        github.EmailsJson = """[{"email":"victim@example.org","primary":true,"verified":true}]""";
        var client = Server(github).CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var callback = await client.GetAsync("/login/github/callback?code=fake-code-123&state=forged");

        Assert.Equal("/login?error=github", callback.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/current-user")).StatusCode);
        Assert.DoesNotContain("token", github.Calls);
    }

    [Fact]
    public async Task Without_a_client_id_there_is_no_GitHub_sign_in()
    {
        var client = factory.CreateClient();
        Assert.DoesNotContain("/login/github", await client.GetStringAsync("/login"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/login/github")).StatusCode);
    }

    /// <summary>Starts the flow, lets the fake GitHub approve it as a browser would, and follows the redirect back.</summary>
    private static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string returnUrl)
    {
        var start = await client.GetAsync($"/login/github?returnUrl={Uri.EscapeDataString(returnUrl)}");
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var approved = await browser.GetAsync(start.Headers.Location);
        Assert.Equal(HttpStatusCode.Redirect, approved.StatusCode);
        return await client.GetAsync(approved.Headers.Location!.PathAndQuery);
    }

    private WebApplicationFactory<Program> Server(FakeGitHub github) => factory.WithWebHostBuilder(builder => builder
        .UseSetting("Hydra:Access:GitHubClientId", FakeGitHub.ClientId)
        .UseSetting("Hydra:Access:GitHubClientSecret", FakeGitHub.ClientSecret)
        .UseSetting("Hydra:Access:GitHubAuthorizeUrl", github.Url + "/login/oauth/authorize")
        .UseSetting("Hydra:Access:GitHubTokenUrl", github.Url + "/login/oauth/access_token")
        .UseSetting("Hydra:Access:GitHubApiUrl", github.Url));
}
