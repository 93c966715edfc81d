using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Hydra.Core.Storage;

/// <summary>Registers the cache's storage (<see cref="ICacheStorage"/>) for every role: <c>Hydra:Cache:Storage</c> picks it.</summary>
public static class HydraCacheStorageExtensions
{
    public static IHostApplicationBuilder AddHydraCacheStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CacheStorageOptions>().Bind(builder.Configuration.GetSection(CacheStorageOptions.Section))
            .Validate(o => o.Storage is "directory" or "s3", "Hydra:Cache:Storage must be 'directory' or 's3'.")
            .Validate(o => o.Storage != "s3" || (Uri.TryCreate(o.S3.Endpoint, UriKind.Absolute, out _) && o.S3.Bucket.Length > 0),
                "Hydra:Cache:S3 needs an absolute Endpoint and a Bucket.")
            .ValidateOnStart();
        builder.Services.AddSingleton<DirectoryCacheStorage>(services =>
            new DirectoryCacheStorage(services.GetRequiredService<IOptions<HydraOptions>>(), services.GetRequiredService<TimeProvider>()));
        builder.Services.AddHttpClient<S3CacheStorage>();
        builder.Services.AddSingleton<ICacheStorage>(services =>
            services.GetRequiredService<IOptions<CacheStorageOptions>>().Value.Storage == "s3"
                ? services.GetRequiredService<S3CacheStorage>()
                : services.GetRequiredService<DirectoryCacheStorage>());
        return builder;
    }
}
