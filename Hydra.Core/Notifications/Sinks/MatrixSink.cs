using System.Net.Http.Headers;

namespace Hydra.Core.Notifications.Sinks;

/// <summary>
/// A Matrix room message (<c>settings.homeserver</c>, <c>room</c>, <c>token</c>) through the client-server API,
/// on status change or with <c>force</c>. The transaction id is the delivery's id, so a repeated attempt is
/// de-duplicated by the homeserver.
/// </summary>
public sealed class MatrixSink(IHttpClientFactory httpClients, TimeProvider clock) : INotificationSink
{
    public string Kind => NotificationSinkKinds.Matrix;

    public async Task<DeliveryResult> DeliverAsync(DeliveryContext delivery, CancellationToken cancellationToken)
    {
        if (delivery.Sink.Get("homeserver") is not { } homeserver || delivery.Sink.Get("room") is not { } room || delivery.Sink.Get("token") is not { } token)
        {
            return DeliveryResult.Fatal("The Matrix sink needs homeserver, room and token.");
        }
        if (delivery.Event.Kind == NotificationEventKinds.BuildFinished && !delivery.Sink.GetBool("force", false) && !NotificationText.StatusChanged(delivery))
        {
            return DeliveryResult.Skipped("Status unchanged.");
        }
        var url = $"{homeserver.TrimEnd('/')}/_matrix/client/v3/rooms/{Uri.EscapeDataString(room)}/send/m.room.message/hydra-{delivery.DeliveryId}";
        var summary = NotificationText.Summary(delivery);
        return await HttpDelivery.SendJsonAsync(httpClients.CreateClient(NotificationHttp.ClientName), HttpMethod.Put, url,
            new { msgtype = "m.text", body = $"{summary} {NotificationText.Link(delivery)}" },
            headers => headers.Authorization = new AuthenticationHeaderValue("Bearer", token), clock, cancellationToken);
    }
}
