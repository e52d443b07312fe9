using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Abdm.ProfileShare.Sample.Tests;

[Collection(BrowserCollection.Name)]
public sealed class AccessibilityTests(BrowserFixture browser)
{
    /// <summary>Every form control has an accessible name; one h1, a main landmark and a navigation landmark per page.</summary>
    [Fact]
    public async Task EveryPage_ControlsAreLabelledAndLandmarksPresent()
    {
        await using var host = await SampleHost.StartAsync(browser.Browser);
        var counter = await host.OpenCounterAsync(SampleHost.Hip1, SampleHost.Opd1);
        await host.ScanAsync(SampleHost.Hip1, SampleHost.Opd1, SampleHost.Patient("noor.placeholder@sbx"));
        await counter.Locator("li.entry").GetByRole(AriaRole.Button, new() { NameRegex = new("^Register") }).ClickAsync();
        var entryUrl = counter.Url;

        string[] paths = ["/", $"/counters/{SampleHost.Hip1}/{SampleHost.Opd1}", $"/counters/{SampleHost.Hip1}/{SampleHost.Opd1}/qr", entryUrl, "/patients", "/sign-in"];
        var page = await host.Browser.NewPageAsync();
        foreach (var path in paths)
        {
            await page.GotoAsync(path);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveCountAsync(1);
            await Expect(page.GetByRole(AriaRole.Main)).ToHaveCountAsync(1);
            await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Main" })).ToHaveCountAsync(1);
            var unlabelled = await page.EvaluateAsync<string[]>("""
                () => [...document.querySelectorAll("input:not([type=hidden]), select, textarea, button")]
                    .filter(e => !(e.labels && e.labels.length) && !e.getAttribute("aria-label") && !e.getAttribute("aria-labelledby") && !(e.tagName === "BUTTON" && e.textContent.trim()))
                    .map(e => e.outerHTML)
                """);
            Assert.True(unlabelled.Length == 0, $"{path}: controls without a label: {string.Join(", ", unlabelled)}");
            Assert.Equal("en", await page.GetAttributeAsync("html", "lang"));
            if (path == "/")
            {
                await page.ScreenshotAsync(new() { Path = SampleHost.ScreenshotPath("home"), FullPage = true });
            }
        }
    }

    /// <summary>The counter screen fits a counter's 1024x600 screen: no horizontal scrolling.</summary>
    [Fact]
    public async Task CounterScreen_AtCounterScreenSize_HasNoHorizontalScroll()
    {
        await using var host = await SampleHost.StartAsync(browser.Browser);
        var page = await host.OpenCounterAsync(SampleHost.Hip1, SampleHost.Opd1);
        await host.ScanAsync(SampleHost.Hip1, SampleHost.Opd1, SampleHost.Patient("vikram.testdata@sbx"));
        await Expect(page.Locator("li.entry")).ToHaveCountAsync(1);
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));
    }
}
