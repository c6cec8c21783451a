using Microsoft.Playwright;

namespace Athomic.Scheduler.Dashboard.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium (<c>/usr/bin/chromium</c>, installed by .ci/run) driven headless by Microsoft.Playwright, whose
/// package ships its driver: nothing is downloaded. One browser per test collection, one context per test.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>How long an <c>Expect</c> waits for the page to show what it asserts.</summary>
    public const float ExpectTimeoutMilliseconds = 30_000;

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: <c>screenshots/</c> in the test output folder.</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: install Debian's chromium package (apt-get install -y chromium; .ci/run does it).");
        }

        Directory.CreateDirectory(ScreenshotDirectory);

        // `dotnet test` on the solution runs the test assemblies side by side: on two cores a 500-row page can take
        // longer than Playwright's 5 s default to arrive while the contention harness runs (CI saw a pager still on
        // page 4 after 5 s). These tests check what a page shows, not how fast; the scale test measures speed.
        Assertions.SetDefaultExpectTimeout(ExpectTimeoutMilliseconds);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true });
    }

    /// <summary>A fresh browser context (cookies of its own); with <paramref name="user"/>, every request names that user.</summary>
    public async Task<IPage> NewPageAsync(string? user = "operator")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1280, Height = 860 },
            ExtraHTTPHeaders = user is null ? null : new Dictionary<string, string> { [DashboardHost.UserHeader] = user },
        });
        return await context.NewPageAsync();
    }

    /// <summary>Saves a full-page screenshot as <c>screenshots/{name}.png</c> and returns its path.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(ScreenshotDirectory, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

/// <summary>The browser tests share one browser and one redis-server, one test at a time (two cores).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>, ICollectionFixture<RedisFixture>
{
    public const string Name = "browser";
}

/// <summary>One redis-server for the collection; each test uses a key prefix of its own.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private Testing.RedisServer? _server;

    public string ConnectionString => _server!.ConnectionString;

    public async Task InitializeAsync() => _server = await Testing.RedisServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
