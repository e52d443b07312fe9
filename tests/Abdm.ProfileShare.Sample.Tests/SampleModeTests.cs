using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Abdm.ProfileShare.Sample.Tests;

[Collection(BrowserCollection.Name)]
public sealed class SampleModeTests(BrowserFixture browser)
{
    [Fact]
    public async Task Restart_SameDataDirectory_KeepsQueueTokenNumbersAndPatients()
    {
        var first = await SampleHost.StartAsync(browser.Browser);
        DirectoryInfo data;
        try
        {
            var page = await first.OpenCounterAsync(SampleHost.Hip1, SampleHost.Opd1);
            Assert.Equal("1", await first.ScanAsync(SampleHost.Hip1, SampleHost.Opd1, SampleHost.Patient("asha.testpatient@sbx")));
            Assert.Equal("2", await first.ScanAsync(SampleHost.Hip1, SampleHost.Opd1, SampleHost.Patient("ravi.sampleuser@sbx")));
            await page.Locator("li.entry[data-token='1']").GetByRole(AriaRole.Button, new() { NameRegex = new("^Register") }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Complete registration" }).ClickAsync();
            await Expect(page.Locator("li.entry")).ToHaveCountAsync(1);
        }
        finally
        {
            data = await first.StopKeepingDataAsync();
        }

        await using var second = await SampleHost.StartAsync(browser.Browser, data: data);
        Assert.Equal(data.FullName, second.Sample.DataDirectory);
        Assert.True(File.Exists(Path.Combine(data.FullName, "sample.db")));
        var counter = await second.OpenCounterAsync(SampleHost.Hip1, SampleHost.Opd1);
        await Expect(counter.Locator("li.entry[data-token='2']")).ToContainTextAsync("Ravi Sampleuser");
        Assert.Equal("3", await second.ScanAsync(SampleHost.Hip1, SampleHost.Opd1, SampleHost.Patient("meena.demo@sbx")));
        await Expect(counter.Locator("li.entry[data-token='3']")).ToContainTextAsync("Meena Demo", new() { Timeout = 2000 });

        var patients = await second.Browser.NewPageAsync();
        await patients.GotoAsync("/patients");
        await Expect(patients.Locator("tr[data-patient-id='P-000001']").GetByTestId("patient-name")).ToHaveTextAsync("Asha Testpatient");
    }

    [Fact]
    public async Task Start_NewDataDirectory_OwnerOnlyFolderAndDatabase()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // no Unix file modes there
        }

        var parent = Directory.CreateTempSubdirectory("abdm-sample-data-");
        try
        {
            var data = new DirectoryInfo(Path.Combine(parent.FullName, "data")); // the sample creates it
            await using (var host = await SampleHost.StartAsync(browser.Browser, data: data))
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(data.FullName));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(data.FullName, "sample.db")));
                Assert.Equal("1", await host.ScanAsync(SampleHost.Hip1, SampleHost.Opd1, SampleHost.Patient("asha.testpatient@sbx")));
            }
        }
        finally
        {
            parent.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task SandboxMode_HidesTheSimulatorControls()
    {
        await using var host = await SampleHost.StartAsync(browser.Browser, args:
        [
            "--Sample:Mode", "Sandbox",
            "--Sample:SandboxFacilities:0:HipId", SampleHost.Hip1,
            "--Sample:SandboxFacilities:0:Name", "Sandbox Test Hospital",
            "--Sample:SandboxFacilities:0:Counters:0:Code", SampleHost.Opd1,
            "--Sample:SandboxFacilities:0:Counters:0:Name", "OPD registration 1",
            // Never contacted by this test: nothing is scanned.
            "--AbdmProfileShare:Gateway:BaseUrl", "http://127.0.0.1:9/gateway",
            "--AbdmProfileShare:Gateway:ClientId", "test-client",
            "--AbdmProfileShare:Gateway:ClientSecret", "test-secret-not-real",
        ]);
        Assert.Null(host.Sample.Simulator);

        var page = await host.Browser.NewPageAsync();
        await page.GotoAsync($"/counters/{SampleHost.Hip1}/{SampleHost.Opd1}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("OPD registration 1");
        await Expect(page.Locator(".mode-badge")).ToHaveTextAsync("ABDM sandbox");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Sandbox Test Hospital");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Simulate a scan" })).ToHaveCountAsync(0);
        await Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-state", "live");

        var scan = await page.APIRequest.PostAsync($"/counters/{SampleHost.Hip1}/{SampleHost.Opd1}/simulate-scan");
        Assert.Equal(404, scan.Status);

        // The synthetic facilities of simulator mode are not served in sandbox mode.
        var synthetic = await page.GotoAsync($"/counters/{SampleHost.Hip2}/{SampleHost.Desk}");
        Assert.Equal(404, synthetic!.Status);

        // Sandbox mode runs as Production unless told otherwise.
        Assert.Equal("Production", host.Sample.App.Environment.EnvironmentName);
    }
}
