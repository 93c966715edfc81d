namespace Hydra.Core.Notifications;

/// <summary>The kinds of <c>notification_events</c> rows (written by the triggers of migration 0022).</summary>
public static class NotificationEventKinds
{
    public const string EvaluationStarted = "evaluation_started";
    public const string EvaluationFailed = "evaluation_failed";
    public const string EvaluationFinished = "evaluation_finished";

    /// <summary>Every build of the evaluation has finished (written by the fan-out, once per evaluation).</summary>
    public const string EvaluationCompleted = "evaluation_completed";

    public const string BuildQueued = "build_queued";
    public const string BuildStarted = "build_started";
    public const string BuildFinished = "build_finished";

    /// <summary>
    /// A test sent from a project's notifications page to one sink (never fanned out, so no sink subscribes to it):
    /// webhooks, Slack, Matrix and email send it; RunCommand and forge sinks skip it, as it has no build.
    /// </summary>
    public const string Test = "test";

    public static readonly IReadOnlyList<string> All =
        [EvaluationStarted, EvaluationFailed, EvaluationFinished, EvaluationCompleted, BuildQueued, BuildStarted, BuildFinished];

    /// <summary>What a sink of <paramref name="sinkKind"/> receives when its configuration names no events.</summary>
    public static IReadOnlyList<string> DefaultsFor(string sinkKind) => sinkKind switch
    {
        NotificationSinkKinds.GitHub => [BuildQueued, BuildStarted, BuildFinished, EvaluationCompleted],
        NotificationSinkKinds.Gitea or NotificationSinkKinds.GitLab => [BuildQueued, BuildStarted, BuildFinished],
        NotificationSinkKinds.Webhook => All,
        _ => [BuildFinished],
    };
}
