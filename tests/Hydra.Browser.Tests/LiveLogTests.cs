using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hydra.EndToEnd.Tests;
using Hydra.Queue.Workers;
using Hydra.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Hydra.Browser.Tests;

/// <summary>
/// A developer watches a running build's log grow in the browser (Server-Sent Events), and a maintainer restarts a
/// failed build: a real hydra-builder builds real derivations for the farm.
/// </summary>
public sealed class LiveLogTests(BrowserFarm farm) : IClassFixture<BrowserFarm>, IAsyncLifetime
{
    private BuilderProcesses _builders = null!;

    public Task InitializeAsync()
    {
        _builders = new BuilderProcesses(farm.DataDir);
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _builders.StopAllAsync();

    [Fact]
    public async Task A_running_builds_log_streams_into_the_page_and_a_failed_build_is_restarted()
    {
        using var repository = new GitRepository();
        var salt = Guid.NewGuid().ToString("N");
        // "slow" writes a line every 0.4 s for about 8 s, coloured and with an error line in the middle.
        var slow = NixTestEnvironment.Derivation("slow",
            "for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do printf 'line %s \\\\033[32mgreen\\\\033[0m\\\\n' $i; " +
            "if [ $i = 10 ]; then echo 'error: halfway there'; fi; sleep 0.4; done; echo done > $out", salt);
        var fails = NixTestEnvironment.Derivation("fails", "echo boom; exit 1", salt);
        repository.Commit("jobs", ("release.nix", $"{{ src }}:\n{{\n{slow}\n{fails}\n}}\n"));

        using var api = await ApiAsync();
        (await api.PutAsJsonAsync("/project/live", new { displayname = "Live", enabled = true, visible = true, owner = "admin" })).EnsureSuccessStatusCode();
        (await api.PutAsJsonAsync("/jobset/live/main", new
        {
            nixexprinput = "src", nixexprpath = "release.nix", enabled = 1, visible = true, checkinterval = 0, schedulingshares = 100, keepnr = 3,
            inputs = new { src = new { type = "git", value = $"{repository.Url} main", emailresponsible = false } },
        })).EnsureSuccessStatusCode();
        var builds = await WaitForBuildsAsync(api, "live", "main", 2);
        var token = await farm.Services.GetRequiredService<WorkerTokens>().CreateOrRotateAsync("browser-builder", CancellationToken.None);
        await _builders.StartAsync(farm.Url, "browser-builder", token, maxJobs: 2);

        var page = await farm.NewPageAsync();
        var consoleErrors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                consoleErrors.Add($"{message.Text} ({message.Location})");
            }
        };
        await SignInAsync(page);

        // Opened before or while the step runs, the page follows it: lines arrive without a reload.
        await page.GotoAsync($"/build/{builds["slow"]}/log");
        await Expect(page.Locator("#log-live")).ToBeVisibleAsync();
        var log = page.Locator("#log li");
        await Expect(log.Filter(new() { HasText = "line 3 green" })).ToHaveCountAsync(1, new() { Timeout = 120_000 });
        await farm.ScreenshotAsync(page, "12-log-live");
        var linesSeenLive = await log.CountAsync();
        await Expect(log.Filter(new() { HasText = "line 20 green" })).ToHaveCountAsync(1, new() { Timeout = 120_000 });
        Assert.True(linesSeenLive < await log.CountAsync(), "no line arrived after the first ones");
        await Expect(page.Locator("#log-live")).ToContainTextAsync("The step finished: Succeeded", new() { Timeout = 60_000 });
        // The error line is marked and linked from the top. (Nix 2.8 strips colours from build output that does not
        // go to a terminal, so the colour classes are tested in AnsiRendererTests and LogPageTests.)
        await Expect(page.Locator("#first-error-link")).ToHaveAttributeAsync("href", new Regex("^#L\\d+$"));
        await Expect(page.Locator("#log li.error").Filter(new() { HasText = "error: halfway there" })).ToHaveCountAsync(1);
        // Each line once: the stream resumed exactly where the page ended.
        for (var i = 1; i <= 20; i++)
        {
            await Expect(log.Filter(new() { HasTextRegex = new Regex($"line {i} green$") })).ToHaveCountAsync(1);
        }
        await farm.ScreenshotAsync(page, "13-log-finished");

