using System.Net.Mail;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Hydra.Core.Notifications;

/// <summary>
/// The settings each kind of sink takes, with their labels and hints, and the checks of a sink's configuration:
/// one table for the JSON API (<see cref="NotificationSinkStore.Validate"/>) and the project's notifications page,
/// so both refuse the same things with the same words.
/// </summary>
public static partial class NotificationSinkFields
{
    /// <summary>What a setting holds, which decides how it is checked and shown.</summary>
    public enum FieldType
    {
        Text,

        /// <summary>An absolute http or https URL.</summary>
        Url,

        /// <summary>Stored, never shown back (<see cref="NotificationSinkKinds.SecretSettings"/>).</summary>
        Secret,

        /// <summary>A boolean.</summary>
        Check,

        /// <summary>Comma-separated email addresses.</summary>
        Emails,

        /// <summary>A repository: "owner/name", a GitLab group path or project number.</summary>
        Repository,
    }

    /// <summary>One setting: its key in <c>settings</c>, label, type, whether it must be given, a hint, and a checkbox's default.</summary>
    public sealed record Field(string Name, string Label, FieldType Type, bool Required, string Hint, bool DefaultOn = false);

    /// <summary>The masked value of a stored secret; sent back, it keeps the stored value.</summary>
    public const string Masked = "********";

    private static readonly Field ForgeToken = new("token", "Access token", FieldType.Secret, true, "A token that may set commit statuses.");
    private static readonly Field ForgeRepository = new("repo", "Repository", FieldType.Repository, false, "owner/name; empty: read from the input's URL.");
    private static readonly Field ForgeInput = new("input", "Input", FieldType.Text, false, "The jobset input whose commit gets the status; empty: the expression's input.");
    private static readonly Field ForgeContext = new("context", "Status context", FieldType.Text, false, "Empty: continuous-integration/hydra.");

    private static Field ApiUrl(string hint) => new("apiUrl", "API URL", FieldType.Url, false, hint);

    /// <summary>The settings of each kind, in the order a form shows them.</summary>
    public static IReadOnlyList<Field> For(string kind) => kind switch
    {
        NotificationSinkKinds.Email => [new("to", "Recipients", FieldType.Emails, false,
            "Comma-separated addresses; empty: the jobset's email override, else the build's maintainers.")],
        NotificationSinkKinds.Slack =>
        [
            new("url", "Webhook URL", FieldType.Url, true, "The Slack incoming webhook's URL."),
            new("force", "Every event, not only status changes", FieldType.Check, false, ""),
        ],
        NotificationSinkKinds.Matrix =>
        [
            new("homeserver", "Homeserver URL", FieldType.Url, true, "e.g. https://matrix.example.org"),
            new("room", "Room id", FieldType.Text, true, "e.g. !abcdef:example.org"),
            new("token", "Access token", FieldType.Secret, true, "The bot user's access token."),
            new("force", "Every event, not only status changes", FieldType.Check, false, ""),
        ],
        NotificationSinkKinds.Webhook =>
        [
            new("url", "URL", FieldType.Url, true, "Each event is POSTed here as JSON."),
            new("secret", "Signing secret", FieldType.Secret, false, "Optional: signs each body (X-Hydra-Signature-256)."),
        ],
        NotificationSinkKinds.RunCommand => [new("command", "Command", FieldType.Text, true, "Run with /bin/sh -c; $HYDRA_JSON names a file describing the build.")],
        NotificationSinkKinds.GitHub =>
        [
            ForgeToken, ForgeRepository, ApiUrl("Empty: https://api.github.com."), ForgeInput, ForgeContext,
            new("checkRuns", "A check run per evaluation", FieldType.Check, false, "", DefaultOn: true),
        ],
        NotificationSinkKinds.Gitea or NotificationSinkKinds.GitLab =>
            [ForgeToken, ForgeRepository, ApiUrl("Empty: the scheme and host of the input's URL."), ForgeInput, ForgeContext],
        _ => [],
    };

