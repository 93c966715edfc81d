using System.Net.Http.Headers;
using Hydra.Builder.Configuration;
using Hydra.Builder.Execution;
using Hydra.Builder.Nix;
using Hydra.Builder.Nix.Daemon;
using Hydra.Builder.Nix.Serve;
using Hydra.Builder.Upload;
using Hydra.Builder.Transport;
using Hydra.Builder.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Hydra.Builder.Hosting;

/// <summary>The builder's one entry point for composing services.</summary>
public static class BuilderServiceCollectionExtensions
{
    /// <summary>Time for the finish report (and log flush) after the drain timeout killed the last build.</summary>
    public static readonly TimeSpan ReportGrace = TimeSpan.FromSeconds(150);

    /// <summary>
    /// Registers the worker loop and its collaborators. Register another <see cref="IFreeDiskSpace"/> first to replace it.
    /// </summary>
    public static IServiceCollection AddHydraBuilder(this IServiceCollection services, BuilderOptions options)
    {
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<NixServePool>();
        services.AddSingleton<NixDaemonPool>();
        services.AddHttpClient<CacheUploader>(http =>
        {
            http.DefaultRequestHeaders.Authorization = UploadClient.Authorization(options.Token);
            http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("hydra-builder", "1.0"));
            // A NAR of gigabytes takes a while; a server that stops answering still ends the upload.
            http.Timeout = TimeSpan.FromHours(1);
        })
        .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        services.AddSingleton<StepExecutor>();
        services.TryAddSingleton<IFreeDiskSpace, FreeDiskSpace>();
        services.AddSingleton<DiskSpaceGate>();
        services.AddHttpClient<WorkerClient>(http =>
        {
            http.BaseAddress = options.Server;
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.Token);
            http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("hydra-builder", "1.0"));
            http.DefaultRequestHeaders.Add("X-Hydra-Worker-Name", options.Name);
            // Longer than the claim's long poll, or every idle claim would end as a timeout.
            http.Timeout = options.ClaimWait + TimeSpan.FromSeconds(35);
        })
        // The client lives as long as the worker; recycle connections instead of handlers so DNS changes are seen.
        .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        services.AddHostedService<WorkerService>();
        services.Configure<HostOptions>(host => host.ShutdownTimeout = options.DrainTimeout + ReportGrace);
        return services;
    }
}
