using Hydra.Core.Data;
using Hydra.Core.Nix;
using Hydra.Core.Protocol;
using Hydra.Queue.Leases;
using Hydra.Queue.Logs;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Cache;

/// <summary>
/// The Nix HTTP binary-cache protocol under <see cref="WorkerProtocol.CachePath"/>: public reads,
/// uploads (HTTP PUT, as <c>nix copy --to http://...</c> sends them) for authenticated workers.
/// </summary>
public static class CacheEndpoints
{
    private const string NarInfoType = "text/x-nix-narinfo";
    private const string NarType = "application/x-nix-nar";
    private const string LogType = "text/plain; charset=utf-8";

    public static IEndpointRouteBuilder MapCacheEndpoints(this IEndpointRouteBuilder app)
    {
        var cache = app.MapGroup(WorkerProtocol.CachePath).DisableAntiforgery();

        cache.MapGet("/nix-cache-info", (CacheStore store) => Results.Text(store.CacheInfo, "text/x-nix-cache-info"));
        cache.MapMethods("/{hash}.narinfo", [HttpMethods.Get, HttpMethods.Head], GetNarInfo);
        cache.MapMethods("/nar/{file}", [HttpMethods.Get, HttpMethods.Head], GetNar);
        cache.MapMethods("/log/{drv}", [HttpMethods.Get, HttpMethods.Head], GetLogAsync);

        var uploads = cache.MapGroup("").AddEndpointFilter<CacheUploadAuthFilter>();

        // We always serve our own nix-cache-info; Nix writes one only when it finds none.
        uploads.MapPut("/nix-cache-info", () => Results.NoContent());
        uploads.MapPut("/{hash}.narinfo", async (string hash, HttpContext http, CacheUploads cacheUploads, UploadGrants grants) =>
            await grants.MayPublishAsync(CacheUploadAuthFilter.Worker(http).Id, hash, http.RequestAborted)
                ? await UploadAsync(http, body => cacheUploads.PutNarInfoAsync(hash, body, Worker(http), http.RequestAborted))
                : Forbidden($"Worker {Worker(http)} holds no running step with an output {hash}: a step's outputs can only be " +
                    "published by the worker whose lease on it is current. (Was this worker paused past its lease, or the step given to another worker?)"));
        uploads.MapPut("/nar/{file}", async (string file, HttpContext http, CacheUploads cacheUploads, UploadGrants grants) =>
            await grants.HoldsAnyStepAsync(CacheUploadAuthFilter.Worker(http).Id, http.RequestAborted)
                ? await UploadAsync(http, body => cacheUploads.PutNarAsync(file, body, http.Request.ContentLength, Worker(http), http.RequestAborted))
                : Forbidden($"Worker {Worker(http)} holds no running step on a current lease, so it cannot upload to the cache."));
        uploads.MapPut("/log/{drv}", (string drv, HttpContext http, CacheUploads cacheUploads) =>
            UploadAsync(http, body => cacheUploads.PutLogAsync(drv, body, Worker(http), http.RequestAborted)));
        return app;
    }

    private static IResult GetNarInfo(string hash, CacheStore store)
    {
        // Misses are the common case (Nix asks before every upload and substitution): answer without touching more than one stat.
        var path = CacheNames.IsHashPart(hash) ? store.NarInfoPath(hash) : null;
        return path is not null && File.Exists(path)
            ? Results.File(path, NarInfoType)
            : NotFound();
    }

    private static IResult GetNar(string file, CacheStore store, HttpContext http)
    {
        if (!CacheNames.IsFileName(file))
        {
            return Results.Text("Not a NAR file name.\n", "text/plain", statusCode: StatusCodes.Status400BadRequest);
        }

        var path = store.NarPath(file);
        if (!File.Exists(path))
        {
            return NotFound();
        }

        // NAR names are content hashes: the bytes behind a name never change.
        http.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
        return Results.File(path, NarType, enableRangeProcessing: true);
    }

    /// <summary>
    /// <c>nix log</c> against this cache: a log uploaded to <c>log/&lt;drv&gt;</c>, else the durable log of the
    /// newest step that built this derivation on the farm (decompressed).
    /// </summary>
    private static async Task<IResult> GetLogAsync(string drv, CacheStore store, HydraDbContext db, StepLogStore logs, CancellationToken cancellationToken)
    {
        if (!CacheNames.IsLogName(drv))
        {
            return NotFound();
        }

        var path = store.LogPath(drv);
        if (File.Exists(path))
        {
            return Results.File(path, LogType, enableRangeProcessing: true);
        }

        var drvPath = $"{StorePath.StoreDir}/{drv}";
        var steps = await db.Steps.AsNoTracking().Where(s => s.DrvPath == drvPath && s.StartedAt != null)
            .OrderByDescending(s => s.Id).Select(s => s.Id).Take(10).ToListAsync(cancellationToken);
        return steps.Select(logs.OpenRead).FirstOrDefault(s => s is not null) is { } log
            ? Results.Stream(log, LogType)
            : NotFound();
    }

    private static async Task<IResult> UploadAsync(HttpContext http, Func<Stream, Task<UploadResult>> upload)
    {
        // Kestrel's default body limit (30 MB) is far below a NAR's; each upload enforces its own cap.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = null;
        }

        var result = await upload(http.Request.Body);
        return result.ToHttpResult();
    }

    private static string Worker(HttpContext http) => CacheUploadAuthFilter.Worker(http).Name;

    private static IResult Forbidden(string message) => Results.Text(message + "\n", "text/plain", statusCode: StatusCodes.Status403Forbidden);

    private static IResult NotFound() => Results.Text("Not in this cache.\n", "text/plain", statusCode: StatusCodes.Status404NotFound);
}
