using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hydra.Core.Notifications;

/// <summary>One round of delivery: fan new events out, take the due deliveries, send them, record the results.</summary>
public sealed partial class NotificationDeliverer(
    NotificationOutbox outbox,
    DeliveryContextLoader loader,
    IEnumerable<INotificationSink> sinks,
    IOptions<NotificationOptions> options,
    ILogger<NotificationDeliverer> logger)
{
    private readonly Dictionary<string, INotificationSink> _sinks = sinks.ToDictionary(s => s.Kind, StringComparer.Ordinal);

    /// <summary>Returns how many deliveries the round attempted (0: nothing was due).</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        while (await outbox.FanOutAsync(500, cancellationToken) == 500)
        {
            // A backlog of events (a big evaluation): fan it all out before sending, in bounded statements.
        }
        var due = await outbox.TakeDueAsync(settings.BatchSize, cancellationToken);
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = settings.Concurrency, CancellationToken = cancellationToken },
            async (delivery, token) =>
            {
                var result = await DeliverAsync(delivery, token);
                if (!await outbox.RecordAsync(delivery, result, CancellationToken.None))
                {
                    LogLostLease(delivery.Id);
                }
            });
        return due.Count;
    }

    private async Task<DeliveryResult> DeliverAsync(NotificationOutbox.TakenDelivery delivery, CancellationToken cancellationToken)
    {
        DeliveryContext? context = null;
        try
        {
            context = await loader.LoadAsync(delivery.Id, delivery.Attempt, cancellationToken);
            if (context is null)
            {
                return DeliveryResult.Skipped("The jobset no longer exists.");
            }
            if (!_sinks.TryGetValue(context.Sink.Kind, out var sink))
            {
                return DeliveryResult.Fatal($"No sink handles kind '{context.Sink.Kind}'.");
            }
            var result = await sink.DeliverAsync(context, cancellationToken);
            if (result.Outcome is DeliveryOutcome.Retry or DeliveryOutcome.Fatal)
            {
                LogAttemptFailed(delivery.Id, context.Sink.Kind, context.Event.Kind, delivery.Attempt, result.Message);
            }
            return result;
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException or TimeoutException or TaskCanceledException
                                          && !cancellationToken.IsCancellationRequested)
        {
            LogAttemptFailed(delivery.Id, context?.Sink.Kind ?? "?", context?.Event.Kind ?? "?", delivery.Attempt, exception.Message);
            return DeliveryResult.Retry(exception.Message);
        }
        catch (Exception exception) when (exception is UriFormatException or FormatException or InvalidOperationException or NotSupportedException or ArgumentException)
        {
            // A malformed URL or address in the sink's settings: it will not fix itself.
            LogAttemptFailed(delivery.Id, context?.Sink.Kind ?? "?", context?.Event.Kind ?? "?", delivery.Attempt, exception.Message);
            return DeliveryResult.Fatal($"Bad sink settings: {exception.Message}");
        }
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning,
        Message = "Notification delivery {DeliveryId} ({SinkKind}, {EventKind}) attempt {Attempt} failed: {Error}")]
    private partial void LogAttemptFailed(long deliveryId, string sinkKind, string eventKind, int attempt, string? error);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning,
        Message = "Notification delivery {DeliveryId} was taken by another worker after its lease ran out; its result is dropped")]
    private partial void LogLostLease(long deliveryId);
}
