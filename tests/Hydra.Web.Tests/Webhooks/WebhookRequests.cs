using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Hydra.Web.Tests.Webhooks;

/// <summary>Webhook requests as GitHub, Gitea and GitLab send them: the headers, the signature and the payload shapes.</summary>
internal static class WebhookRequests
{
    public const string GitHubSecret = "github-secret-1";
    public const string GiteaSecret = "gitea-secret-2";
    public const string GitLabSecret = "gitlab-token-3";

    /// <summary>Settings for a server that knows all three secrets and takes bodies up to 64 KiB.</summary>
    public static readonly (string Key, string Value)[] Settings =
    [
        ("Hydra:Webhooks:GitHub:Secret", GitHubSecret),
        ("Hydra:Webhooks:Gitea:Secret", GiteaSecret),
        ("Hydra:Webhooks:GitLab:Secret", GitLabSecret),
        ("Hydra:Webhooks:MaxBodyBytes", "65536"),
    ];

    public static string Hmac(string secret, byte[] body) => Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    public static HttpRequestMessage GitHub(string eventName, string body, string? delivery = null, string? signature = null)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var request = Post("/api/push-github", bytes);
        request.Headers.Add("X-GitHub-Event", eventName);
        request.Headers.Add("X-GitHub-Delivery", delivery ?? Guid.NewGuid().ToString());
        request.Headers.Add("X-Hub-Signature-256", signature ?? "sha256=" + Hmac(GitHubSecret, bytes));
        return request;
    }

    public static HttpRequestMessage Gitea(string eventName, string body, string? signature = null)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var request = Post("/api/push-gitea", bytes);
        request.Headers.Add("X-Gitea-Event", eventName);
        request.Headers.Add("X-Gitea-Delivery", Guid.NewGuid().ToString());
        request.Headers.Add("X-Gitea-Signature", signature ?? Hmac(GiteaSecret, bytes));
        return request;
    }

    public static HttpRequestMessage GitLab(string eventName, string body, string? token = GitLabSecret)
    {
        var request = Post("/api/push-gitlab", Encoding.UTF8.GetBytes(body));
        request.Headers.Add("X-Gitlab-Event", eventName);
        request.Headers.Add("X-Gitlab-Event-UUID", Guid.NewGuid().ToString());
        if (token is not null)
        {
            request.Headers.Add("X-Gitlab-Token", token);
        }
        return request;
    }

    private static HttpRequestMessage Post(string path, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
    }

    /// <summary>A GitHub (or Gitea) push to <c>https://HOST/FULLNAME</c>.</summary>
    public static string Push(string fullName, string host = "github.com") => JsonSerializer.Serialize(new
    {
        @ref = "refs/heads/main",
        after = "1111111111111111111111111111111111111111",
        repository = new
        {
            full_name = fullName,
            clone_url = $"https://{host}/{fullName}.git",
            ssh_url = $"git@{host}:{fullName}.git",
            html_url = $"https://{host}/{fullName}",
        },
    });

    /// <summary>A GitHub (or Gitea) pull_request event.</summary>
    public static string PullRequest(string fullName, int number, string head, string state = "open", string action = "opened") => JsonSerializer.Serialize(new
    {
        action,
        number,
        pull_request = new { number, state, title = $"Change {number}", head = new { sha = head, @ref = "feature" } },
        repository = new { full_name = fullName, clone_url = $"https://github.com/{fullName}.git" },
    });

    /// <summary>A GitLab push hook.</summary>
    public static string GitLabPush(string path, string host = "gitlab.example.org") => JsonSerializer.Serialize(new
    {
        object_kind = "push",
        @ref = "refs/heads/main",
        project = new
        {
            path_with_namespace = path,
            git_http_url = $"https://{host}/{path}.git",
            git_ssh_url = $"git@{host}:{path}.git",
            web_url = $"https://{host}/{path}",
        },
    });

    /// <summary>A GitLab merge request hook.</summary>
    public static string GitLabMergeRequest(string path, int iid, string head, string state = "opened") => JsonSerializer.Serialize(new
    {
        object_kind = "merge_request",
        project = new { path_with_namespace = path, git_http_url = $"https://gitlab.example.org/{path}.git" },
        object_attributes = new { iid, state, title = $"Merge {iid}", last_commit = new { id = head } },
    });
}
