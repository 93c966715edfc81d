using Hydra.Web.Gc;

namespace Hydra.Web.Channels;

/// <summary>Entry point of channels and releases and of the binary cache's garbage collection (docs/channels.md).</summary>
public static class HydraChannelExtensions
{
    public static IHostApplicationBuilder AddHydraChannels(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ChannelOptions>().Bind(builder.Configuration.GetSection(ChannelOptions.Section));
        builder.Services.AddSingleton<ChannelStore>();
        builder.Services.AddSingleton<ChannelQueries>();
        builder.Services.AddSingleton<ChannelFollower>();
        builder.Services.AddSingleton<ChannelTarballs>();
        builder.Services.AddHostedService<ChannelFollowService>();
        builder.AddHydraGc();
        return builder;
    }

    public static RouteGroupBuilder MapHydraChannels(this RouteGroupBuilder routes)
    {
        routes.MapChannelEndpoints();
        routes.MapCustomChannelEndpoints();
        routes.MapGcEndpoints();
        return routes;
    }
}
