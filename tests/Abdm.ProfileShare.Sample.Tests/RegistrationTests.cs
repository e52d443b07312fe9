using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Abdm.ProfileShare.Sample.Tests;

[Collection(BrowserCollection.Name)]
public sealed class RegistrationTests(BrowserFixture browser)
{
    [Fact]
    public async Task Register_NewPatient_LeavesQueueJoinsPatientListAndIsReturningOnNextScan()
    {
        await using var host = await SampleHost.StartAsync(browser.Browser);
        var page = await host.OpenCounterAsync(SampleHost.Hip1, SampleHost.Opd1);
        var asha = SampleHost.Patient("asha.testpatient@sbx");
        var token = await host.ScanAsync(SampleHost.Hip1, SampleHost.Opd1, asha);

        // Select the entry: it is claimed and the form is pre-filled with the shared demographics.
        var entry = page.Locator("li.entry", new() { HasText = asha.Name });
        await entry.GetByRole(AriaRole.Button, new() { NameRegex = new("^Register") }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/entries/[0-9a-f-]{36}$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync($"Register token {token}");
        await Expect(page.GetByLabel("Name")).ToHaveValueAsync(asha.Name);
        await Expect(page.GetByLabel("Gender")).ToHaveValueAsync("Female");
        await Expect(page.GetByLabel("Year")).ToHaveValueAsync("1990");
        await Expect(page.GetByLabel("Month")).ToHaveValueAsync("2");
        await Expect(page.GetByLabel("Day")).ToHaveValueAsync("27");
        await Expect(page.GetByLabel("Mobile")).ToHaveValueAsync("+91-9000000001");
        await Expect(page.GetByLabel("District")).ToHaveValueAsync("Bengaluru Urban");
        await Expect(page.GetByLabel("PIN code")).ToHaveValueAsync("560001");
        await Expect(page.GetByLabel("New patient")).ToBeCheckedAsync();
        // The linking-token box follows the chain live while the form is open.
        await Expect(page.Locator("#linking-box")).ToContainTextAsync("Linking token received");
        await page.ScreenshotAsync(new() { Path = SampleHost.ScreenshotPath("registration-form"), FullPage = true });

        // Another operator sees it being registered.
        var other = await host.NewContextAsync();
        await host.SignInAsync(other, "Other Operator", await host.AddOperatorAsync(SampleHost.Hip1, "Other Operator"));
        var otherPage = await other.NewPageAsync();
        await otherPage.GotoAsync($"/counters/{SampleHost.Hip1}/{SampleHost.Opd1}");
        await Expect(otherPage.Locator("li.entry").GetByTestId("entry-status")).ToHaveTextAsync("Being registered by Test Operator");
        await other.CloseAsync();

        // Register: back on the counter screen, the entry has left the queue.
        await page.GetByRole(AriaRole.Button, new() { Name = "Complete registration" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/counters/{SampleHost.Hip1}/{SampleHost.Opd1}$"));
        await Expect(page.Locator(".notice.success")).ToContainTextAsync($"Token {token}: {asha.Name} registered as new patient P-000001.");
        await Expect(page.Locator("li.entry")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("queue-empty")).ToBeVisibleAsync();

        // The patient list has them, with the ABHA number masked and the linking-token status (not the token).
        var patients = await host.Browser.NewPageAsync();
        await patients.GotoAsync("/patients");
        var row = patients.Locator("tr[data-patient-id='P-000001']");
        await Expect(row.GetByTestId("patient-name")).ToHaveTextAsync(asha.Name);
        await Expect(row.GetByTestId("patient-phr")).ToHaveTextAsync(asha.HealthId);
        await Expect(row.GetByTestId("patient-abha")).ToHaveTextAsync("XX-XXXX-XXXX-0001");
        await Expect(row).ToContainTextAsync("+91-9000000001");
        await Expect(row.GetByTestId("patient-linking")).ToContainTextAsync(new System.Text.RegularExpressions.Regex("^(Received .*, not used yet|No linking token yet)$"));
        Assert.DoesNotContain("91-0000-0000-0001", await patients.ContentAsync(), StringComparison.Ordinal);
        await patients.ScreenshotAsync(new() { Path = SampleHost.ScreenshotPath("patients"), FullPage = true });

        // The same patient scans again: the counter screen shows a returning patient.
        var again = await host.ScanAsync(SampleHost.Hip1, SampleHost.Opd1, asha);
        var returning = page.Locator($"li.entry[data-token='{again}']");
        await Expect(returning.GetByTestId("match")).ToHaveTextAsync("Returning patient P-000001 (same ABHA number)", new() { Timeout = 2000 });

        // Linking the re-scan to the existing patient completes it without a second record.
        await returning.GetByRole(AriaRole.Button, new() { NameRegex = new("^Register") }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Radio, new() { NameRegex = new("^Returning patient P-000001") })).ToBeCheckedAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Complete registration" }).ClickAsync();
        await Expect(page.Locator(".notice.success")).ToContainTextAsync("registered as existing patient P-000001");
        await patients.ReloadAsync();
        await Expect(patients.Locator("tbody tr")).ToHaveCountAsync(1);
        await Expect(patients.GetByTestId("patient-linking")).ToContainTextAsync("Received");
    }

    [Fact]
    public async Task Register_WithKeyboardOnly_SignsInClaimsAndRegisters()
    {
        await using var host = await SampleHost.StartAsync(browser.Browser, facility: SampleHost.Hip2, signIn: false);
        await host.ScanAsync(SampleHost.Hip2, SampleHost.Desk, SampleHost.Patient("arjun.testcase@sbx"));

        // The counter screen asks for sign-in first (keyboard: type, Tab, type, Enter) and then opens.
        var page = await host.Browser.NewPageAsync();
        await page.GotoAsync($"/counters/{SampleHost.Hip2}/{SampleHost.Desk}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Sign in");
        await page.GetByLabel("User name").FocusAsync();
        await page.Keyboard.TypeAsync(SampleHost.OperatorName);
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync(host.OperatorPassword);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByTestId("operator-name")).ToHaveTextAsync(SampleHost.OperatorName);
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/counters/{SampleHost.Hip2}/{SampleHost.Desk}$"));
        await Expect(page.Locator("li.entry")).ToHaveCountAsync(1);

        // Tab to the entry's Register button and press Enter.
        var register = page.Locator("li.entry").GetByRole(AriaRole.Button, new() { NameRegex = new("^Register") });
        await Expect(register).ToBeEnabledAsync();
        for (var i = 0; i < 30 && !await register.EvaluateAsync<bool>("b => b === document.activeElement"); i++)
        {
            await page.Keyboard.PressAsync("Tab");
        }

        Assert.True(await register.EvaluateAsync<bool>("b => b === document.activeElement"), "Tab never reached the Register button.");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByLabel("Name")).ToHaveValueAsync("Arjun Testcase");
        await page.GetByRole(AriaRole.Button, new() { Name = "Complete registration" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator(".notice.success")).ToContainTextAsync("registered as new patient P-000001");
    }

    [Fact]
    public async Task Register_InvalidDetails_ShowsErrorsByFieldAndKeepsTheEntry()
    {
        await using var host = await SampleHost.StartAsync(browser.Browser);
        var page = await host.OpenCounterAsync(SampleHost.Hip1, SampleHost.Opd2);
        await host.ScanAsync(SampleHost.Hip1, SampleHost.Opd2, SampleHost.Patient("priya.testrecord@sbx"));
        await page.Locator("li.entry").GetByRole(AriaRole.Button, new() { NameRegex = new("^Register") }).ClickAsync();

        await page.GetByLabel("Name").FillAsync("");
        await page.GetByLabel("Month").FillAsync("13");
        await page.GetByRole(AriaRole.Button, new() { Name = "Complete registration" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("correct the fields marked below");
        await Expect(page.GetByLabel("Name")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.Locator("#Form_Name-error")).ToHaveTextAsync("Enter the patient's name.");
        await Expect(page.Locator("#Form_MonthOfBirth-error")).ToHaveTextAsync("Enter a month between 1 and 12, or leave it empty.");
        await Expect(page.GetByTestId("entry-status")).ToHaveTextAsync("Being registered by Test Operator");

        // Putting it back returns it to the queue for anyone.
        await page.GetByRole(AriaRole.Button, new() { Name = "Put back in the queue" }).ClickAsync();
        await Expect(page.Locator("li.entry").GetByTestId("entry-status")).ToHaveTextAsync("Waiting");
    }
}
