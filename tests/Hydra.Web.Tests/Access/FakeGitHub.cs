using System.Collections.Concurrent;
using Hydra.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Hydra.Web.Tests.Access;

/// <summary>
/// GitHub's OAuth endpoints on 127.0.0.1, checking what the server sends: the authorize redirect (client id,
/// scope, state, callback URL), the code exchange (secret, code) and the emails call (the access token).
/// </summary>
internal sealed class FakeGitHub : IAsyncDisposable
{
    public const string ClientId = "fake-client-id";
    public const string ClientSecret = "fake-client-secret";
    private const string Code = "fake-code-123";
    private const string AccessToken = "gho_fake_token";

    private readonly WebApplication _app;

    private FakeGitHub(WebApplication app) => _app = app;

    /// <summary>What <c>/user/emails</c> answers.</summary>
    public string EmailsJson { get; set; } = "[]";

    /// <summary>Problems with the requests the server made; empty when all were as GitHub wants them.</summary>
    public ConcurrentQueue<string> Problems { get; } = new();

    public ConcurrentQueue<string> Calls { get; } = new();

    public string Url => _app.Address();

    public static async Task<FakeGitHub> StartAsync()
    {
        var app = LoopbackApp.Create();
        var fake = new FakeGitHub(app);
        app.MapGet("/login/oauth/authorize", (HttpRequest request) =>
        {
            fake.Calls.Enqueue("authorize");
            fake.Expect(request.Query["client_id"] == ClientId, "authorize: client_id");
            fake.Expect(request.Query["response_type"] == "code", "authorize: response_type");
            fake.Expect(request.Query["scope"].ToString().Split(' ').Contains("user:email"), "authorize: scope user:email");
            fake.Expect(!string.IsNullOrEmpty(request.Query["state"]), "authorize: state");
            var callback = request.Query["redirect_uri"].ToString();
            fake.Expect(callback.EndsWith("/login/github/callback", StringComparison.Ordinal), $"authorize: redirect_uri {callback}");
            return Results.Redirect($"{callback}?code={Code}&state={Uri.EscapeDataString(request.Query["state"]!)}");
        });
        app.MapPost("/login/oauth/access_token", async (HttpRequest request) =>
        {
            fake.Calls.Enqueue("token");
            var form = await request.ReadFormAsync();
            // ASP.NET Core sends the client credentials in the form (client_secret_post).
            fake.Expect(form["client_id"] == ClientId && form["client_secret"] == ClientSecret, "token: client credentials");
            fake.Expect(form["code"] == Code, "token: code");
            fake.Expect(form["grant_type"] == "authorization_code", "token: grant_type");
            return Results.Json(new { access_token = AccessToken, token_type = "bearer", scope = "user:email" });
        });
        app.MapGet("/user/emails", (HttpRequest request) =>
        {
            fake.Calls.Enqueue("emails");
            fake.Expect(request.Headers.Authorization == $"Bearer {AccessToken}", "emails: access token");
            fake.Expect(request.Headers.UserAgent.Count > 0, "emails: User-Agent (GitHub refuses requests without one)");
            return Results.Text(fake.EmailsJson, "application/json");
        });
        await app.StartAsync();
        return fake;
    }

    private void Expect(bool condition, string what)
    {
        if (!condition)
        {
            Problems.Enqueue(what);
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
