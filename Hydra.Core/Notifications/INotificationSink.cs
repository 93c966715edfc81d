namespace Hydra.Core.Notifications;

/// <summary>Sends one event to one kind of receiver (email, a webhook, a forge, a command).</summary>
public interface INotificationSink
{
    /// <summary>The <c>notification_sinks.kind</c> this handles.</summary>
    string Kind { get; }

    /// <summary>
    /// Delivers <paramref name="delivery"/>. Expected failures are results, not exceptions; it must be safe to
    /// call again for the same delivery (delivery is at least once).
    /// </summary>
    Task<DeliveryResult> DeliverAsync(DeliveryContext delivery, CancellationToken cancellationToken);
}
