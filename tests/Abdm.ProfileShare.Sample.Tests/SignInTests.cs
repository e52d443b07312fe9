using System.Text.RegularExpressions;
using Abdm.ProfileShare.Sample.Operators;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Abdm.ProfileShare.Sample.Tests;

/// <summary>Operators sign in; each sees only their own facility.</summary>
[Collection(BrowserCollection.Name)]
public sealed class SignInTests(BrowserFixture browser)
{
    [Fact]
    public async Task Anonymous_EveryPageAndTheFeed_AskForSignIn()
    {
        await using var host = await SampleHost.StartAsync(browser.Browser, signIn: false);
        await host.ScanAsync(SampleHost.Hip1, SampleHost.Opd1, SampleHost.Patient("asha.testpatient@sbx"));
        var entryId = (await host.Queue.ListAsync(SampleHost.Hip1, null)).Single().Id;
        var counter = $"/counters/{SampleHost.Hip1}/{SampleHost.Opd1}";
        var page = await host.Browser.NewPageAsync();

        foreach (var path in new[] { "/", "/patients", counter, counter + "/qr", $"/entries/{entryId}" })
        {
            await page.GotoAsync(path);
            await Expect(page).ToHaveURLAsync(new Regex($"/sign-in\\?ReturnUrl={Regex.Escape(Uri.EscapeDataString(path))}$"));
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Sign in");
        }

        foreach (var path in new[] { counter + "/events", counter + "/qr.png", counter + "/qr.svg", counter + "?handler=Queue", $"/entries/{entryId}?handler=Linking" })
        {
            var response = await page.APIRequest.GetAsync(path, new() { MaxRedirects = 0 });
            Assert.True(response.Status == 401, $"{path}: {response.Status}");
        }

        var post = await page.APIRequest.PostAsync(counter + "/simulate-scan", new() { MaxRedirects = 0 });
        Assert.Equal(401, post.Status);
    }

