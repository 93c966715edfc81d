using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hydra.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Hydra.Browser.Tests;

/// <summary>What a person does in the dashboard, in a real browser: every wait is on an element or a URL, none on time.</summary>
public sealed class DashboardTests(BrowserFarm farm) : IClassFixture<BrowserFarm>
{
    [Fact]
    public async Task A_maintainer_signs_in_creates_a_project_and_a_jobset_and_triggers_an_evaluation()
    {
        using var repository = new GitRepository();
        repository.Commit("first", ("release.nix", Release("hello", "first")));
        var page = await farm.NewPageAsync();
        // A Content-Security-Policy violation (an inline style, say) is reported on the console as an error.
        var consoleErrors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                consoleErrors.Add(message.Text);
            }
        };

        await SignInAsync(page, "admin", BrowserFarm.AdminPassword);
        await farm.ScreenshotAsync(page, "01-projects-empty");

        await page.GetByRole(AriaRole.Link, new() { Name = "Create project" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Create project" })).ToBeVisibleAsync();
        await page.GetByLabel("Identifier").FillAsync("demo");
        await page.GetByLabel("Display name").FillAsync("Demo project");
        await page.GetByLabel("Description").FillAsync("Made in a browser");
        await farm.ScreenshotAsync(page, "02-create-project");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create project" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/project/demo$"));

        await page.GetByRole(AriaRole.Link, new() { Name = "Create jobset" }).ClickAsync();
        await page.GetByLabel("Identifier").FillAsync("main");
        await page.GetByLabel("Input value").FillAsync($"{repository.Url} main");
        await page.GetByLabel("Path of the expression in the input").FillAsync("release.nix");
        await page.GetByLabel("Check interval (seconds)").FillAsync("0");
        await farm.ScreenshotAsync(page, "03-create-jobset");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create jobset" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/jobset/demo/main$"));

        // A new jobset is evaluated at once; then a new commit and the Evaluate button make a second evaluation.
        await WaitForEvaluationsAsync(1);
        repository.Commit("second", ("release.nix", Release("hello", "second")));
        await page.ReloadAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Evaluate", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/jobset/demo/main$"));
        await WaitForEvaluationsAsync(2);
        await page.ReloadAsync();
        var evalLinks = page.Locator("a[href^='/eval/']");
        await Expect(evalLinks).ToHaveCountAsync(2);
        await farm.ScreenshotAsync(page, "04-jobset");

        await evalLinks.First.ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/eval/\\d+$"));
        await farm.ScreenshotAsync(page, "05-evaluation");
        await page.Locator("a[href^='/build/']").First.ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/build/\\d+$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Build steps" })).ToBeVisibleAsync();
        await farm.ScreenshotAsync(page, "06-build");

        foreach (var (path, name) in new[] { ("/", "07-projects"), ("/project/demo", "08-project"), ("/machines", "09-machines"), ("/status/evaluations", "10-evaluations"), ("/user/tokens", "11-api-tokens") })
        {
            await page.GotoAsync(path);
            await Expect(page.Locator("h1")).ToBeVisibleAsync();
            await farm.ScreenshotAsync(page, name);
        }
        Assert.Empty(consoleErrors);
    }

    [Fact]
    public async Task A_user_without_create_projects_is_refused_with_the_reason()
    {
        await farm.CreateUserAsync("reader", "reader-pw");
        var page = await farm.NewPageAsync();
        await SignInAsync(page, "reader", "reader-pw");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Create project" })).ToHaveCountAsync(0);

        var response = await page.GotoAsync("/create-project");

        Assert.Equal(403, response!.Status);
        await Expect(page.Locator(".alert")).ToContainTextAsync("Creating projects needs the admin or create-projects role.");
        await farm.ScreenshotAsync(page, "12-role-refused");
    }

    [Fact]
    public async Task A_wrong_password_shows_the_form_again_with_the_reason()
    {
        var page = await farm.NewPageAsync();
        await page.GotoAsync("/login");
        await page.GetByLabel("User name").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync("not-the-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page.Locator(".alert")).ToContainTextAsync("Bad username or password.");
        await farm.ScreenshotAsync(page, "00-login-refused");
    }

    internal static async Task SignInAsync(IPage page, string user, string password)
    {
        await page.GotoAsync("/login");
        await page.GetByLabel("User name").FillAsync(user);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator(".topbar .user")).ToContainTextAsync(user);
    }

    /// <summary>Polls the jobset's JSON until it has <paramref name="count"/> evaluations (the evaluator works in the background).</summary>
    private async Task WaitForEvaluationsAsync(int count)
    {
        using var client = new HttpClient { BaseAddress = new Uri(farm.Url) };
        client.DefaultRequestHeaders.Add("Accept", "application/json");
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            var evals = await client.GetFromJsonAsync<JsonElement>("/jobset/demo/main/evals");
            var found = evals.GetProperty("evals").GetArrayLength();
            if (found >= count)
            {
                return;
            }
            var jobset = await client.GetFromJsonAsync<JsonElement>("/jobset/demo/main");
            Assert.True(DateTime.UtcNow < deadline, $"{found} evaluation(s) after 3 minutes, expected {count}; jobset: {jobset}");
            // The evaluator polls every second; asking again sooner would only load the server.
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
    }

    private static string Release(string job, string salt) =>
        $"{{ src }}:\n{{\n{NixTestEnvironment.Derivation(job, "echo hi > $out", salt)}\n}}\n";
}
