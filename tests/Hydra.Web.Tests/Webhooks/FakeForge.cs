using System.Collections.Concurrent;
using System.Text.Json;
using Hydra.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Hydra.Web.Tests.Webhooks;

/// <summary>
/// GitHub's, Gitea's and GitLab's pull-request listings on 127.0.0.1, two per page with a <c>Link</c> header to the
/// next, checking every request: the path, <c>state</c>, the token in the forge's own header, <c>Accept</c> and
/// <c>User-Agent</c>.
/// </summary>
internal sealed class FakeForge : IAsyncDisposable
{
    public const string Token = "forge-token-42";
    private const int PageSize = 2;

    private readonly WebApplication _app;

    private FakeForge(WebApplication app) => _app = app;

    /// <summary>The open pull requests per repository path (owner/repo): number and head.</summary>
    public ConcurrentDictionary<string, (int Number, string Head)[]> Open { get; } = new();

    /// <summary>Problems with the requests; empty when every one was as the forge wants it.</summary>
    public ConcurrentQueue<string> Problems { get; } = new();

    /// <summary>Each request's path and query, in order.</summary>
    public ConcurrentQueue<string> Calls { get; } = new();

    public string Url => _app.Address();

    public static async Task<FakeForge> StartAsync()
    {
        var app = LoopbackApp.Create();
        var fake = new FakeForge(app);
        app.MapGet("/github/repos/{owner}/{repo}/pulls", (HttpRequest request, string owner, string repo) =>
        {
            fake.Expect(request.Headers.Authorization == $"Bearer {Token}", "github: Authorization: Bearer token");
            fake.Expect(request.Headers.Accept.ToString().Contains("application/vnd.github+json", StringComparison.Ordinal), "github: Accept");
            fake.Expect(request.Headers["X-GitHub-Api-Version"].Count == 1, "github: X-GitHub-Api-Version");
            fake.Expect(request.Query["state"] == "open", "github: state=open");
            return fake.Page(request, $"{owner}/{repo}", n => new { number = n.Number, title = $"PR {n.Number}", state = "open", head = new { sha = n.Head } });
        });
        app.MapGet("/gitea/repos/{owner}/{repo}/pulls", (HttpRequest request, string owner, string repo) =>
        {
            fake.Expect(request.Headers.Authorization == $"token {Token}", "gitea: Authorization: token");
            fake.Expect(request.Query["state"] == "open", "gitea: state=open");
            return fake.Page(request, $"{owner}/{repo}", n => new { number = n.Number, title = $"PR {n.Number}", state = "open", head = new { sha = n.Head } });
        });
        app.MapGet("/gitlab/projects/{id}/merge_requests", (HttpRequest request, string id) =>
        {
            fake.Expect(request.Headers["PRIVATE-TOKEN"] == Token, "gitlab: PRIVATE-TOKEN");
            fake.Expect(request.Headers.Authorization.Count == 0, "gitlab: no Authorization header");
            fake.Expect(request.Query["state"] == "opened", "gitlab: state=opened");
            return fake.Page(request, Uri.UnescapeDataString(id), n => new { iid = n.Number, title = $"MR {n.Number}", state = "opened", sha = n.Head });
        });
        app.MapFallback((HttpRequest request) =>
        {
            fake.Problems.Enqueue($"unexpected request {request.Method} {request.Path}{request.QueryString}");
            return Results.NotFound();
        });
        await app.StartAsync();
        return fake;
    }

    private IResult Page(HttpRequest request, string repository, Func<(int Number, string Head), object> shape)
    {
        Calls.Enqueue($"{request.Path}{request.QueryString}");
        Expect(request.Headers.UserAgent.Count > 0, "User-Agent");
        if (!Open.TryGetValue(repository, out var open))
        {
            return Results.NotFound();
        }
        var page = int.TryParse(request.Query["page"], out var p) ? p : 1;
        var items = open.Skip((page - 1) * PageSize).Take(PageSize).Select(shape).ToList();
        if (page * PageSize < open.Length)
        {
            var query = string.Join('&', request.Query.Where(q => q.Key != "page").Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value.ToString())}"));
            var next = $"{Url}{request.Path}?{query}&page={page + 1}";
            request.HttpContext.Response.Headers.Append("Link", $"<{next}>; rel=\"next\", <{Url}{request.Path}?{query}&page=1>; rel=\"first\"");
        }
        return Results.Text(JsonSerializer.Serialize(items), "application/json");
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
