using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Abdm.ProfileShare.Sample.Tests;

/// <summary>Registration as a front desk does it: Indian field rules in words, post/redirect/get, one ABHA one patient.</summary>
[Collection(BrowserCollection.Name)]
public sealed class FrontDeskRulesTests(BrowserFixture browser)
{
    [Fact]
    public async Task Register_BadYearPinAndMobile_ShowsPlainWordsNextToEachField()
    {
        await using var host = await SampleHost.StartAsync(browser.Browser);
        var page = await host.OpenCounterAsync(SampleHost.Hip1, SampleHost.Opd1);
        await host.ScanAsync(SampleHost.Hip1, SampleHost.Opd1, SampleHost.Patient("priya.testrecord@sbx"));
        await page.Locator("li.entry").GetByRole(AriaRole.Button, new() { NameRegex = new("^Register") }).ClickAsync();

        await page.GetByLabel("Year").FillAsync("19x");
        await page.GetByLabel("PIN code").FillAsync("12");
        await page.GetByLabel("Mobile").FillAsync("12345");
        await page.GetByRole(AriaRole.Button, new() { Name = "Complete registration" }).ClickAsync();

        var year = DateTime.UtcNow.Year;
        await Expect(page.Locator("#Form_YearOfBirth-error")).ToHaveTextAsync(new Regex($@"^Enter the year of birth as 4 digits, from 1900 to ({year - 1}|{year}|{year + 1})\.$"));
        await Expect(page.Locator("#Form_Pincode-error")).ToHaveTextAsync("Enter the 6-digit PIN code (it does not start with 0), or leave it empty.");
        await Expect(page.Locator("#Form_Mobile-error")).ToHaveTextAsync("Enter a 10-digit mobile number starting with 6, 7, 8 or 9 (a +91 in front is fine), or leave it empty.");
        await Expect(page.GetByLabel("Year")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByLabel("Year")).ToHaveValueAsync("19x");
        Assert.DoesNotContain("is not valid for", await page.ContentAsync(), StringComparison.Ordinal);

        // Corrected, it saves (a +91 prefix with spaces is a valid mobile).
        await page.GetByLabel("Year").FillAsync("1985");
        await page.GetByLabel("PIN code").FillAsync("560001");
        await page.GetByLabel("Mobile").FillAsync("+91 98450 12345");
        await page.GetByRole(AriaRole.Button, new() { Name = "Complete registration" }).ClickAsync();
        await Expect(page.Locator(".notice.success")).ToContainTextAsync("registered as new patient P-000001");
    }

    [Fact]
    public async Task Register_NewPatientWithATaggedAbhaNumber_IsRefusedNamingTheFirst()
    {
        await using var host = await SampleHost.StartAsync(browser.Browser);
        var page = await host.OpenCounterAsync(SampleHost.Hip1, SampleHost.Opd1);
        var asha = SampleHost.Patient("asha.testpatient@sbx");
        await host.ScanAsync(SampleHost.Hip1, SampleHost.Opd1, asha);
        await page.Locator("li.entry").GetByRole(AriaRole.Button, new() { NameRegex = new("^Register") }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Complete registration" }).ClickAsync();
        await Expect(page.Locator(".notice.success")).ToContainTextAsync("registered as new patient P-000001");

        // The same ABHA scans again; the operator tries "New patient" anyway.
        var again = await host.ScanAsync(SampleHost.Hip1, SampleHost.Opd1, asha);
        await page.Locator($"li.entry[data-token='{again}']").GetByRole(AriaRole.Button, new() { NameRegex = new("^Register") }).ClickAsync();
        await page.GetByLabel("New patient").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Complete registration" }).ClickAsync();

        await Expect(page.Locator("#Form_RegisterAs-error")).ToContainTextAsync("This ABHA number already belongs to patient P-000001");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("P-000001");
        var patients = await host.Browser.NewPageAsync();
        await patients.GotoAsync("/patients");
        await Expect(patients.Locator("tbody tr")).ToHaveCountAsync(1);

        // Registering it as the returning patient works.
        await page.GetByRole(AriaRole.Radio, new() { NameRegex = new("^Returning patient P-000001") }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Complete registration" }).ClickAsync();
        await Expect(page.Locator(".notice.success")).ToContainTextAsync("registered as existing patient P-000001");
    }

    [Fact]
    public async Task Register_ExistingPatientHoldingAnotherAbhaNumber_IsRefused()
    {
        await using var host = await SampleHost.StartAsync(browser.Browser);
        var page = await host.OpenCounterAsync(SampleHost.Hip1, SampleHost.Opd1);
        var ravi = SampleHost.Patient("ravi.sampleuser@sbx");
        await host.ScanAsync(SampleHost.Hip1, SampleHost.Opd1, ravi);
        await page.Locator("li.entry").GetByRole(AriaRole.Button, new() { NameRegex = new("^Register") }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Complete registration" }).ClickAsync();
        await Expect(page.Locator(".notice.success")).ToContainTextAsync("registered as new patient P-000001");

        // Someone with the same name, birth year and mobile but another ABHA: P-000001 is a candidate, not the same ABHA.
        var lookalike = ravi with { HealthId = "ravi.lookalike@sbx", AbhaNumber = "91-0000-0000-0077" };
        var share = await host.Simulator.ScanAsync(new Testing.SimulatedScan(SampleHost.Hip1, SampleHost.Opd1, lookalike, Model.WireVersion.V10));
        var token = (await share.Acknowledgement.WaitAsync(TimeSpan.FromSeconds(10))).TokenNumber;
        await page.Locator($"li.entry[data-token='{token}']").GetByRole(AriaRole.Button, new() { NameRegex = new("^Register") }).ClickAsync();
        await page.GetByRole(AriaRole.Radio, new() { NameRegex = new("^Existing patient P-000001") }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Complete registration" }).ClickAsync();

        await Expect(page.Locator("#Form_RegisterAs-error")).ToContainTextAsync("Patient P-000001 already holds another ABHA number");
    }

    [Fact]
    public async Task Claim_LostRace_LandsBackOnTheCounterWithOneLine()
    {
        await using var host = await SampleHost.StartAsync(browser.Browser);

        // This screen's live feed is cut, so it still offers "Register" after another operator took the patient.
        var page = await host.Browser.NewPageAsync();
        await page.RouteAsync("**/events", route => route.AbortAsync());
        await host.ScanAsync(SampleHost.Hip1, SampleHost.Opd1, SampleHost.Patient("meena.demo@sbx"));
        var counter = $"/counters/{SampleHost.Hip1}/{SampleHost.Opd1}";
        await page.GotoAsync(counter);
        var entry = (await host.Queue.ListAsync(SampleHost.Hip1, SampleHost.Opd1)).Single();
        Assert.Equal(Workflow.QueueActionOutcome.Done, (await host.Queue.ClaimAsync(entry.Id, "Other Operator")).Outcome);

        await page.Locator("li.entry").GetByRole(AriaRole.Button, new() { NameRegex = new("^Register") }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex($"{Regex.Escape(counter)}$"));
        await Expect(page.Locator(".notice.error")).ToHaveTextAsync($"Token {entry.TokenNumber} is already being registered by Other Operator.");

        // A reload does not post again: the message was shown once.
        await page.ReloadAsync();
        await Expect(page.Locator(".notice.error")).ToHaveCountAsync(0);
    }
}
