using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Abdm.ProfileShare.Sample.Tests;

[Collection(BrowserCollection.Name)]
public sealed class CounterScreenTests(BrowserFixture browser)
{
    private static readonly LocatorAssertionsToBeVisibleOptions WithinTwoSeconds = new() { Timeout = 2000 };

    [Fact]
    public async Task CallNext_ShowsNowServingOnTheCounterScreen()
    {
        await using var host = await SampleHost.StartAsync(browser.Browser);
        var opd1 = await host.OpenCounterAsync(SampleHost.Hip1, SampleHost.Opd1);
        await Expect(opd1.GetByTestId("now-serving")).ToHaveTextAsync("No token called yet today");

        var asha = SampleHost.Patient("asha.testpatient@sbx");
        var token = await host.ScanAsync(SampleHost.Hip1, SampleHost.Opd1, asha);
        await Expect(opd1.Locator("li.entry", new() { HasText = asha.Name }).GetByTestId("match")).ToHaveTextAsync("New patient", new() { Timeout = 5000 });

        await opd1.GetByTestId("call-next").ClickAsync();

        await Expect(opd1.GetByRole(AriaRole.Status).First).ToContainTextAsync($"Now serving token {token}.");
        await Expect(opd1.GetByTestId("now-serving")).ToContainTextAsync($"Now serving token {token}, about 1 min per patient (0 registered today)");
    }

    [Fact]
    public async Task Scan_AtOneCounter_AppearsLiveOnThatCounterScreenOnly()
    {
        await using var host = await SampleHost.StartAsync(browser.Browser);
        var opd1 = await host.OpenCounterAsync(SampleHost.Hip1, SampleHost.Opd1);
        var opd2 = await host.OpenCounterAsync(SampleHost.Hip1, SampleHost.Opd2);
        await opd1.EvaluateAsync("() => window.notReloaded = true");
        await opd2.EvaluateAsync("() => window.notReloaded = true");

        var asha = SampleHost.Patient("asha.testpatient@sbx");
        var token = await host.ScanAsync(SampleHost.Hip1, SampleHost.Opd1, asha);

        var entry = opd1.Locator("li.entry", new() { HasText = asha.Name });
        await Expect(entry).ToBeVisibleAsync(WithinTwoSeconds);
        await Expect(entry.GetByTestId("token-number")).ToHaveTextAsync(token, new() { Timeout = 2000 });
        await Expect(entry).ToHaveAttributeAsync("data-token", token);
        await Expect(entry.GetByTestId("abha-number")).ToHaveTextAsync("XX-XXXX-XXXX-0001");
        await Expect(entry.GetByTestId("phr-address")).ToHaveTextAsync(asha.HealthId);
        await Expect(entry.GetByTestId("match")).ToHaveTextAsync("New patient");
        await Expect(entry).ToContainTextAsync("Female");
        Assert.DoesNotContain("91-0000-0000-0001", await entry.InnerTextAsync(), StringComparison.Ordinal);

        // OPD2's screen is live too (a scan there appears), and never shows OPD1's patient.
        var ravi = SampleHost.Patient("ravi.sampleuser@sbx");
        var raviToken = await host.ScanAsync(SampleHost.Hip1, SampleHost.Opd2, ravi);
        await Expect(opd2.Locator("li.entry", new() { HasText = ravi.Name })).ToBeVisibleAsync(WithinTwoSeconds);
        Assert.Equal("1", raviToken);
        await Expect(opd2.Locator("li.entry", new() { HasText = asha.Name })).ToHaveCountAsync(0);
        await Expect(opd2.Locator("li.entry")).ToHaveCountAsync(1);
        await Expect(opd1.Locator("li.entry")).ToHaveCountAsync(1);

        // Neither screen was reloaded: the list changed in place.
        Assert.True(await opd1.EvaluateAsync<bool>("() => window.notReloaded === true"));
        Assert.True(await opd2.EvaluateAsync<bool>("() => window.notReloaded === true"));

        // The linking token is obtained (callbacks verified against the simulator's JWKS) and shown in words.
        await Expect(entry.GetByTestId("linking")).ToContainTextAsync("Linking token received", new() { Timeout = 5000 });
        await opd1.ScreenshotAsync(new() { Path = SampleHost.ScreenshotPath("counter-screen"), FullPage = true });
    }

    [Fact]
    public async Task SimulateScanControl_V10_ShowsWhatThePhoneShowsAndTheEntry()
    {
        await using var host = await SampleHost.StartAsync(browser.Browser, facility: SampleHost.Hip2);
        var page = await host.OpenCounterAsync(SampleHost.Hip2, SampleHost.Desk);

        await page.GetByLabel("Patient", new() { Exact = true }).SelectOptionAsync("meena.demo@sbx");
        await page.GetByLabel("v1.0 (token on the phone)").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Scan and share" }).ClickAsync();

        var phone = page.Locator("#phone");
        await Expect(phone).ToContainTextAsync("SUCCESS");
        await Expect(phone).ToContainTextAsync("Token 1");
        var entry = page.Locator("li.entry", new() { HasText = "Meena Demo" });
        await Expect(entry).ToBeVisibleAsync(WithinTwoSeconds);
        await Expect(entry.GetByTestId("abha-number")).ToHaveTextAsync("Not shared");
    }

