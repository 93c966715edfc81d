using Hydra.Testing;
using Hydra.Web;
using Hydra.Web.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Hydra.Browser.Tests;

/// <summary>
/// The real server (all roles, so jobsets are evaluated with real Nix) on a loopback port, and Debian's
/// Chromium driven by Playwright. Chromium comes from <c>apt-get install chromium</c> (<c>./dev.sh test</c>
/// installs it); Playwright's own browser download is never used. Screenshots go to
/// <c>$HYDRA_SCREENSHOT_DIR</c>, else <c>TestResults/screenshots</c> under the test output.
/// </summary>
public sealed class BrowserFarm : IAsyncLifetime
{
    public const string AdminPassword = "browser-admin-pw";

    private WebApplication? _app;
    private IPlaywright? _playwright;
    private string _connectionString = "";

    public string DataDir { get; } = Directory.CreateTempSubdirectory("hydra-browser-").FullName;

    public string Url { get; private set; } = "";

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The server's services (worker tokens, the database).</summary>
    public IServiceProvider Services => _app!.Services;

    public string ScreenshotDir { get; } = Environment.GetEnvironmentVariable("HYDRA_SCREENSHOT_DIR") is { Length: > 0 } dir
        ? dir
        : Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    /// <summary>Debian's Chromium, or <c>$HYDRA_CHROMIUM</c>.</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("HYDRA_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: apt-get install -y chromium (./dev.sh test does this).");
        }
        NixTestEnvironment.Apply();
        Directory.CreateDirectory(ScreenshotDir);
        _connectionString = await TestDatabase.CreateAsync();
        _app = HydraServer.Build(
        [
            "--urls", "http://127.0.0.1:0",
            "--contentRoot", WebProjectDirectory(),
            $"--ConnectionStrings:Hydra={_connectionString}",
            $"--Hydra:DataDir={DataDir}",
            "--Hydra:Evaluator:PollInterval=00:00:01",
            "--Serilog:MinimumLevel:Default=Warning",
        ]);
        await _app.StartAsync();
        Url = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        await CreateUserAsync("admin", AdminPassword, HydraRoles.Admin);

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true });
    }

    public async Task CreateUserAsync(string name, string password, params string[] roles)
    {
        await using var scope = _app!.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<UserService>().CreateOrUpdateUserAsync(name, password, roles, CancellationToken.None);
    }

    /// <summary>A fresh browser context (its own cookies) with a page on the farm.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Url, ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        // Generous: the machine is shared, and an evaluation runs real Nix.
        context.SetDefaultTimeout(60_000);
        return await context.NewPageAsync();
    }

    public Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDir, name + ".png"), FullPage = true });

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        _playwright?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        await TestDatabase.DropAsync(_connectionString);
        Directory.Delete(DataDir, recursive: true);
    }

    /// <summary>Hydra.Web's source folder, whose wwwroot the pages' stylesheet comes from.</summary>
    private static string WebProjectDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Hydra.sln")))
            {
                return Path.Combine(dir.FullName, "Hydra.Web");
            }
        }
        throw new InvalidOperationException($"No Hydra.sln above {AppContext.BaseDirectory}.");
    }
}
