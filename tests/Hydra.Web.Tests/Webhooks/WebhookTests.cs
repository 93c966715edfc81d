using System.Net;
using System.Net.Http.Json;
using System.Text;
using Hydra.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using static Hydra.Web.Tests.Webhooks.WebhookRequests;

namespace Hydra.Web.Tests.Webhooks;

public sealed class WebhookTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    private readonly WebApplicationFactory<Program> _server = factory.WithWebHostBuilder(builder =>
    {
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    });

    private sealed record Triggered(List<string> JobsetsTriggered);

    private async Task<List<string>> SendAsync(HttpRequestMessage request)
    {
        var response = await _server.CreateClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Triggered>())!.JobsetsTriggered;
    }

    private async Task<List<string>> TriggeredAsync(string project)
    {
        List<string> names = [];
        await factory.WithDbAsync(async db => names = await WebhookJobsets.TriggeredAsync(db, project));
        return names;
    }

    [Fact]
    public async Task A_GitHub_push_triggers_exactly_the_jobsets_pointing_at_the_repository_in_any_url_form()
    {
        await factory.WithDbAsync(async db =>
        {
            await WebhookJobsets.AddAsync(db, "gh", "https", "https://github.com/Acme/Widget.git main");
            await WebhookJobsets.AddAsync(db, "gh", "ssh", "git@github.com:acme/widget.git branch=dev deepClone=true");
            await WebhookJobsets.AddAsync(db, "gh", "sshurl", "ssh://git@github.com:22/acme/widget");
            await WebhookJobsets.AddAsync(db, "gh", "flake", flake: "github:acme/widget/main");
            await WebhookJobsets.AddAsync(db, "gh", "gitflake", flake: "git+https://github.com/acme/widget?ref=main");
            await WebhookJobsets.AddAsync(db, "gh", "longer", "https://github.com/acme/widget2.git");
            await WebhookJobsets.AddAsync(db, "gh", "deeper", "https://github.com/org/acme/widget.git");
            await WebhookJobsets.AddAsync(db, "gh", "otherhost", "https://gitea.example.org/acme/widget.git");
            await WebhookJobsets.AddAsync(db, "gh", "disabled", "https://github.com/acme/widget.git", enabled: 0);
        });

        var triggered = await SendAsync(GitHub("push", Push("acme/widget")));

        string[] expected = ["gh:flake", "gh:gitflake", "gh:https", "gh:ssh", "gh:sshurl"];
        Assert.Equal(expected, triggered.Order());
        Assert.Equal(expected, await TriggeredAsync("gh"));
    }

    [Fact]
    public async Task Wildcards_in_the_pushed_name_match_only_themselves()
    {
        await factory.WithDbAsync(async db =>
        {
            await WebhookJobsets.AddAsync(db, "wild", "widget", "https://github.com/wild/widget.git");
            await WebhookJobsets.AddAsync(db, "wild", "underscore", "https://github.com/wild/wid_et.git");
        });

        Assert.Empty(await SendAsync(GitHub("push", Push("wild/wi%et"))));
        Assert.Equal(["wild:underscore"], await SendAsync(GitHub("push", Push("wild/wid_et"))));
        Assert.Equal(["wild:underscore"], await TriggeredAsync("wild"));
    }

    [Fact]
    public async Task A_Gitea_push_triggers_the_jobsets_of_its_repository()
    {
        await factory.WithDbAsync(async db =>
        {
            await WebhookJobsets.AddAsync(db, "tea", "main", "https://gitea.example.org/acme/teapot.git");
            await WebhookJobsets.AddAsync(db, "tea", "github", "https://github.com/acme/teapot.git");
        });

        Assert.Equal(["tea:main"], await SendAsync(Gitea("push", Push("acme/teapot", host: "gitea.example.org"))));
        Assert.Equal(["tea:main"], await TriggeredAsync("tea"));
    }

    [Fact]
    public async Task A_GitLab_push_triggers_the_jobsets_of_its_project_in_subgroups()
    {
        await factory.WithDbAsync(async db =>
        {
            await WebhookJobsets.AddAsync(db, "lab", "main", "git@gitlab.example.org:group/sub/widget.git");
            await WebhookJobsets.AddAsync(db, "lab", "parent", "https://gitlab.example.org/group/widget.git");
        });

        Assert.Equal(["lab:main"], await SendAsync(GitLab("Push Hook", GitLabPush("group/sub/widget"))));
        Assert.Equal(["lab:main"], await TriggeredAsync("lab"));
    }

    [Fact]
    public async Task Events_the_farm_does_not_act_on_trigger_nothing()
    {
        await factory.WithDbAsync(db => WebhookJobsets.AddAsync(db, "ping", "main", "https://github.com/acme/ping.git"));

        Assert.Empty(await SendAsync(GitHub("ping", """{"zen":"Keep it logically awesome.","repository":{"full_name":"acme/ping"}}""")));
        Assert.Empty(await SendAsync(GitLab("Tag Push Hook", GitLabPush("acme/ping"))));
        Assert.Empty(await TriggeredAsync("ping"));
    }

    public static TheoryData<string> HostileCases() =>
    [
        "no-signature", "wrong-signature", "signature-of-another-body", "signature-not-hex", "sha1-signature", "truncated-json",
        "huge-body", "huge-body-without-length", "deep-nesting", "wrong-content-type", "form-content-type", "no-delivery-id",
        "not-a-push", "gitea-wrong-signature", "gitea-github-style-signature", "gitlab-no-token", "gitlab-wrong-token",
    ];

    [Theory]
    [MemberData(nameof(HostileCases))]
    public async Task Hostile_requests_get_a_4xx_and_trigger_nothing(string hostile)
    {
        var project = "h" + hostile.Replace("-", "", StringComparison.Ordinal);
        var repository = $"acme/{project}";
        await factory.WithDbAsync(async db =>
        {
            await WebhookJobsets.AddAsync(db, project, "github", $"https://github.com/{repository}.git");
            await WebhookJobsets.AddAsync(db, project, "gitea", $"https://gitea.example.org/{repository}.git");
            await WebhookJobsets.AddAsync(db, project, "gitlab", $"https://gitlab.example.org/{repository}.git");
        });
        var push = Push(repository);
        var request = hostile switch
        {
            "no-signature" => Without(GitHub("push", push), "X-Hub-Signature-256"),
            "wrong-signature" => GitHub("push", push, signature: "sha256=" + Hmac("not-the-secret", Encoding.UTF8.GetBytes(push))),
            "signature-of-another-body" => GitHub("push", push, signature: "sha256=" + Hmac(GitHubSecret, Encoding.UTF8.GetBytes(Push("acme/other")))),
            "signature-not-hex" => GitHub("push", push, signature: "sha256=" + new string('z', 64)),
            "sha1-signature" => GitHub("push", push, signature: "sha1=" + Hmac(GitHubSecret, Encoding.UTF8.GetBytes(push))[..40]),
            "truncated-json" => GitHub("push", push[..(push.Length / 2)]),
            "huge-body" => GitHub("push", push[..^1] + $",\"padding\":\"{new string('x', 70_000)}\"}}"),
            "huge-body-without-length" => Chunked(GitHub("push", push[..^1] + $",\"padding\":\"{new string('x', 70_000)}\"}}")),
            "deep-nesting" => GitHub("push", push[..^1] + ",\"deep\":" + new string('[', 5000) + new string(']', 5000) + "}"),
            "wrong-content-type" => WithContentType(GitHub("push", push), "text/plain"),
            "form-content-type" => WithContentType(GitHub("push", push), "application/x-www-form-urlencoded"),
            "no-delivery-id" => Without(GitHub("push", push), "X-GitHub-Delivery"),
            "not-a-push" => GitHub("push", """{"repository":{"full_name":"acme/x"}}"""),
            "gitea-wrong-signature" => Gitea("push", Push(repository, "gitea.example.org"), signature: Hmac(GitHubSecret, Encoding.UTF8.GetBytes(push))),
            "gitea-github-style-signature" => Gitea("push", push, signature: "sha256=" + Hmac(GiteaSecret, Encoding.UTF8.GetBytes(push))),
            "gitlab-no-token" => GitLab("Push Hook", GitLabPush(repository), token: null),
            "gitlab-wrong-token" => GitLab("Push Hook", GitLabPush(repository), token: GitLabSecret + "x"),
            _ => throw new ArgumentOutOfRangeException(nameof(hostile)),
        };

        var response = await _server.CreateClient().SendAsync(request);

        var status = (int)response.StatusCode;
        Assert.True(status is >= 400 and < 500, $"{hostile}: {status} {await response.Content.ReadAsStringAsync()}");
        Assert.Empty(await TriggeredAsync(project));
    }

    [Fact]
    public async Task A_replayed_delivery_id_is_refused_and_triggers_nothing_more()
    {
        await factory.WithDbAsync(db => WebhookJobsets.AddAsync(db, "replay", "main", "https://github.com/acme/replay.git"));
        var delivery = Guid.NewGuid().ToString();
        Assert.Equal(["replay:main"], await SendAsync(GitHub("push", Push("acme/replay"), delivery)));
        await factory.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("UPDATE jobsets SET trigger_time = NULL WHERE project_id = (SELECT id FROM projects WHERE name = 'replay')"));

        var replay = await _server.CreateClient().SendAsync(GitHub("push", Push("acme/replay"), delivery));

        Assert.Equal(HttpStatusCode.Conflict, replay.StatusCode);
        Assert.Empty(await TriggeredAsync("replay"));
        // The same id from another forge is another delivery.
        var gitea = Gitea("push", Push("acme/replay", "github.com"));
        gitea.Headers.Remove("X-Gitea-Delivery");
        gitea.Headers.Add("X-Gitea-Delivery", delivery);
        Assert.Equal(["replay:main"], await SendAsync(gitea));
    }

    [Fact]
    public async Task An_expired_delivery_id_is_handled_again()
    {
        await factory.WithDbAsync(db => WebhookJobsets.AddAsync(db, "expired", "main", "https://github.com/acme/expired.git"));
        var delivery = Guid.NewGuid().ToString();
        Assert.Single(await SendAsync(GitHub("push", Push("acme/expired"), delivery)));
        await factory.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(
            "UPDATE webhook_deliveries SET expires_at = now() - interval '1 minute' WHERE delivery_id = {0}", delivery));

        Assert.Single(await SendAsync(GitHub("push", Push("acme/expired"), delivery)));
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task Other_methods_are_refused(string method)
    {
        await factory.WithDbAsync(db => WebhookJobsets.AddAsync(db, "method" + method, "main", $"https://github.com/acme/method{method}.git"));
        var request = GitHub("push", Push($"acme/method{method}"));
        request.Method = new HttpMethod(method);

        var response = await _server.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Empty(await TriggeredAsync("method" + method));
    }

    [Fact]
    public async Task Without_a_configured_secret_every_forge_refuses()
    {
        await factory.WithDbAsync(db => WebhookJobsets.AddAsync(db, "nosecret", "main", "https://github.com/acme/nosecret.git"));
        var client = factory.CreateClient();

        foreach (var request in new[] { GitHub("push", Push("acme/nosecret")), Gitea("push", Push("acme/nosecret")), GitLab("Push Hook", GitLabPush("acme/nosecret")) })
        {
            var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        Assert.Empty(await TriggeredAsync("nosecret"));
    }

    private static HttpRequestMessage Without(HttpRequestMessage request, string header)
    {
        request.Headers.Remove(header);
        return request;
    }

    private static HttpRequestMessage WithContentType(HttpRequestMessage request, string type)
    {
        request.Content!.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(type);
        return request;
    }

    /// <summary>The same body sent without Content-Length, so only the read limit can stop it.</summary>
    private static HttpRequestMessage Chunked(HttpRequestMessage request)
    {
        var bytes = request.Content!.ReadAsByteArrayAsync().GetAwaiter().GetResult();
        var content = new StreamContent(new MemoryStream(bytes));
        content.Headers.ContentType = request.Content.Headers.ContentType;
        request.Content = content;
        request.Headers.TransferEncodingChunked = true;
        return request;
    }
}
