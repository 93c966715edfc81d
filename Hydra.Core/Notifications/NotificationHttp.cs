namespace Hydra.Core.Notifications;

/// <summary>The named <see cref="HttpClient"/> of the webhook and forge sinks.</summary>
public static class NotificationHttp
{
    public const string ClientName = "hydra-notifications";

    public const string UserAgent = "hydra-dotnet-notifications";
}