    [Fact]
    public async Task SampleOnV3_OneSetting_ScanSharesInV3AndTheLinkTokenArrives()
    {
        await using var host = await SampleHost.StartAsync(browser.Browser, args: ["--AbdmProfileShare:WireVersion", "V3"]);
        var page = await host.OpenCounterAsync(SampleHost.Hip1, SampleHost.Opd1);
        await Expect(page.GetByLabel("v1.0 (token on the phone)")).ToHaveCountAsync(0);

        await page.GetByLabel("Patient", new() { Exact = true }).SelectOptionAsync("asha.testpatient@sbx");
        await page.GetByLabel("v3 (token and its expiry on the phone)").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Scan and share" }).ClickAsync();

        var phone = page.Locator("#phone");
        await Expect(phone.Locator(".phone-status")).ToHaveTextAsync("SUCCESS");
        await Expect(phone).ToContainTextAsync("Token 1");
        await Expect(phone).ToContainTextAsync("(v3)");
        var entry = page.Locator("li.entry", new() { HasText = "Asha Testpatient" });
        await Expect(entry).ToBeVisibleAsync(WithinTwoSeconds);

        // v3 has no demographic-auth chain: the link token comes from generate-token / on-generate-token.
        await Expect(entry.GetByTestId("linking")).ToContainTextAsync("Linking token received", new() { Timeout = 5000 });

        // The printed QR is ABDM's share-profile URL on v3.
        await page.GotoAsync($"/counters/{SampleHost.Hip1}/{SampleHost.Opd1}/qr");
        await Expect(page.Locator("#qr-payload")).ToHaveTextAsync($"https://phrsbx.abdm.gov.in/share-profile?hip-id={SampleHost.Hip1}&counter-id={SampleHost.Opd1}");
    }

    [Fact]
    public async Task SimulateScanControl_V05_PhoneShowsSuccessWithoutToken()
    {
        await using var host = await SampleHost.StartAsync(browser.Browser);
        var page = await host.OpenCounterAsync(SampleHost.Hip1, SampleHost.Opd1);

        await page.GetByLabel("Patient", new() { Exact = true }).SelectOptionAsync("kiran.fixture@sbx");
        await page.GetByLabel("v0.5").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Scan and share" }).ClickAsync();

        await Expect(page.Locator("#phone .phone-status")).ToHaveTextAsync("SUCCESS");
        await Expect(page.Locator("#phone")).ToContainTextAsync("(v0.5)");
        await Expect(page.Locator("#phone .phone-token")).ToHaveCountAsync(0);
        await Expect(page.Locator("li.entry", new() { HasText = "Kiran Fixture" })).ToBeVisibleAsync(WithinTwoSeconds);
    }

    [Fact]
    public async Task Scan_DemographicMismatch_ShowsLinkingErrorInWords()
    {
        await using var host = await SampleHost.StartAsync(browser.Browser);
        var page = await host.OpenCounterAsync(SampleHost.Hip1, SampleHost.Opd1);

        await page.GetByLabel("Patient", new() { Exact = true }).SelectOptionAsync("mismatch");
        await page.GetByRole(AriaRole.Button, new() { Name = "Scan and share" }).ClickAsync();
        await Expect(page.Locator("#phone .phone-status")).ToHaveTextAsync("SUCCESS");

        var entry = page.Locator("li.entry", new() { HasText = "Mismatch Demo" });
        await Expect(entry.GetByTestId("linking")).ToContainTextAsync(
            "ABHA details did not match (name, gender or date of birth as shared). The patient can still be registered; records cannot be linked until the details match.",
            new() { Timeout = 5000 });
        await Expect(entry.GetByTestId("linking")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bproblem\b"));
        await page.ScreenshotAsync(new() { Path = SampleHost.ScreenshotPath("counter-screen-linking-error"), FullPage = true });

        // The patient can still be registered, and the registration page says the same in words.
        await entry.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Register") }).ClickAsync();
        await Expect(page.Locator(".linking-box")).ToContainTextAsync("ABHA details did not match");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Ask ABDM again" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Entry_WhenItExpires_LeavesTheScreenWithoutAReload()
    {
        await using var host = await SampleHost.StartAsync(browser.Browser, args:
        [
            "--AbdmProfileShare:Queue:EntryLifetime", "00:00:03",
            "--AbdmProfileShare:Queue:RescanWindow", "00:00:01",
        ]);
        var page = await host.OpenCounterAsync(SampleHost.Hip1, SampleHost.Opd1);
        await page.EvaluateAsync("() => window.notReloaded = true");
        await host.ScanAsync(SampleHost.Hip1, SampleHost.Opd1, SampleHost.Patient("gopal.dummy@sbx"));
        await Expect(page.Locator("li.entry", new() { HasText = "Gopal Dummy" })).ToBeVisibleAsync(WithinTwoSeconds);

        // No change event announces an expiry: the page refreshes itself when the first entry's time is up.
        await Expect(page.Locator("li.entry")).ToHaveCountAsync(0, new() { Timeout = 10_000 });
        await Expect(page.GetByTestId("queue-empty")).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"));
    }
}
