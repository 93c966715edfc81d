namespace Hydra.Core.Notifications;

/// <summary>The kinds of <c>notification_sinks</c> rows.</summary>
public static class NotificationSinkKinds
{
    public const string Email = "email";
    public const string Slack = "slack";
    public const string Matrix = "matrix";
    public const string Webhook = "webhook";
    public const string RunCommand = "run_command";
    public const string GitHub = "github";
    public const string Gitea = "gitea";
    public const string GitLab = "gitlab";

    public static readonly IReadOnlyList<string> All = [Email, Slack, Matrix, Webhook, RunCommand, GitHub, Gitea, GitLab];

    /// <summary>Settings that hold secrets: stored, never shown back.</summary>
    public static readonly IReadOnlyList<string> SecretSettings = ["token", "secret"];
}