    /// <summary>What a kind is called on the page.</summary>
    public static string Describe(string kind) => kind switch
    {
        NotificationSinkKinds.Email => "Email",
        NotificationSinkKinds.Slack => "Slack",
        NotificationSinkKinds.Matrix => "Matrix",
        NotificationSinkKinds.Webhook => "Signed webhook",
        NotificationSinkKinds.RunCommand => "RunCommand",
        NotificationSinkKinds.GitHub => "GitHub status",
        NotificationSinkKinds.Gitea => "Gitea status",
        NotificationSinkKinds.GitLab => "GitLab status",
        _ => kind,
    };

    public const string JobsMessage =
        "The job pattern is a job name in which * stands for any characters (e.g. tests.* or *-docs); it has no spaces and none of ? [ ] { } ( ) | ^ $ \\.";

    /// <summary>
    /// Every problem of <paramref name="change"/>, keyed by field: "kind", "events", "jobs", or "settings.NAME".
    /// Empty when the sink may be saved.
    /// </summary>
    public static Dictionary<string, string> Check(NotificationSinkStore.Change change)
    {
        var problems = new Dictionary<string, string>();
        if (!NotificationSinkKinds.All.Contains(change.Kind))
        {
            problems["kind"] = $"Unknown kind '{change.Kind}'; one of {string.Join(", ", NotificationSinkKinds.All)}.";
            return problems;
        }
        if (change.Events?.FirstOrDefault(e => !NotificationEventKinds.All.Contains(e)) is { } unknown)
        {
            problems["events"] = $"Unknown event '{unknown}'; any of {string.Join(", ", NotificationEventKinds.All)}.";
        }
        else if (change.Events is { Count: 0 })
        {
            problems["events"] = "Pick at least one event.";
        }
        if (!JobPattern().IsMatch(change.Jobs))
        {
            problems["jobs"] = JobsMessage;
        }
        foreach (var field in For(change.Kind))
        {
            if (Problem(change.Kind, field, change.Settings[field.Name]) is { } problem)
            {
                problems[$"settings.{field.Name}"] = problem;
            }
        }
        return problems;
    }

    private static string? Problem(string kind, Field field, JsonNode? node)
    {
        if (field.Type == FieldType.Check)
        {
            return node is null || node.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? null : $"{field.Label} is true or false.";
        }
        var value = node is JsonValue text && text.GetValueKind() == JsonValueKind.String ? text.GetValue<string>().Trim() : null;
        if (node is not null && value is null)
        {
            return $"{field.Label} is text.";
        }
        if (string.IsNullOrEmpty(value))
        {
            return field.Required
                ? field.Type == FieldType.Secret
                    ? $"A {Describe(kind)} sink needs its {field.Label.ToLowerInvariant()}; it is stored and never shown again."
                    : $"A {Describe(kind)} sink needs {Article(field.Label)} {field.Label.ToLowerInvariant()}."
                : null;
        }
        return field.Type switch
        {
            FieldType.Url when !Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0 =>
                $"{field.Label}: '{value}' is not an http:// or https:// URL with a host, e.g. https://hooks.example.org/hydra.",
            FieldType.Emails when value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .FirstOrDefault(address => !MailAddress.TryCreate(address, out _)) is { } bad =>
                $"'{bad}' is not an email address; separate addresses with commas.",
            FieldType.Repository when !RepositoryPattern().IsMatch(value) =>
                "The repository is owner/name (GitLab: group/subgroup/project, or the project's number).",
            _ => null,
        };
    }

    private static string Article(string label) => "AEIOU".Contains(label[0], StringComparison.Ordinal) ? "an" : "a";

    [GeneratedRegex(@"^[^\s?\[\]{}()|^$\\]+$")]
    private static partial Regex JobPattern();

    [GeneratedRegex(@"^(?:\d+|[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)+)$")]
    private static partial Regex RepositoryPattern();
}
