using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Hydra.Web.Tests;

public sealed class AuthTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    [Fact]
    public async Task Login_with_bad_password_is_403_with_error_json()
    {
        await factory.CreateUserAsync("bob", "right-password");
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("Origin", HydraWebFactory.Origin);

        var response = await client.PostAsJsonAsync("/login", new { username = "bob", password = "wrong" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error").GetString()));
    }

    [Fact]
    public async Task Login_with_good_password_returns_the_user_and_a_session_cookie()
    {
        await factory.CreateUserAsync("carol", "s3cret", "admin", "create-projects");
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("Origin", HydraWebFactory.Origin);

        var response = await client.PostAsJsonAsync("/login", new { username = "carol", password = "s3cret" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var user = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("carol", user.GetProperty("username").GetString());
        Assert.Equal(["admin", "create-projects"], user.GetProperty("userroles").EnumerateArray().Select(r => r.GetString()));
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("hydra_session=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);

        var current = await client.GetFromJsonAsync<JsonElement>("/current-user");
        Assert.Equal("carol", current.GetProperty("username").GetString());
    }

    [Fact]
    public async Task Json_login_without_same_origin_header_is_refused()
    {
        await factory.CreateUserAsync("dave", "pw");
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("Origin", "http://evil.example");

        var response = await client.PostAsJsonAsync("/login", new { username = "dave", password = "pw" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Current_user_without_session_is_401()
    {
        var response = await factory.JsonClient().GetAsync("/current-user");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Login_form_carries_an_antiforgery_token_and_a_form_post_without_it_is_rejected()
    {
        var client = factory.CreateClient();
        var page = await client.GetStringAsync("/login");
        Assert.Contains("__RequestVerificationToken", page, StringComparison.Ordinal);

        var response = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = "nobody", ["password"] = "x",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Put_project_without_login_is_refused()
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("Origin", HydraWebFactory.Origin);

        var response = await client.PutAsJsonAsync("/project/anon", new { displayname = "Anon" });

        Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized, response.StatusCode.ToString());
    }
}
