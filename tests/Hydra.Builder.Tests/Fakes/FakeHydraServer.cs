using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using Hydra.Core.Protocol;
using Hydra.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Hydra.Builder.Tests.Fakes;

/// <summary>
/// The worker endpoints of a Hydra server, in memory, plus a tiny binary cache (GET/HEAD/PUT of files in a temp
/// directory) under <c>/cache</c>. Steps to hand out are queued with <see cref="Enqueue"/>.
/// </summary>
public sealed class FakeHydraServer : IAsyncDisposable
{
    public const string Token = "worker-secret-token";

    /// <summary>A well-formed Ed25519 public key; nothing is signed in these tests.</summary>
    public static readonly string PublicKey = "fake-cache-1:" + Convert.ToBase64String(new byte[32]);

    private readonly WebApplication _app;
    private readonly DirectoryInfo _cacheDirectory;
    private readonly Channel<ClaimResponse> _claims = Channel.CreateUnbounded<ClaimResponse>();
    private readonly ConcurrentDictionary<long, StringBuilder> _logs = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource<FinishRequest>> _finishes = new();

    private FakeHydraServer(WebApplication app, DirectoryInfo cacheDirectory)
    {
        _app = app;
        _cacheDirectory = cacheDirectory;
    }

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Attempts whose heartbeats answer 409, as if the lease had expired.</summary>
    public ConcurrentDictionary<long, bool> RevokedAttempts { get; } = new();

    /// <summary>Attempts whose heartbeats answer <c>Cancel</c>, as for a cancelled step.</summary>
    public ConcurrentDictionary<long, bool> CancelledAttempts { get; } = new();

    /// <summary>Authorization headers of every PUT to the cache, by path.</summary>
    public ConcurrentDictionary<string, string?> CacheUploads { get; } = new();

    /// <summary>Paths asked about with HEAD in the cache, in order.</summary>
    public ConcurrentQueue<string> CacheHeads { get; } = new();

    /// <summary>Worker-protocol calls in the order they arrived: "info", "release", "claim".</summary>
    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>The attempt of every log batch posted on its own, in order.</summary>
    public ConcurrentQueue<long> LogPosts { get; } = new();

    /// <summary>Every claim request as the worker sent it.</summary>
    public ConcurrentQueue<ClaimRequest> ClaimRequests { get; } = new();

    /// <summary>What the info call says about the log's last batch coming with the report (as the real server does); set before the worker starts.</summary>
    public bool FinishTakesLog { get; set; } = true;

    /// <summary>What the release call answers: attempts of the worker's previous run given back.</summary>
    public int ReleasedAttempts { get; set; }

    private int _failingClaims;

    /// <summary>The next <paramref name="count"/> claims answer 503, as a server that is down or restarting.</summary>
    public void FailClaims(int count) => Interlocked.Exchange(ref _failingClaims, count);

    public static async Task<FakeHydraServer> StartAsync()
    {
        var server = new FakeHydraServer(LoopbackApp.Create(), Directory.CreateTempSubdirectory("hydra-fake-cache-"));
        server.MapWorkerEndpoints();
        server.MapCache();
        await server._app.StartAsync();
        server.BaseUrl = new Uri(server._app.Address());
        File.WriteAllText(Path.Combine(server._cacheDirectory.FullName, "nix-cache-info"), "StoreDir: /nix/store\nWantMassQuery: 1\nPriority: 30\n");
        return server;
    }

    public void Enqueue(ClaimResponse claim) => _claims.Writer.TryWrite(claim);

    public Task<FinishRequest> WaitForFinishAsync(long attemptId, TimeSpan timeout) => FinishOf(attemptId).Task.WaitAsync(timeout);

    public bool HasFinished(long attemptId) => FinishOf(attemptId).Task.IsCompleted;

    public string LogOf(long attemptId)
    {
        var log = _logs.GetOrAdd(attemptId, _ => new StringBuilder());
        lock (log)
        {
            return log.ToString();
        }
    }

    public string CacheText(string relativePath) => File.ReadAllText(Path.Combine(_cacheDirectory.FullName, relativePath));

