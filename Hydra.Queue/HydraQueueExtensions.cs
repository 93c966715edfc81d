using Microsoft.Extensions.Hosting;

namespace Hydra.Queue;

/// <summary>Entry point of the queue: claiming, leases, results, logs.</summary>
public static class HydraQueueExtensions
{
    public static IHostApplicationBuilder AddHydraQueue(this IHostApplicationBuilder builder, bool runBackgroundServices)
    {
        _ = runBackgroundServices;
        return builder;
    }
}
