namespace Hydra.Core.Notifications.Sinks;

/// <summary>The human text of an event, shared by email, Slack and Matrix.</summary>
public static class NotificationText
{
    /// <summary>One line, e.g. "Hydra build 42 of proj:main:hello: Failed (was Succeeded)".</summary>
    public static string Summary(DeliveryContext context)
    {
        var build = context.Build;
        return context.Event.Kind switch
        {
            NotificationEventKinds.BuildFinished when build is not null =>
                $"Hydra build {build.Id} of {context.FullJobName}: {BuildStatus.Describe(build.Status, finished: true)}"
                + (build.PreviousStatus is { } previous && previous != build.Status ? $" (was {BuildStatus.Describe(previous, finished: true)})" : ""),
            NotificationEventKinds.BuildQueued when build is not null => $"Hydra build {build.Id} of {context.FullJobName} queued",
            NotificationEventKinds.BuildStarted when build is not null => $"Hydra build {build.Id} of {context.FullJobName} started",
            NotificationEventKinds.EvaluationStarted => $"Hydra evaluation of {context.FullJobName} started",
            NotificationEventKinds.EvaluationFailed => $"Hydra evaluation of {context.FullJobName} failed: {FirstLine(context.Event.Message)}",
            NotificationEventKinds.EvaluationFinished => $"Hydra evaluation {context.EvaluationId} of {context.FullJobName} finished",
            NotificationEventKinds.EvaluationCompleted =>
                $"Hydra evaluation {context.EvaluationId} of {context.FullJobName}: {context.Jobs.Count(j => j.Status is not 0)} of {context.Jobs.Count} builds failed",
            NotificationEventKinds.Test => $"Hydra test notification for {context.FullJobName} ({context.Sink.Kind} sink {context.Sink.Name})".Replace(" sink )", " sink)", StringComparison.Ordinal),
            _ => $"Hydra {context.Event.Kind} in {context.FullJobName}",
        };
    }

    /// <summary>The page to link to: the build, else the evaluation, else the jobset.</summary>
    public static string Link(DeliveryContext context) => context.BuildUrl ?? context.EvaluationUrl ?? context.JobsetUrl;

    /// <summary>
    /// Whether a build-finished event is worth a message to people: its status differs from the previous build
    /// of the job (or it is the first and failed), and it was not aborted or cancelled. Hydra's EmailNotification rule.
    /// </summary>
    public static bool StatusChanged(DeliveryContext context) =>
        context.Build is { } build
        && build.Status is not (BuildStatus.Aborted or BuildStatus.Cancelled)
        && (build.PreviousStatus is { } previous ? previous != build.Status : build.Status != BuildStatus.Succeeded);

    private static string FirstLine(string? text) => text is null ? "" : text.Split('\n', 2)[0];
}
