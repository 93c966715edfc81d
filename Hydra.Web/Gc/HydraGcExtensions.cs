namespace Hydra.Web.Gc;

/// <summary>Registers garbage collection of the binary cache (<c>hydra-server gc</c>, <c>/api/admin/gc</c>, and every <c>Hydra:Gc:Interval</c> when set).</summary>
public static class HydraGcExtensions
{
    public static IHostApplicationBuilder AddHydraGc(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<GcOptions>().Bind(builder.Configuration.GetSection(GcOptions.Section))
            .Validate(o => o.ChannelHistoryDepth >= 1 && o.GracePeriod >= TimeSpan.Zero, "Hydra:Gc:ChannelHistoryDepth must be at least 1 and GracePeriod not negative.")
            .ValidateOnStart();
        builder.Services.AddSingleton<GcRoots>();
        builder.Services.AddSingleton<CacheGcStorage>();
        builder.Services.AddSingleton<CacheGarbageCollector>();
        builder.Services.AddHostedService<CacheGcService>();
        return builder;
    }
}