        // The failed build: its page offers Restart; after it the build is queued again and fails a second time.
        var firstStop = await WaitForFinishedAsync(api, builds["fails"], after: 0);
        await page.GotoAsync($"/build/{builds["fails"]}");
        await Expect(page.Locator(".summary")).ToContainTextAsync("Failed");
        var restart = page.GetByRole(AriaRole.Button, new() { Name = "Restart", Exact = true });
        await Expect(restart).ToBeEnabledAsync();
        // The form posts and the server redirects back to the build page.
        var response = await page.RunAndWaitForResponseAsync(
            () => restart.ClickAsync(), r => r.Request.Method == "POST" && r.Url.EndsWith("/restart", StringComparison.Ordinal));
        Assert.True(response.Status is >= 200 and < 400, $"restart answered {response.Status}");
        await Expect(page).ToHaveURLAsync(new Regex($"/build/{builds["fails"]}$"));
        // Finished again, later: it was queued and built once more.
        await WaitForFinishedAsync(api, builds["fails"], after: firstStop);
        await page.ReloadAsync();
        await Expect(page.Locator(".summary")).ToContainTextAsync("Failed");
        await farm.ScreenshotAsync(page, "14-build-restarted");
        Assert.True(consoleErrors.Count == 0, string.Join("\n", consoleErrors));
    }

    private async Task<HttpClient> ApiAsync()
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(farm.Url) };
        client.DefaultRequestHeaders.Add("Origin", farm.Url);
        client.DefaultRequestHeaders.Add("Accept", "application/json");
        (await client.PostAsJsonAsync("/login", new { username = "admin", password = BrowserFarm.AdminPassword })).EnsureSuccessStatusCode();
        return client;
    }

    private static async Task SignInAsync(IPage page)
    {
        await page.GotoAsync("/login");
        await page.GetByLabel("User name").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync(BrowserFarm.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator(".topbar .user")).ToContainTextAsync("admin");
    }

    /// <summary>The builds of the jobset's first evaluation by job, once it has <paramref name="count"/>.</summary>
    private static async Task<Dictionary<string, long>> WaitForBuildsAsync(HttpClient api, string project, string jobset, int count)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            var evals = (await api.GetFromJsonAsync<JsonElement>($"/jobset/{project}/{jobset}/evals")).GetProperty("evals");
            if (evals.GetArrayLength() > 0)
            {
                var ids = evals[0].GetProperty("builds").EnumerateArray().Select(b => b.GetInt64()).ToList();
                if (ids.Count >= count)
                {
                    var builds = new Dictionary<string, long>();
                    foreach (var id in ids)
                    {
                        builds[(await api.GetFromJsonAsync<JsonElement>($"/build/{id}")).GetProperty("job").GetString()!] = id;
                    }
                    return builds;
                }
            }
            Assert.True(DateTime.UtcNow < deadline, "the jobset was not evaluated within 3 minutes");
            await Task.Delay(500);
        }
    }

    /// <summary>Waits until the build is finished with a stop time after <paramref name="after"/> (Unix seconds); returns that time.</summary>
    private static async Task<long> WaitForFinishedAsync(HttpClient api, long buildId, long after)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            var build = await api.GetFromJsonAsync<JsonElement>($"/build/{buildId}");
            if (build.GetProperty("finished").GetInt32() == 1 && build.GetProperty("stoptime").GetInt64() > after)
            {
                return build.GetProperty("stoptime").GetInt64();
            }
            Assert.True(DateTime.UtcNow < deadline, $"build {buildId} did not finish after {after} within 3 minutes: {build}");
            await Task.Delay(500);
        }
    }
}
