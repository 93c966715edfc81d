using Hydra.Core.Protocol;
using Hydra.Queue;
using Hydra.Queue.Api;
using Microsoft.Extensions.Options;

namespace Hydra.Web.Cache;

/// <summary><see cref="WorkerProtocol.Info"/>: tells a worker where the cache is and which key signs it.</summary>
public static class WorkerInfoEndpoint
{
    public static IEndpointRouteBuilder MapWorkerInfoEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapGet(WorkerProtocol.Info, GetAsync).AddEndpointFilter<WorkerAuthFilter>().DisableAntiforgery();
        return app;
    }

    private static async Task<WorkerInfo> GetAsync(HttpContext http, CacheSigningKey signingKey, IOptions<QueueOptions> queueOptions)
    {
        var key = await signingKey.GetAsync(http.RequestAborted);

        // The URL the worker reached us by is the one it can use for the cache too.
        var request = http.Request;
        var cacheUrl = $"{request.Scheme}://{request.Host}{request.PathBase}{WorkerProtocol.CachePath}";
        var heartbeat = (int)Math.Ceiling(queueOptions.Value.HeartbeatInterval.TotalSeconds);
        return new WorkerInfo(WorkerAuthFilter.Worker(http).Name, cacheUrl, key.PublicKeyText, heartbeat, FinishTakesLog: true);
    }
}
