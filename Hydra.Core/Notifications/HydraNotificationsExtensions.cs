using Hydra.Core.Notifications.Forges;
using Hydra.Core.Notifications.Sinks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Hydra.Core.Notifications;

/// <summary>Entry point of notifications: the outbox, the sinks, and (when this process delivers) the delivery loop.</summary>
public static class HydraNotificationsExtensions
{
    public static IHostApplicationBuilder AddHydraNotifications(this IHostApplicationBuilder builder, bool deliver)
    {
        var services = builder.Services;
        services.AddOptions<NotificationOptions>().Bind(builder.Configuration.GetSection(NotificationOptions.Section))
            .Validate(o => o.MaxAttempts > 0 && o.Concurrency > 0 && o.BatchSize > 0, "Hydra:Notifications: MaxAttempts, Concurrency and BatchSize must be positive.")
            .Validate(o => o.InitialBackoff > TimeSpan.Zero && o.MaxBackoff >= o.InitialBackoff && o.Lease > TimeSpan.Zero,
                "Hydra:Notifications: backoffs and the lease must be positive, MaxBackoff at least InitialBackoff.")
            .Validate(o => o.Retention.BatchSize > 0, "Hydra:Notifications:Retention:BatchSize must be positive.")
            .ValidateOnStart();
        services.AddHttpClient(NotificationHttp.ClientName)
            .ConfigureHttpClient((provider, client) => client.Timeout = provider.GetRequiredService<IOptions<NotificationOptions>>().Value.HttpTimeout);
        services.AddSingleton<NotificationOutbox>();
        services.AddSingleton<DeliveryContextLoader>();
        services.AddSingleton<NotificationDeliverer>();
        services.AddSingleton<NotificationDeliveries>();
        services.AddSingleton<NotificationPruner>();
        services.AddSingleton<NotificationSinkStore>();
        services.AddSingleton<EventJson>();
        services.AddSingleton<INotificationSink, EmailSink>();
        services.AddSingleton<INotificationSink, SlackSink>();
        services.AddSingleton<INotificationSink, MatrixSink>();
        services.AddSingleton<INotificationSink, SignedWebhookSink>();
        services.AddSingleton<INotificationSink, RunCommandSink>();
        services.AddSingleton<INotificationSink, GitHubStatusSink>();
        services.AddSingleton<INotificationSink, GiteaStatusSink>();
        services.AddSingleton<INotificationSink, GitLabStatusSink>();
        if (deliver && builder.Configuration.GetValue($"{NotificationOptions.Section}:Deliver", true))
        {
            services.AddHostedService<NotificationDeliveryService>();
        }
        return builder;
    }
}
