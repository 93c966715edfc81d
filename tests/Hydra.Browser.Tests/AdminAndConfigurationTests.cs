using System.Text.RegularExpressions;
using Hydra.Testing;
using Hydra.Web.Pages.Jobsets;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Hydra.Browser.Tests;

/// <summary>
/// An admin sets up a worker and a maintainer; the maintainer configures a jobset in the editor, which checks the
/// fields as they type, clones it and deletes the clone. Every wait is on an element or a URL.
/// </summary>
public sealed class AdminAndConfigurationTests(BrowserFarm farm) : IClassFixture<BrowserFarm>
{
    [Fact]
    public async Task An_admin_adds_a_worker_and_a_maintainer_who_edits_clones_and_deletes_a_jobset()
    {
        var consoleErrors = new List<string>();
        var admin = await farm.NewPageAsync();
        admin.Console += (_, message) => Collect(consoleErrors, message);
        await DashboardTests.SignInAsync(admin, "admin", BrowserFarm.AdminPassword);

        await admin.GetByRole(AriaRole.Link, new() { Name = "Admin", Exact = true }).ClickAsync();
        await Expect(admin.GetByRole(AriaRole.Heading, new() { Name = "Administration" })).ToBeVisibleAsync();
        await farm.ScreenshotAsync(admin, "20-admin-background-work");

        await admin.GetByRole(AriaRole.Link, new() { Name = "Workers", Exact = true }).ClickAsync();
        await Expect(admin.Locator(".empty")).ToContainTextAsync("No workers yet.");
        await admin.GetByLabel("Worker name").FillAsync("builder-7");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Create worker token" }).ClickAsync();
        await Expect(admin.Locator("#new-worker-token")).ToHaveTextAsync(new Regex("^hw_[0-9a-f]{48}$"));
        await Expect(admin.Locator("table")).ToContainTextAsync("builder-7");
        await farm.ScreenshotAsync(admin, "21-admin-workers");

        await admin.GetByRole(AriaRole.Link, new() { Name = "Users", Exact = true }).ClickAsync();
        await admin.GetByLabel("User name").FillAsync("maint");
        await admin.Locator("#field-password").FillAsync("maint-pw");
        await admin.GetByLabel("Full name").FillAsync("Mai Ntainer");
        await admin.Locator("#field-roles-create-projects").CheckAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "Create user" }).ClickAsync();
        await Expect(admin).ToHaveURLAsync(new Regex("/admin/users$"));
        var row = admin.Locator("tr", new() { HasText = "Mai Ntainer" });
        await Expect(row.Locator("input[value='create-projects']")).ToBeCheckedAsync();
        await farm.ScreenshotAsync(admin, "22-admin-users");

        using var repository = new GitRepository();
        repository.Commit("first", ("release.nix", $"{{ src }}:\n{{\n{NixTestEnvironment.Derivation("hello", "echo hi > $out", "admin-test")}\n}}\n"));
        var maintainer = await farm.NewPageAsync();
        maintainer.Console += (_, message) => Collect(consoleErrors, message);
        await DashboardTests.SignInAsync(maintainer, "maint", "maint-pw");
        await CreateProjectAndJobsetAsync(maintainer, repository.Url);

        await maintainer.GetByRole(AriaRole.Link, new() { Name = "Edit jobset" }).ClickAsync();
        await Expect(maintainer.GetByRole(AriaRole.Heading, new() { Name = "Edit jobset mproj:main" })).ToBeVisibleAsync();
        var value = maintainer.Locator("#field-input-0-value");
        var valueError = maintainer.Locator("#error-input-0-value");
        await value.FillAsync($"{repository.Url} feature..x");
        await Expect(valueError).ToHaveTextAsync(JobsetFormRules.Rules["value-git"].Message!);
        await farm.ScreenshotAsync(maintainer, "23-jobset-editor-invalid");
        await value.FillAsync($"{repository.Url} main");
        await Expect(valueError).ToBeEmptyAsync();
        await maintainer.GetByLabel("Description").FillAsync("Edited in a browser");
        await maintainer.GetByRole(AriaRole.Button, new() { Name = "Save jobset" }).ClickAsync();
        await Expect(maintainer).ToHaveURLAsync(new Regex("/jobset/mproj/main$"));
        await Expect(maintainer.Locator("main")).ToContainTextAsync("Edited in a browser");

        await maintainer.GetByRole(AriaRole.Link, new() { Name = "Clone jobset" }).ClickAsync();
        await maintainer.GetByLabel("Name of the copy").FillAsync("main staging");
        await Expect(maintainer.Locator("#error-name")).ToHaveTextAsync(JobsetFormRules.Rules["name"].Message!);
        await maintainer.GetByLabel("Name of the copy").FillAsync("staging");
        await farm.ScreenshotAsync(maintainer, "24-jobset-clone");
        await maintainer.GetByRole(AriaRole.Button, new() { Name = "Create the copy" }).ClickAsync();
        await Expect(maintainer).ToHaveURLAsync(new Regex("/jobset/mproj/staging$"));

        await maintainer.GetByRole(AriaRole.Link, new() { Name = "Delete jobset" }).ClickAsync();
        await maintainer.GetByLabel("Type staging to confirm").FillAsync("staging");
        await farm.ScreenshotAsync(maintainer, "25-jobset-delete");
        await maintainer.GetByRole(AriaRole.Button, new() { Name = "Delete jobset mproj:staging" }).ClickAsync();
        await Expect(maintainer).ToHaveURLAsync(new Regex("/project/mproj$"));
        await Expect(maintainer.Locator("a[href='/jobset/mproj/staging']")).ToHaveCountAsync(0);
        await Expect(maintainer.Locator("a[href='/jobset/mproj/main']")).ToHaveCountAsync(1);

        await maintainer.GetByRole(AriaRole.Link, new() { Name = "Edit project" }).ClickAsync();
        await Expect(maintainer.Locator(".empty")).ToContainTextAsync("No members");
        await farm.ScreenshotAsync(maintainer, "26-project-edit");
        Assert.Empty(consoleErrors);
    }

    private static async Task CreateProjectAndJobsetAsync(IPage page, string repositoryUrl)
    {
        await page.GotoAsync("/create-project");
        await page.GetByLabel("Identifier").FillAsync("mproj");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create project" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/project/mproj$"));
        await page.GetByRole(AriaRole.Link, new() { Name = "Create jobset" }).ClickAsync();
        await page.GetByLabel("Identifier").FillAsync("main");
        await page.GetByLabel("Input value").FillAsync($"{repositoryUrl} main");
        await page.GetByLabel("Check interval (seconds)").FillAsync("0");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create jobset" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/jobset/mproj/main$"));
    }

    /// <summary>A Content-Security-Policy violation (an inline script or style) is reported on the console as an error.</summary>
    private static void Collect(List<string> errors, IConsoleMessage message)
    {
        if (message.Type == "error")
        {
            errors.Add(message.Text);
        }
    }
}
