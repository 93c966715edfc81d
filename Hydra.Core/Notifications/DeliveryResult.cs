namespace Hydra.Core.Notifications;

/// <summary>How one attempt to deliver ended.</summary>
public sealed record DeliveryResult
{
    private DeliveryResult(DeliveryOutcome outcome, string? message, DateTimeOffset? retryAt)
    {
        Outcome = outcome;
        Message = message;
        RetryAt = retryAt;
    }

    public DeliveryOutcome Outcome { get; }

    /// <summary>Why it was skipped or failed.</summary>
    public string? Message { get; }

    /// <summary>For a retry the receiver asked for (rate limits): not before this time.</summary>
    public DateTimeOffset? RetryAt { get; }

    public static readonly DeliveryResult Delivered = new(DeliveryOutcome.Delivered, null, null);

    /// <summary>Nothing to send for this event (e.g. status unchanged); counts as done.</summary>
    public static DeliveryResult Skipped(string reason) => new(DeliveryOutcome.Skipped, reason, null);

    /// <summary>A failure that may pass (network, 5xx, rate limit): tried again after a backoff.</summary>
    public static DeliveryResult Retry(string error, DateTimeOffset? notBefore = null) => new(DeliveryOutcome.Retry, error, notBefore);

    /// <summary>A failure that will not pass by itself (bad configuration, 4xx): failed at once.</summary>
    public static DeliveryResult Fatal(string error) => new(DeliveryOutcome.Fatal, error, null);
}

/// <summary>The kinds of <see cref="DeliveryResult"/>.</summary>
public enum DeliveryOutcome
{
    Delivered,
    Skipped,
    Retry,
    Fatal,
}
