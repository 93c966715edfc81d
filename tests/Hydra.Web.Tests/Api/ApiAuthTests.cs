using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Hydra.Web.Auth;
using Microsoft.Extensions.DependencyInjection;

namespace Hydra.Web.Tests.Api;

/// <summary>
/// Writes through the API: a session cookie needs a same-origin <c>Origin</c> or <c>Referer</c> (Hydra's XSRF
/// rule), a personal API token (<c>Authorization: Bearer</c>) needs neither, and nobody writes anonymously.
/// </summary>
public sealed class ApiAuthTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    private static readonly object Project = new { displayname = "Auth", enabled = true, visible = true };

    [Fact]
    public async Task A_cookie_write_needs_a_same_origin_origin_or_referer()
    {
        await factory.CreateUserAsync("cookie", "pw", "admin");
        var client = factory.CreateClient();
        var login = new HttpRequestMessage(HttpMethod.Post, "/login") { Content = JsonContent.Create(new { username = "cookie", password = "pw" }) };
        login.Headers.Referrer = new Uri(HydraWebFactory.Origin + "/");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(login)).StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(client, HttpMethod.Put, "/project/nohdr")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(client, HttpMethod.Put, "/project/foreign", origin: "http://evil.example")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(client, HttpMethod.Put, "/project/foreignref", referer: "http://evil.example/x")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(client, HttpMethod.Put, "/project/byorigin", origin: HydraWebFactory.Origin)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(client, HttpMethod.Put, "/project/byreferer", referer: HydraWebFactory.Origin + "/project/x")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(client, HttpMethod.Post, "/api/push?jobsets=byorigin:none")).StatusCode);
    }

    [Fact]
    public async Task A_bearer_token_writes_without_origin_and_a_wrong_token_is_refused()
    {
        await factory.CreateUserAsync("script", "pw", "admin");
        string token;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            token = (await scope.ServiceProvider.GetRequiredService<ApiTokens>().CreateAsync("script", "api test", CancellationToken.None)).Token;
        }
        var client = factory.JsonClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        Assert.Equal("script", (await client.GetFromJsonAsync<JsonElement>("/current-user")).GetProperty("username").GetString());
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(client, HttpMethod.Put, "/project/bytoken")).StatusCode);
        // Even a foreign Origin: a browser never attaches the token on its own, so the request cannot be forged.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, HttpMethod.Delete, "/project/bytoken", origin: "http://evil.example")).StatusCode);

        var wrong = factory.JsonClient();
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(wrong, HttpMethod.Put, "/project/bywrongtoken")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(factory.JsonClient(), HttpMethod.Put, "/project/anonymous", origin: HydraWebFactory.Origin)).StatusCode);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string url, string? origin = null, string? referer = null)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Accept.ParseAdd("application/json");
        if (method != HttpMethod.Delete)
        {
            request.Content = JsonContent.Create(Project);
        }
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }
        if (referer is not null)
        {
            request.Headers.Referrer = new Uri(referer);
        }
        return client.SendAsync(request);
    }
}
