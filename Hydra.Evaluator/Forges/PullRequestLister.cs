using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Hydra.Evaluator.Forges;

/// <summary>
/// Lists a repository's open pull requests through the forge's REST API: GitHub and Gitea
/// <c>GET /repos/{owner}/{repo}/pulls?state=open</c>, GitLab <c>GET /projects/{path}/merge_requests?state=opened</c>,
/// following the <c>Link: &lt;...&gt;; rel="next"</c> header page by page. Only listing: commit statuses
/// are the notification outbox's business.
/// </summary>
public sealed class PullRequestLister(HttpClient http, IOptions<ForgeOptions> options)
{
    public async Task<IReadOnlyList<OpenPullRequest>> ListOpenAsync(PullRequestSource source, CancellationToken cancellationToken)
    {
        var api = options.Value.For(source.Forge);
        if (string.IsNullOrWhiteSpace(api.ApiUrl) || !Uri.TryCreate(api.ApiUrl.TrimEnd('/') + "/", UriKind.Absolute, out var root))
        {
            throw new ForgeApiException($"Hydra:Forges:{source.Forge} has no ApiUrl, so the open pull requests of {source.Repository} cannot be listed.");
        }
        // Repository segments are validated (PullRequestSource.Problem), so they need no escaping on GitHub and Gitea.
        Uri? next = new(root, source.Forge switch
        {
            "gitlab" => $"projects/{Uri.EscapeDataString(source.Repository)}/merge_requests?state=opened&per_page=100",
            "gitea" => $"repos/{source.Repository}/pulls?state=open&limit=50",
            _ => $"repos/{source.Repository}/pulls?state=open&per_page=100",
        });
        var open = new List<OpenPullRequest>();
        for (var page = 0; next is not null; page++)
        {
            if (page == options.Value.MaxPages)
            {
                throw new ForgeApiException($"{source.Repository} has more than {options.Value.MaxPages} pages of open pull requests (Hydra:Forges:MaxPages).");
            }
            using var request = new HttpRequestMessage(HttpMethod.Get, next);
            Authorize(request, source.Forge, api.Token);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new ForgeApiException($"{source.Forge} answered {(int)response.StatusCode} {response.ReasonPhrase} listing the pull requests of {source.Repository}.");
            }
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            JsonDocument document;
            try
            {
                document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
            }
            catch (JsonException exception)
            {
                throw new ForgeApiException($"{source.Forge} sent something other than JSON for the pull requests of {source.Repository}: {exception.Message}");
            }
            using (document)
            {
                open.AddRange(Read(document.RootElement, source));
            }
            next = NextPage(response, root);
        }
        return open;
    }

    private static IEnumerable<OpenPullRequest> Read(JsonElement list, PullRequestSource source)
    {
        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new ForgeApiException($"{source.Forge} sent no list for the pull requests of {source.Repository}.");
        }
        var gitlab = source.Forge == "gitlab";
        foreach (var item in list.EnumerateArray())
        {
            var number = item.TryGetProperty(gitlab ? "iid" : "number", out var n) && n.TryGetInt32(out var value) ? value : 0;
            var head = gitlab
                ? Text(item, "sha")
                : item.TryGetProperty("head", out var h) && h.ValueKind == JsonValueKind.Object ? Text(h, "sha") : null;
            if (number <= 0 || string.IsNullOrEmpty(head))
            {
                throw new ForgeApiException($"{source.Forge} listed a pull request of {source.Repository} without a number or head commit.");
            }
            yield return new OpenPullRequest(number, head, Text(item, "title") ?? "");
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static void Authorize(HttpRequestMessage request, string forge, string? token)
    {
        if (forge == "github")
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.github+json"));
            request.Headers.Add("X-GitHub-Api-Version", "2022-11-28");
        }
        else
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        }
        if (string.IsNullOrEmpty(token))
        {
            return;
        }
        switch (forge)
        {
            case "gitlab": request.Headers.Add("PRIVATE-TOKEN", token); break;
            case "gitea": request.Headers.Authorization = new AuthenticationHeaderValue("token", token); break;
            default: request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token); break;
        }
    }

    /// <summary>The <c>rel="next"</c> link, only when it stays on the API's origin: the token is never sent elsewhere.</summary>
    private static Uri? NextPage(HttpResponseMessage response, Uri root)
    {
        if (!response.Headers.TryGetValues("Link", out var values))
        {
            return null;
        }
        foreach (var link in values.SelectMany(v => v.Split(',')))
        {
            var parts = link.Split(';', StringSplitOptions.TrimEntries);
            if (parts.Length < 2 || !parts[0].StartsWith('<') || !parts[0].EndsWith('>')
                || !parts.Skip(1).Any(p => p.Replace(" ", "", StringComparison.Ordinal) is "rel=\"next\"" or "rel=next"))
            {
                continue;
            }
            return Uri.TryCreate(root, parts[0][1..^1], out var next) && next.Scheme == root.Scheme && next.Authority == root.Authority
                ? next
                : throw new ForgeApiException($"The forge's next page {parts[0]} is not on {root.GetLeftPart(UriPartial.Authority)}.");
        }
        return null;
    }
}
