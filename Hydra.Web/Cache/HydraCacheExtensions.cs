using Hydra.Core.Protocol;

namespace Hydra.Web.Cache;

/// <summary>Entry point of the binary cache: storage, signing, the HTTP protocol and the worker info call.</summary>
public static class HydraCacheExtensions
{
    public static IHostApplicationBuilder AddHydraCache(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CacheOptions>().Bind(builder.Configuration.GetSection(CacheOptions.Section))
            .Validate(o => o.MaxNarSize > 0 && o.MaxLogSize > 0 && o.MaxNarInfoSize > 0, "Hydra:Cache size limits must be positive.")
            .Validate(o => o.Compression is "zstd" or "keep", "Hydra:Cache:Compression must be 'zstd' or 'keep'.")
            .Validate(o => o.PreviousPublicKeys.All(k => k.Contains(':', StringComparison.Ordinal)), "Hydra:Cache:PreviousPublicKeys must be name:base64 keys.")
            .ValidateOnStart();
        builder.Services.AddSingleton<CacheSigningKey>();
        builder.Services.AddSingleton<CacheNarIndex>();
        builder.Services.AddSingleton<CacheWorkerReaders>();
        builder.Services.AddSingleton<CacheReadAccess>();
        builder.Services.AddSingleton<NarRecompressor>();
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<ClosureSizes>();
        builder.Services.AddSingleton<CacheUploads>();
        builder.Services.AddSingleton<CacheUploadAuthFilter>();
        builder.Services.AddHostedService<CacheStartup>();
        return builder;
    }

    /// <summary>
    /// Maps <c>/cache/...</c> on a branch of its own, ahead of the site's middleware (security headers, static files,
    /// cookies, the access gate): the cache does its own authentication, and its hot path (a narinfo look-up) should
    /// cost no more than routing and a write. The worker info call is mapped on the app.
    /// </summary>
    public static WebApplication MapHydraCache(this WebApplication app)
    {
        app.MapWhen(
            http => http.Request.Path.StartsWithSegments(WorkerProtocol.CachePath, StringComparison.Ordinal),
            cache => cache.UseRouting().UseEndpoints(endpoints => endpoints.MapCacheEndpoints()));
        app.MapWorkerInfoEndpoint();
        return app;
    }
}