    public bool CacheHasFile(string relativePath) => File.Exists(Path.Combine(_cacheDirectory.FullName, relativePath));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _cacheDirectory.Delete(recursive: true);
    }

    private TaskCompletionSource<FinishRequest> FinishOf(long attemptId) =>
        _finishes.GetOrAdd(attemptId, _ => new TaskCompletionSource<FinishRequest>(TaskCreationOptions.RunContinuationsAsynchronously));

    private void MapWorkerEndpoints()
    {
        var api = _app.MapGroup("/api/worker").AddEndpointFilter(async (context, next) =>
            context.HttpContext.Request.Headers.Authorization == $"Bearer {Token}" ? await next(context) : Results.Unauthorized());

        api.MapGet("/info", () =>
        {
            Calls.Enqueue("info");
            return new WorkerInfo("fake-worker", new Uri(BaseUrl, WorkerProtocol.CachePath).ToString(), PublicKey, 1, FinishTakesLog);
        });

        api.MapPost("/release", () =>
        {
            Calls.Enqueue("release");
            return new ReleaseResponse(ReleasedAttempts);
        });

        api.MapPost("/claim", async (ClaimRequest request, CancellationToken cancellationToken) =>
        {
            Calls.Enqueue("claim");
            ClaimRequests.Enqueue(request);
            if (Interlocked.Decrement(ref _failingClaims) >= 0)
            {
                return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            }

            // Hold the poll briefly, like the real server, so an idle worker does not spin.
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(TimeSpan.FromMilliseconds(200));
            try
            {
                return Results.Json(await _claims.Reader.ReadAsync(wait.Token));
            }
            catch (OperationCanceledException)
            {
                return Results.NoContent();
            }
        });

        api.MapPost("/attempts/{attemptId:long}/heartbeat", (long attemptId, HeartbeatRequest request) =>
            RevokedAttempts.ContainsKey(attemptId)
                ? Results.Conflict()
                : Results.Json(new HeartbeatResponse(DateTimeOffset.UtcNow.AddMinutes(1), Cancel: CancelledAttempts.ContainsKey(attemptId))));

        api.MapPost("/attempts/{attemptId:long}/log", async (long attemptId, HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            AppendLog(attemptId, await reader.ReadToEndAsync());
            LogPosts.Enqueue(attemptId);
            return Results.Ok();
        });

        api.MapPost("/attempts/{attemptId:long}/finish", (long attemptId, FinishRequest request) =>
        {
            if (FinishTakesLog && request.Log is { } tail)
            {
                AppendLog(attemptId, tail);
            }

            FinishOf(attemptId).TrySetResult(request);
            return Results.Ok();
        });
    }

    private void AppendLog(long attemptId, string text)
    {
        var log = _logs.GetOrAdd(attemptId, _ => new StringBuilder());
        lock (log)
        {
            log.Append(text);
        }
    }

    private void MapCache()
    {
        _app.MapMethods("/cache/{**path}", [HttpMethods.Get, HttpMethods.Head], async (string path, HttpContext context) =>
        {
            if (HttpMethods.IsHead(context.Request.Method))
            {
                CacheHeads.Enqueue(path);
            }

            var file = CachePath(path);
            if (file is null || !File.Exists(file))
            {
                return Results.NotFound();
            }

            var bytes = await File.ReadAllBytesAsync(file);
            context.Response.ContentLength = bytes.Length;
            if (HttpMethods.IsHead(context.Request.Method))
            {
                return Results.Empty;
            }

            return Results.Bytes(bytes, "application/octet-stream");
        });

        _app.MapPut("/cache/{**path}", async (string path, HttpContext context) =>
        {
            var file = CachePath(path);
            if (file is null)
            {
                return Results.BadRequest();
            }

            CacheUploads[path] = context.Request.Headers.Authorization;
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            await using (var stream = File.Create(file))
            {
                await context.Request.Body.CopyToAsync(stream);
            }

            return Results.Ok();
        });
    }

    private string? CachePath(string relativePath)
    {
        var full = Path.GetFullPath(Path.Combine(_cacheDirectory.FullName, relativePath));
        return full.StartsWith(_cacheDirectory.FullName + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? full : null;
    }
}
