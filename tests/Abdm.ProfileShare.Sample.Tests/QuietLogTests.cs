using Abdm.ProfileShare.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Abdm.ProfileShare.Sample.Tests;

/// <summary>A normal simulator session at Information logs the lifecycle of scans and nothing else.</summary>
[Collection(BrowserCollection.Name)]
public sealed class QuietLogTests(BrowserFixture browser, ITestOutputHelper output)
{
    [Fact]
    public async Task NormalSession_AtInformation_LogsTheScanLifecycleOnly()
    {
        await using var host = await SampleHost.StartAsync(browser.Browser, captureLogs: true);
        var page = await host.OpenCounterAsync(SampleHost.Hip1, SampleHost.Opd1);
        await page.ReloadAsync(); // a second load of a page with forms: no antiforgery warnings
        await Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-state", "live");
        var before = host.Logs!.Lines.Count;

        // One scan from the simulate control, with the gateway failing the first on-share once (retried), then register.
        host.Simulator.Faults.For(GatewayOperation.OnShare).RespondWith(503, times: 1);
        await page.GetByLabel("Patient", new() { Exact = true }).SelectOptionAsync("asha.testpatient@sbx");
        await page.GetByRole(AriaRole.Button, new() { Name = "Scan and share" }).ClickAsync();
        await Expect(page.Locator("#phone .phone-status")).ToHaveTextAsync("SUCCESS");
        var entry = page.Locator("li.entry", new() { HasText = "Asha Testpatient" });
        await Expect(entry.GetByTestId("linking")).ToContainTextAsync("Linking token received", new() { Timeout = 5000 });
        await entry.GetByRole(AriaRole.Button, new() { NameRegex = new("^Register") }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Complete registration" }).ClickAsync();
        await Expect(page.Locator(".notice.success")).ToContainTextAsync("registered as new patient P-000001");
        await page.ReloadAsync();
        await Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-state", "live");

        var all = host.Logs.Lines;
        var scan = all.Skip(before).ToList();
        output.WriteLine($"Start-up: {before} lines; one scan (with one retried on-share) and its registration: {scan.Count} lines.");
        foreach (var line in all)
        {
            output.WriteLine(line.ToString());
        }

        Assert.DoesNotContain(all, l => l.Category.StartsWith("Microsoft.AspNetCore.Antiforgery", StringComparison.Ordinal));
        Assert.DoesNotContain(all, l => l.Message.Contains("antiforgery", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(all, l => l.Category.StartsWith("Polly", StringComparison.Ordinal));
        Assert.DoesNotContain(all, l => l.Message.Contains("(null)", StringComparison.Ordinal));
        Assert.DoesNotContain(all, l => l.Level >= LogLevel.Warning && l.Category.StartsWith("Microsoft.", StringComparison.Ordinal));

        // No line repeats for the one retried call, and the scan's lifecycle stays short.
        var repeated = scan.GroupBy(l => (l.Category, l.Message)).Where(g => g.Count() > 1).Select(g => $"{g.Count()}x {g.Key.Message}").ToList();
        Assert.True(repeated.Count == 0, string.Join("\n", repeated));
        Assert.InRange(scan.Count, 3, 14);
    }
}
