using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Tests.Access;

public sealed class ApiTokenTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    [Fact]
    public async Task A_token_created_on_the_page_is_shown_once_stored_hashed_and_signs_in_scripts()
    {
        var browser = await FormPosts.ClientAsync(factory, "tina", "create-projects");
        var page = await browser.GetStringAsync("/user/tokens");
        Assert.Contains("No tokens yet", page, StringComparison.Ordinal);

        var created = await browser.PostAsync("/user/tokens", FormPosts.Form(FormPosts.Token(page), ("description", "release script")));
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.True(created.Headers.CacheControl?.NoStore);
        var html = await created.Content.ReadAsStringAsync();
        var token = System.Text.RegularExpressions.Regex.Match(html, "id=\"new-token\">(hydra_pat_[A-Za-z0-9_-]+)<").Groups[1].Value;
        Assert.NotEmpty(token);

        // Listed without the secret; only its SHA-256 is in the database.
        var listing = await browser.GetStringAsync("/user/tokens");
        Assert.Contains("release script", listing, StringComparison.Ordinal);
        Assert.DoesNotContain(token, listing, StringComparison.Ordinal);
        await factory.WithDbAsync(async db =>
        {
            var stored = await db.Database.SqlQueryRaw<byte[]>("SELECT token_hash AS \"Value\" FROM api_tokens WHERE user_name = 'tina'").SingleAsync();
            Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(token)), stored);
        });

        // A script: no cookie, no Origin header, just the token; it acts with the user's roles.
        var script = factory.JsonClient();
        script.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var me = await script.GetFromJsonAsync<JsonElement>("/current-user");
        Assert.Equal("tina", me.GetProperty("username").GetString());
        var put = await script.PutAsJsonAsync("/project/tokenmade", new { displayname = "Made by a token", enabled = true, visible = true });
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    [Fact]
    public async Task A_revoked_token_is_refused_with_401()
    {
        var browser = await FormPosts.ClientAsync(factory, "rita");
        var created = await browser.PostAsJsonAsync("/user/tokens", new { description = "ci" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var token = body.GetProperty("token").GetString()!;
        var id = body.GetProperty("id").GetInt64();

        var script = factory.JsonClient();
        script.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await script.GetAsync("/current-user")).StatusCode);

        var revoked = await browser.PostAsync($"/user/tokens/{id}/revoke", JsonContent.Create(new { }));
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);

        var refused = await script.GetAsync("/");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("revoked", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_user_cannot_revoke_another_users_token()
    {
        var owner = await FormPosts.ClientAsync(factory, "olga");
        var id = (await (await owner.PostAsJsonAsync("/user/tokens", new { description = "mine" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        var other = await FormPosts.ClientAsync(factory, "oscar");
        var response = await other.PostAsync($"/user/tokens/{id}/revoke", JsonContent.Create(new { }));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("mine", await owner.GetStringAsync("/user/tokens"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Creating_a_token_needs_a_session_and_a_form_needs_its_antiforgery_token()
    {
        var visitor = factory.CreateClient();
        visitor.DefaultRequestHeaders.Add("Origin", HydraWebFactory.Origin);
        Assert.Equal(HttpStatusCode.Forbidden, (await visitor.PostAsJsonAsync("/user/tokens", new { description = "x" })).StatusCode);

        var browser = await FormPosts.ClientAsync(factory, "fred");
        var forged = await browser.PostAsync("/user/tokens", new FormUrlEncodedContent(new Dictionary<string, string> { ["description"] = "x" }));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
    }

    [Fact]
    public async Task A_bearer_token_that_is_not_a_personal_token_leaves_the_request_anonymous()
    {
        var client = factory.JsonClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "some-worker-token");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/current-user")).StatusCode);
    }
}
