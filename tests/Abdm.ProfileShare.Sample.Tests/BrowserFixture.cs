using Microsoft.Playwright;

namespace Abdm.ProfileShare.Sample.Tests;

/// <summary>
/// One headless Chromium for every test: Debian's (<c>apt-get install -y chromium</c>), at <c>ABDM_TEST_CHROMIUM</c>
/// or <c>/usr/bin/chromium</c>. Playwright's own browser download is never used.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var path = Environment.GetEnvironmentVariable("ABDM_TEST_CHROMIUM") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"Chromium was not found at {path}. Install it with 'apt-get install -y chromium' or set ABDM_TEST_CHROMIUM to its path.");
        }

        // Generous for steps whose speed is not what a test checks (a busy CI machine); the checks that are about
        // speed (a scan on screen within 2 s) pass their own timeout.
        Assertions.SetDefaultExpectTimeout(10_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = path,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
