namespace Hydra.Core.Notifications.Sinks;

/// <summary>Slack incoming webhook (<c>settings.url</c>): a message on status change, or on every event with <c>force</c>.</summary>
public sealed class SlackSink(IHttpClientFactory httpClients, TimeProvider clock) : INotificationSink
{
    public string Kind => NotificationSinkKinds.Slack;

    public async Task<DeliveryResult> DeliverAsync(DeliveryContext delivery, CancellationToken cancellationToken)
    {
        if (delivery.Sink.Get("url") is not { } url)
        {
            return DeliveryResult.Fatal("The Slack sink has no url.");
        }
        if (delivery.Event.Kind == NotificationEventKinds.BuildFinished && !delivery.Sink.GetBool("force", false) && !NotificationText.StatusChanged(delivery))
        {
            return DeliveryResult.Skipped("Status unchanged.");
        }
        var text = $"<{NotificationText.Link(delivery)}|{NotificationText.Summary(delivery)}>";
        return await HttpDelivery.SendJsonAsync(httpClients.CreateClient(NotificationHttp.ClientName), HttpMethod.Post, url, new { text }, null, clock, cancellationToken);
    }
}
