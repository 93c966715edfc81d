using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using Hydra.Core.Notifications;
using Hydra.Core.Notifications.Sinks;
using Hydra.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Npgsql;
using static Microsoft.Playwright.Assertions;

namespace Hydra.Browser.Tests;

/// <summary>
/// A maintainer adds a signed webhook on the project's notifications page: the form refuses a bad URL and job pattern
/// with its messages, the secret is never shown back, and "Send test" goes through the outbox to a local receiver,
/// whose delivery the page then shows. Every wait is on an element, a URL or the receiver.
/// </summary>
public sealed class NotificationSinkTests(BrowserFarm farm) : IClassFixture<BrowserFarm>
{
    private const string Secret = "browser-webhook-secret";

    [Fact]
    public async Task A_maintainer_adds_a_webhook_fixes_what_the_form_refuses_and_its_test_event_arrives_signed()
    {
        var received = new ConcurrentQueue<(string Event, string Signature, string Body)>();
        await using var receiver = LoopbackApp.Create();
        receiver.Run(async http =>
        {
            using var reader = new StreamReader(http.Request.Body);
            received.Enqueue((http.Request.Headers["X-Hydra-Event"].ToString(), http.Request.Headers[SignedWebhookSink.SignatureHeader].ToString(),
                await reader.ReadToEndAsync()));
            await http.Response.WriteAsync("ok");
        });
        await receiver.StartAsync();
        // The project and jobset as rows: this test is about the notification pages, not evaluation.
        await using (var command = farm.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
            """
            INSERT INTO projects (name, display_name, owner, created_at) VALUES ('nproj', 'Notified', 'nmaint', now());
            INSERT INTO jobsets (project_id, name, nix_expr_input, nix_expr_path, created_at)
            SELECT id, 'main', 'src', 'release.nix', now() FROM projects WHERE name = 'nproj';
            """))
        {
            await command.ExecuteNonQueryAsync();
        }
        await farm.CreateUserAsync("nmaint", "nmaint-pw");
        var consoleErrors = new List<string>();
        var page = await farm.NewPageAsync();
        page.Console += (_, message) =>
        {
            // The refused form comes back as a 400 page, which Chromium reports; anything else (a CSP violation) is a failure.
            if (message.Type == "error" && !message.Text.Contains("status of 400", StringComparison.Ordinal))
            {
                consoleErrors.Add(message.Text);
            }
        };
        await DashboardTests.SignInAsync(page, "nmaint", "nmaint-pw");

        await page.GotoAsync("/project/nproj");
        await page.GetByRole(AriaRole.Link, new() { Name = "Notifications", Exact = true }).ClickAsync();
        await Expect(page.Locator(".empty")).ToContainTextAsync("No notification sinks yet");
        await page.GetByRole(AriaRole.Link, new() { Name = "Signed webhook", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Add a Signed webhook sink to nproj" })).ToBeVisibleAsync();

        await page.Locator("#field-name").FillAsync("deploy bot");
        await page.Locator("#field-jobs").FillAsync("tests [ab]");
        await page.Locator("[id='field-settings.url']").FillAsync("hooks.example.org/hydra");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add sink" }).ClickAsync();
        await Expect(page.Locator("[id='error-settings.url']")).ToContainTextAsync("is not an http:// or https:// URL with a host");
        await Expect(page.Locator("#error-jobs")).ToHaveTextAsync(NotificationSinkFields.JobsMessage);
        await farm.ScreenshotAsync(page, "40-notification-sink-invalid");

        await page.Locator("#field-jobs").FillAsync("*");
        await page.Locator("[id='field-settings.url']").FillAsync(receiver.Address() + "/hook");
        await page.Locator("[id='field-settings.secret']").FillAsync(Secret);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add sink" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/project/nproj/notifications$"));
        var row = page.Locator("tr", new() { HasText = "deploy bot" });
        await Expect(row).ToContainTextAsync("none yet");
        Assert.DoesNotContain(Secret, await page.ContentAsync());

        await row.GetByRole(AriaRole.Button, new() { Name = "Send test" }).ClickAsync();
        await Expect(page.Locator(".notice")).ToContainTextAsync("A test event is queued");
        // The server's delivery loop sends it; the page shows the result once it is recorded.
        for (var reload = 0; reload < 240 && await row.Locator(".badge-ok").CountAsync() == 0; reload++)
        {
            await Task.Delay(500);
            await page.ReloadAsync();
        }
        await Expect(row.Locator(".badge-ok")).ToHaveTextAsync("delivered");
        var (kind, signature, body) = Assert.Single(received);
        Assert.Equal(NotificationEventKinds.Test, kind);
        Assert.Equal(SignedWebhookSink.Sign(Secret, Encoding.UTF8.GetBytes(body)), signature);
        await farm.ScreenshotAsync(page, "41-notification-sinks");

        await row.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("deploy bot") }).ClickAsync();
        await Expect(page.Locator("[id='field-settings.secret']")).ToHaveValueAsync("");
        await Expect(page.Locator("#sink-form")).ToContainTextAsync("Stored and never shown");
        Assert.DoesNotContain(Secret, await page.ContentAsync());
        await farm.ScreenshotAsync(page, "42-notification-sink-edit");
        await page.GoBackAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = "Disable" }).ClickAsync();
        await Expect(row.Locator(".badge-queued", new() { HasText = "disabled" })).ToBeVisibleAsync();
        await Expect(row.GetByRole(AriaRole.Button, new() { Name = "Enable" })).ToBeVisibleAsync();
        Assert.Empty(consoleErrors);
    }
}
