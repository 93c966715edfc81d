namespace Hydra.Web.Cache;

/// <summary>Entry point of the binary cache: storage, signing, the HTTP protocol and the worker info call.</summary>
public static class HydraCacheExtensions
{
    public static IHostApplicationBuilder AddHydraCache(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CacheOptions>().Bind(builder.Configuration.GetSection(CacheOptions.Section))
            .Validate(o => o.MaxNarSize > 0 && o.MaxLogSize > 0 && o.MaxNarInfoSize > 0, "Hydra:Cache size limits must be positive.")
            .ValidateOnStart();
        builder.Services.AddSingleton<CacheSigningKey>();
        builder.Services.AddSingleton<CacheStore>();
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<ClosureSizes>();
        builder.Services.AddSingleton<CacheUploads>();
        builder.Services.AddSingleton<CacheUploadAuthFilter>();
        builder.Services.AddHostedService<CacheStartup>();
        return builder;
    }

    /// <summary>Maps <c>/cache/...</c> and the worker info call directly on the app: no content negotiation, no cookies needed.</summary>
    public static WebApplication MapHydraCache(this WebApplication app)
    {
        app.MapCacheEndpoints();
        app.MapWorkerInfoEndpoint();
        return app;
    }
}
