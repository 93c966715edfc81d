using System.Globalization;
using Hydra.Core.Data;
using Hydra.Core.Nix;
using Hydra.Core.Protocol;
using Hydra.Queue.Leases;
using Hydra.Queue.Logs;
using Hydra.Core.Storage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

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

        cache.MapGet("/nix-cache-info", GetCacheInfoAsync);
        cache.MapGet("/public-keys", GetPublicKeysAsync);
        cache.MapMethods("/{hash}.narinfo", [HttpMethods.Get, HttpMethods.Head], GetNarInfoAsync);
        cache.MapMethods("/nar/{file}", [HttpMethods.Get, HttpMethods.Head], GetNarAsync);
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
        uploads.MapPut("/log/{drv}", async (string drv, HttpContext http, CacheUploads cacheUploads, UploadGrants grants) =>
            !CacheNames.IsLogName(drv) || await grants.HoldsStepOfAsync(CacheUploadAuthFilter.Worker(http).Id, CacheReadAccess.DrvPath(drv), http.RequestAborted)
                ? await UploadAsync(http, body => cacheUploads.PutLogAsync(drv, body, Worker(http), http.RequestAborted))
                : Forbidden($"Worker {Worker(http)} holds no running step that builds {drv}: only that step's worker may upload its log."));
        return app;
    }

    private static async Task<IResult> GetCacheInfoAsync(HttpRequest request, CacheReadAccess access, IOptions<CacheOptions> options) =>
        access.IsPublic || await access.MayReadPublicAsync(request, request.HttpContext.RequestAborted)
            ? Results.Text(
                string.Create(CultureInfo.InvariantCulture, $"StoreDir: {StorePath.StoreDir}\nWantMassQuery: 1\nPriority: {options.Value.Priority}\n"),
                "text/x-nix-cache-info")
            : Unauthorized(request.HttpContext);

    /// <summary>The keys narinfos may be signed with: the current one first, then earlier ones still trusted after a rotation.</summary>
    private static async Task<IResult> GetPublicKeysAsync(CacheSigningKey signingKey, CancellationToken cancellationToken) =>
        Results.Text(string.Concat((await signingKey.PublicKeysAsync(cancellationToken)).Select(k => k + "\n")), "text/plain");

    private static async Task<IResult> GetNarInfoAsync(string hash, HttpContext http, ICacheStorage storage, CacheReadAccess access)
    {
        // Misses are the common case (Nix asks before every upload and substitution): a public cache answers them
        // with one stat and no other work.
        if (!CacheNames.IsHashPart(hash))
        {
            return NotFound();
        }

        var key = hash + ".narinfo";
        if (access.IsPublic)
        {
            return await storage.GetAsync(key, http.RequestAborted) is { } found ? Send(found, NarInfoType) : NotFound();
        }

        if (await storage.ReadTextAsync(key, http.RequestAborted) is not { } text)
        {
            return await access.MayReadPublicAsync(http.Request, http.RequestAborted) ? NotFound() : Unauthorized(http);
        }

        var storePath = CachedStorePaths.FromNarInfo(hash, text)?.StorePath;
        return storePath is not null && await access.MayReadOutputAsync(http.Request, storePath, http.RequestAborted)
            ? Results.Text(text, NarInfoType)
            : Unauthorized(http);
    }

    private static async Task<IResult> GetNarAsync(string file, HttpContext http, ICacheStorage storage, CacheReadAccess access)
    {
        if (!CacheNames.IsFileName(file))
        {
            return Results.Text("Not a NAR file name.\n", "text/plain", statusCode: StatusCodes.Status400BadRequest);
        }

        var key = "nar/" + file;
        if (!access.IsPublic && !await access.MayReadNarAsync(http.Request, key, http.RequestAborted))
        {
            return Unauthorized(http);
        }

        if (await storage.GetAsync(key, http.RequestAborted) is not { } nar)
        {
            return NotFound();
        }

        // NAR names are content hashes: the bytes behind a name never change.
        http.Response.Headers.CacheControl = access.IsPublic ? "public, max-age=31536000, immutable" : "private, max-age=31536000, immutable";
        return Send(nar, NarType);
    }

    /// <summary>
    /// <c>nix log</c> against this cache: a log uploaded to <c>log/&lt;drv&gt;</c>, else the durable log of the
    /// newest step that built this derivation on the farm (decompressed).
    /// </summary>
    private static async Task<IResult> GetLogAsync(
        string drv, HttpContext http, ICacheStorage storage, CacheReadAccess access, HydraDbContext db, StepLogStore logs, CancellationToken cancellationToken)
    {
        if (!CacheNames.IsLogName(drv))
        {
            return NotFound();
        }

        var drvPath = CacheReadAccess.DrvPath(drv);
        if (!access.IsPublic && !await access.MayReadLogAsync(http.Request, drvPath, cancellationToken))
        {
            return Unauthorized(http);
        }

        if (await storage.GetAsync("log/" + drv, cancellationToken) is { } stored)
        {
            return Send(stored, LogType);
        }

        var steps = await db.Steps.AsNoTracking().Where(s => s.DrvPath == drvPath && s.StartedAt != null)
            .OrderByDescending(s => s.Id).Select(s => s.Id).Take(10).ToListAsync(cancellationToken);
        return steps.Select(logs.OpenRead).FirstOrDefault(s => s is not null) is { } log
            ? Results.Stream(log, LogType)
            : NotFound();
    }

    /// <summary>A local file goes out through the kernel (sendfile), with HTTP ranges; remote objects by redirect or from memory.</summary>
    private static IResult Send(CacheObject found, string contentType) => found switch
    {
        CacheObject.LocalFile file => Results.File(file.PhysicalPath, contentType, enableRangeProcessing: true),
        CacheObject.Redirect redirect => Results.Redirect(redirect.Location.AbsoluteUri),
        CacheObject.Content content => Results.Bytes(content.Bytes, contentType, enableRangeProcessing: true),
        _ => throw new InvalidOperationException($"Unknown cache object {found}."),
    };

    private static IResult Unauthorized(HttpContext http)
    {
        // curl sends netrc credentials after a challenge, so the refusal names the scheme.
        http.Response.Headers.WWWAuthenticate = $"Basic realm=\"{CacheUploadAuthFilter.Realm}\"";
        return Results.Text("This cache needs a read token (netrc password or Authorization: Bearer).\n", "text/plain",
            statusCode: StatusCodes.Status401Unauthorized);
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