    [Fact]
    public async Task OperatorOfFacilityA_FacilityBsCounterEntryQrAndFeed_AreNotFound()
    {
        await using var host = await SampleHost.StartAsync(browser.Browser, facility: SampleHost.Hip1);
        await host.ScanAsync(SampleHost.Hip2, SampleHost.Desk, SampleHost.Patient("ravi.sampleuser@sbx"));
        var entryId = (await host.Queue.ListAsync(SampleHost.Hip2, null)).Single().Id;
        var desk = $"/counters/{SampleHost.Hip2}/{SampleHost.Desk}";
        var page = await host.Browser.NewPageAsync();

        foreach (var path in new[] { desk, desk + "/qr", $"/entries/{entryId}" })
        {
            var response = await page.GotoAsync(path);
            Assert.True(response!.Status == 404, $"{path}: {response.Status}");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Not found");
        }

        foreach (var path in new[] { desk + "/events", desk + "/qr.png", desk + "/qr.svg", desk + "?handler=Queue", $"/entries/{entryId}?handler=Linking" })
        {
            var response = await page.APIRequest.GetAsync(path);
            Assert.True(response.Status == 404, $"{path}: {response.Status}");
        }

        // Nor can it act on B's entry or simulate a scan at B's counter.
        var claim = await page.APIRequest.PostAsync(desk + $"?handler=Claim&entryId={entryId}");
        Assert.Contains(claim.Status, new[] { 400, 404 });
        Assert.Equal(Model.QueueEntryStatus.Waiting, (await host.Queue.GetAsync(entryId))!.Status);

        // B's patients are not in A's patient list.
        await host.Sample.App.Services.GetRequiredService<Patients.PatientRecords>().AddAsync(new Patients.Patient
        {
            PatientId = "",
            HipId = SampleHost.Hip2,
            Name = "Ravi Sampleuser",
            Gender = Model.Gender.Male,
            YearOfBirth = 1985,
            RegisteredAt = DateTimeOffset.UtcNow,
            RegisteredBy = "desk-b",
        }, CancellationToken.None);
        await page.GotoAsync("/patients");
        await Expect(page.GetByText("No patients registered yet.")).ToBeVisibleAsync();

        // The home page lists only the operator's own facility.
        await page.GotoAsync("/");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 2, NameRegex = new("Sample City Hospital") })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 2, NameRegex = new("Sample Rural Health Centre") })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task SignIn_RepeatedWrongPasswords_LocksTheUserOut()
    {
        await using var host = await SampleHost.StartAsync(browser.Browser, signIn: false);
        var page = await host.Browser.NewPageAsync();
        await page.GotoAsync("/sign-in");

        for (var i = 0; i < OperatorStore.MaxFailedAttempts - 1; i++)
        {
            await page.GetByLabel("User name").FillAsync(SampleHost.OperatorName);
            await page.GetByLabel("Password").FillAsync("not the password " + i);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("The user name or password is not right.");
        }

        await page.GetByLabel("User name").FillAsync(SampleHost.OperatorName);
        await page.GetByLabel("Password").FillAsync("not the password either");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("locked for 5 minutes");

        // Locked: even the right password is refused now.
        await page.GetByLabel("User name").FillAsync(SampleHost.OperatorName);
        await page.GetByLabel("Password").FillAsync(host.OperatorPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("locked");
        await Expect(page.GetByTestId("operator-name")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task OperatorStore_Lockout_EndsAfterFiveMinutesAndPasswordsAreHashed()
    {
        var directory = Directory.CreateTempSubdirectory("abdm-operators-");
        try
        {
            var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
            using var store = OperatorStore.ForDataDirectory(directory.FullName, time);
            var password = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(15));
            Assert.True(await store.SetAsync(SampleHost.Hip1, "desk-1", password, CancellationToken.None));

            for (var i = 0; i < OperatorStore.MaxFailedAttempts; i++)
            {
                await store.SignInAsync("desk-1", "wrong password", CancellationToken.None);
            }

            Assert.Equal(SignInOutcome.LockedOut, (await store.SignInAsync("desk-1", password, CancellationToken.None)).Outcome);
            time.Advance(OperatorStore.LockoutDuration - TimeSpan.FromSeconds(1));
            Assert.Equal(SignInOutcome.LockedOut, (await store.SignInAsync("desk-1", password, CancellationToken.None)).Outcome);
            time.Advance(TimeSpan.FromSeconds(1));
            var (outcome, account) = await store.SignInAsync("DESK-1", password, CancellationToken.None);
            Assert.Equal(SignInOutcome.SignedIn, outcome);
            Assert.Equal(SampleHost.Hip1, account!.HipId);

            var file = Path.Combine(directory.FullName, OperatorStore.FileName);
            Assert.DoesNotContain(password, await File.ReadAllTextAsync(file), StringComparison.Ordinal);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task AddOperatorCommand_PasswordFromStandardInput_AddsAnOperatorWhoCanSignIn()
    {
        var directory = Directory.CreateTempSubdirectory("abdm-add-operator-");
        try
        {
            var password = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(15));
            using var output = new StringWriter();
            using var error = new StringWriter();
            var code = await AddOperatorCommand.RunAsync(
                ["--facility", SampleHost.Hip2, "--user", "night-desk", "--Sample:DataDirectory", directory.FullName],
                new StringReader(password + "\n"), output, error);

            Assert.True(code == 0, error.ToString());
            Assert.Contains("Added operator night-desk for SAMPLE-HIP-2", output.ToString(), StringComparison.Ordinal);
            using var store = OperatorStore.ForDataDirectory(directory.FullName, TimeProvider.System);
            var (outcome, account) = await store.SignInAsync("night-desk", password, CancellationToken.None);
            Assert.Equal(SignInOutcome.SignedIn, outcome);
            Assert.Equal(SampleHost.Hip2, account!.HipId);

            // An unknown facility or a short password is refused in words.
            using var error2 = new StringWriter();
            Assert.Equal(2, await AddOperatorCommand.RunAsync(["--facility", "NOPE", "--user", "x", "--Sample:DataDirectory", directory.FullName], new StringReader(password), TextWriter.Null, error2));
            Assert.Contains("'NOPE' is not a facility", error2.ToString(), StringComparison.Ordinal);
            using var error3 = new StringWriter();
            Assert.Equal(2, await AddOperatorCommand.RunAsync(["--facility", SampleHost.Hip1, "--user", "x", "--Sample:DataDirectory", directory.FullName], new StringReader("short"), TextWriter.Null, error3));
            Assert.Contains("at least 10 characters", error3.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task SimulatorMode_FirstRun_PrintsEachDemoOperatorOnceAndTheyCanSignIn()
    {
        var first = await SampleHost.StartAsync(browser.Browser, signIn: false, captureLogs: true);
        DirectoryInfo data;
        try
        {
            var created = first.Logs!.Lines.Where(l => l.EventId == 6005).ToList();
            Assert.Equal(2, created.Count);
            var match = Regex.Match(created.Single(l => l.Message.Contains(SampleHost.Hip2, StringComparison.Ordinal)).Message, @"user (\S+), password (\S+) ");
            Assert.True(match.Success, created[1].Message);
            var context = await first.NewContextAsync();
            await first.SignInAsync(context, match.Groups[1].Value, match.Groups[2].Value);
            var page = await context.NewPageAsync();
            await page.GotoAsync($"/counters/{SampleHost.Hip2}/{SampleHost.Desk}");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Front desk");

            // Signing out ends the session: the counter asks for sign-in again.
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/sign-in$"));
            await page.GotoAsync($"/counters/{SampleHost.Hip2}/{SampleHost.Desk}");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Sign in");
            await context.CloseAsync();
        }
        finally
        {
            data = await first.StopKeepingDataAsync();
        }

        await using var second = await SampleHost.StartAsync(browser.Browser, signIn: false, data: data, captureLogs: true);
        Assert.DoesNotContain(second.Logs!.Lines, l => l.EventId == 6005);
        Assert.Equal(2, second.Logs.Lines.Count(l => l.EventId == 6006));
    }
}
