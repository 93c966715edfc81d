using System.Text.Json;

namespace Hydra.Web.Api.Push;

/// <summary>
/// Reads the forges' push and pull-request payloads. Null when a payload of a kind the farm acts on lacks
/// what it needs (the caller answers 400); events the farm does not act on read as <see cref="WebhookEvent.Ignored"/>.
/// </summary>
internal static class WebhookPayloads
{
    /// <summary>GitHub and Gitea share the shape: <c>repository.{full_name,clone_url,ssh_url,html_url}</c>, <c>pull_request.{number,head.sha,state,title}</c>.</summary>
    public static WebhookEvent? ReadGitHubLike(string? eventName, JsonElement root)
    {
        if (eventName is null || !(eventName == "push" || eventName.StartsWith("pull_request", StringComparison.Ordinal)))
        {
            return WebhookEvent.Ignored;
        }
        if (Object(root, "repository") is not { } repository || Text(repository, "full_name") is not { } fullName)
        {
            return null;
        }
        var urls = Texts(repository, "clone_url", "ssh_url", "git_url", "html_url");
        if (eventName == "push")
        {
            return urls.Count == 0 ? null : new WebhookEvent(WebhookEventKind.Push, urls, fullName, null);
        }
        if (Object(root, "pull_request") is not { } pull || Object(pull, "head") is not { } head
            || Text(head, "sha") is not { } sha || Number(pull, "number") is not { } number)
        {
            return null;
        }
        var open = Text(pull, "state") == "open";
        return new WebhookEvent(WebhookEventKind.PullRequest, urls, fullName, new PullRequestChange(number, sha, Text(pull, "title") ?? "", open));
    }

    /// <summary>GitLab: <c>project.{path_with_namespace,git_http_url,git_ssh_url,web_url}</c>, <c>object_attributes.{iid,state,last_commit.id,title}</c>.</summary>
    public static WebhookEvent? ReadGitLab(string? eventName, JsonElement root)
    {
        if (eventName is not ("Push Hook" or "Merge Request Hook"))
        {
            return WebhookEvent.Ignored;
        }
        if (Object(root, "project") is not { } project || Text(project, "path_with_namespace") is not { } path)
        {
            return null;
        }
        var urls = Texts(project, "git_http_url", "git_ssh_url", "web_url", "http_url", "ssh_url");
        if (eventName == "Push Hook")
        {
            return urls.Count == 0 ? null : new WebhookEvent(WebhookEventKind.Push, urls, path, null);
        }
        if (Object(root, "object_attributes") is not { } merge || Number(merge, "iid") is not { } number
            || Object(merge, "last_commit") is not { } commit || Text(commit, "id") is not { } sha)
        {
            return null;
        }
        var open = Text(merge, "state") == "opened";
        return new WebhookEvent(WebhookEventKind.PullRequest, urls, path, new PullRequestChange(number, sha, Text(merge, "title") ?? "", open));
    }

    private static JsonElement? Object(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            && value.GetString() is { Length: > 0 } text ? text : null;

    private static int? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number > 0 ? number : null;

    private static List<string> Texts(JsonElement element, params string[] names) =>
        names.Select(n => Text(element, n)).OfType<string>().ToList();
}
