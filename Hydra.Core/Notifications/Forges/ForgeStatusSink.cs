using Hydra.Core.Notifications.Sinks;

namespace Hydra.Core.Notifications.Forges;

/// <summary>
/// What the forge sinks share: a commit status per build event of the matching jobs, on the commit of the
/// jobset's input. A queued or started status for a build that has finished by the time it is sent is skipped,
/// so a late retry never turns a commit status back.
/// </summary>
public abstract class ForgeStatusSink : INotificationSink
{
    public const string DefaultContext = "continuous-integration/hydra";

    public abstract string Kind { get; }

    public virtual async Task<DeliveryResult> DeliverAsync(DeliveryContext delivery, CancellationToken cancellationToken)
    {
        if (delivery.Sink.Get("token") is not { } token)
        {
            return DeliveryResult.Fatal($"The {Kind} sink has no token.");
        }
        if (delivery.Build is not { } build)
        {
            return DeliveryResult.Skipped($"{delivery.Event.Kind} has no commit status.");
        }
        // Deliveries run in parallel and are retried, so a status may reach the forge after a newer one: a status
        // the build has moved past by the time it is sent is skipped, and the newer one is what the forge shows.
        var superseded = delivery.Event.Kind switch
        {
            NotificationEventKinds.BuildQueued => build.Finished || build.StartTime is not null,
            NotificationEventKinds.BuildStarted => build.Finished,
            _ => false,
        };
        if (superseded)
        {
            return DeliveryResult.Skipped("Superseded: the build has moved on since; its newer status is sent instead.");
        }
        if (ForgeCommit.Resolve(delivery, out var reason) is not { } commit)
        {
            return DeliveryResult.Skipped(reason);
        }
        if (ApiUrl(delivery, commit) is not { } apiUrl)
        {
            return NoApiUrl();
        }
        var status = new ForgeStatus(
            CommitStates.For(delivery.Event.Kind, build.Status),
            $"{delivery.Sink.Get("context") ?? DefaultContext}:{delivery.FullJobName}",
            Truncate(NotificationText.Summary(delivery), 140),
            delivery.BuildUrl!);
        return await PostStatusAsync(apiUrl.TrimEnd('/'), token, commit, status, cancellationToken);
    }

    /// <summary>Posts one commit status to the forge whose API is at <paramref name="apiUrl"/> (no trailing slash).</summary>
    protected abstract Task<DeliveryResult> PostStatusAsync(string apiUrl, string token, ForgeCommit commit, ForgeStatus status, CancellationToken cancellationToken);

    /// <summary>Where the forge's API is when the sink sets no <c>apiUrl</c>: by default the scheme and host of the input's URL (self-hosted forges).</summary>
    protected virtual string? DefaultApiUrl(ForgeCommit commit) => commit.Host;

    /// <summary>The sink's <c>apiUrl</c>, else <see cref="DefaultApiUrl"/>; null when neither names one.</summary>
    protected string? ApiUrl(DeliveryContext delivery, ForgeCommit commit) => delivery.Sink.Get("apiUrl") ?? DefaultApiUrl(commit);

    /// <summary>The failure when <see cref="ApiUrl"/> is null: a setting is missing, which no retry fixes.</summary>
    protected DeliveryResult NoApiUrl() => DeliveryResult.Fatal($"The {Kind} sink needs apiUrl (the input URL names no host).");

    protected static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}

/// <summary>A commit status: state, context (the check's name), description and link.</summary>
public sealed record ForgeStatus(CommitState State, string Context, string Description, string TargetUrl);
