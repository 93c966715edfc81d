using Hydra.Web.Hosting;
using Microsoft.Extensions.Options;

namespace Hydra.Web.Gc;

/// <summary>Collects the binary cache's garbage every <see cref="GcOptions.Interval"/> (off by default).</summary>
internal sealed class CacheGcService(
    CacheGarbageCollector collector, IOptions<GcOptions> options, TimeProvider timeProvider, ILogger<CacheGcService> logger)
    : PeriodicService(timeProvider, logger)
{
    protected override TimeSpan Interval => options.Value.Interval;

    protected override string Name => "Cache garbage collection";

    protected override Task RunOnceAsync(CancellationToken cancellationToken) => collector.RunAsync(cancellationToken);
}
