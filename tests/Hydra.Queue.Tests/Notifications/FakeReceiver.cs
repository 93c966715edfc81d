using System.Collections.Concurrent;
using Hydra.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Hydra.Queue.Tests.Notifications;

/// <summary>
/// A local HTTP server (Kestrel on a free loopback port) standing in for a webhook receiver or a forge's API:
/// it records every request (method, path, headers, body) and answers what <see cref="Reply"/> says.
/// </summary>
internal sealed class FakeReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>The answer to the n-th request (1-based): a status code and response headers.</summary>
    public Func<RecordedRequest, int, (int Status, Dictionary<string, string>? Headers)> Reply { get; set; } = (_, _) => (200, null);

    public string Url => _app.Address();

    public static async Task<FakeReceiver> StartAsync()
    {
        var app = LoopbackApp.Create();
        var receiver = new FakeReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        return receiver;
    }

    private async Task HandleAsync(HttpContext http)
    {
        using var body = new StreamReader(http.Request.Body);
        var request = new RecordedRequest(
            http.Request.Method,
            // The target as sent, not decoded: forges' URLs carry escaped parts (GitLab's project path).
            http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget,
            http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            await body.ReadToEndAsync());
        Requests.Enqueue(request);
        var (status, headers) = Reply(request, Requests.Count);
        http.Response.StatusCode = status;
        foreach (var (name, value) in headers ?? [])
        {
            http.Response.Headers[name] = value;
        }
        await http.Response.WriteAsync(status < 300 ? "{}" : "{\"message\":\"no\"}");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One request a <see cref="FakeReceiver"/> got.</summary>
internal sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : "";

    public System.Text.Json.JsonElement Json => System.Text.Json.JsonDocument.Parse(Body).RootElement;
}
