using System.Security.Cryptography;
using System.Text;

namespace Hydra.Core.Notifications.Sinks;

/// <summary>
/// A generic webhook (<c>settings.url</c>, <c>secret</c>): every subscribed event POSTed as JSON (<see cref="EventJson"/>),
/// signed like GitHub's webhooks: <c>X-Hydra-Signature-256: sha256=&lt;hex HMAC-SHA256 of the body&gt;</c>.
/// <c>X-Hydra-Delivery</c> is the same on every attempt, so a receiver can drop repeats.
/// </summary>
public sealed class SignedWebhookSink(IHttpClientFactory httpClients, EventJson eventJson, TimeProvider clock) : INotificationSink
{
    public const string SignatureHeader = "X-Hydra-Signature-256";

    public string Kind => NotificationSinkKinds.Webhook;

    public async Task<DeliveryResult> DeliverAsync(DeliveryContext delivery, CancellationToken cancellationToken)
    {
        if (delivery.Sink.Get("url") is not { } url)
        {
            return DeliveryResult.Fatal("The webhook sink has no url.");
        }
        var body = Encoding.UTF8.GetBytes((await eventJson.CreateAsync(delivery, cancellationToken)).ToJsonString());
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
        request.Headers.Add("X-Hydra-Event", delivery.Event.Kind);
        request.Headers.Add("X-Hydra-Delivery", delivery.DeliveryId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (delivery.Sink.Get("secret") is { } secret)
        {
            request.Headers.Add(SignatureHeader, Sign(secret, body));
        }
        return await HttpDelivery.SendAsync(httpClients.CreateClient(NotificationHttp.ClientName), request, clock, cancellationToken);
    }

    /// <summary>"sha256=" and the lower-case hex HMAC-SHA256 of <paramref name="body"/> under <paramref name="secret"/>.</summary>
    public static string Sign(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}
