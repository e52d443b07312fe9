using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace Abdm.ProfileShare.Sample.Tests;

/// <summary>
/// The sample started in this process exactly as <c>dotnet run</c> starts it (simulator mode, appsettings.json of the
/// project), on a free loopback port, with its own temporary data folder; plus a browser context sized like a
/// counter's screen (1024x600).
/// </summary>
internal sealed class SampleHost : IAsyncDisposable
{
    public const string Hip1 = "SAMPLE-HIP-1";
    public const string Hip2 = "SAMPLE-HIP-2";
    public const string Opd1 = "OPD1";
    public const string Opd2 = "OPD2";
    public const string Desk = "DESK";

    private readonly DirectoryInfo _data;
    private bool _disposed;

    private SampleHost(RunningSample sample, DirectoryInfo data, IBrowserContext browser)
    {
        Sample = sample;
        _data = data;
        Browser = browser;
    }

    public RunningSample Sample { get; }

    public IBrowserContext Browser { get; }

    public AbdmGatewaySimulator Simulator => Sample.Simulator!.Simulator;

    public Uri BaseUrl => Sample.HomeUrl;

    public static SharedPatientProfile Patient(string phrAddress) => SyntheticPatients.All.Single(p => p.HealthId == phrAddress);

    public static async Task<SampleHost> StartAsync(IBrowser browser, string? operatorName = "Test Operator", string[]? args = null, DirectoryInfo? data = null)
    {
        data ??= Directory.CreateTempSubdirectory("abdm-sample-test-");
        var sample = await SampleApp.StartAsync(
            ["--urls", "http://127.0.0.1:0", "--Sample:Mode", "Simulator", "--Sample:DataDirectory", data.FullName, .. args ?? []],
            builder =>
            {
                // Quiet by default; ABDM_TEST_LOGS=1 shows the sample's warnings and errors on the console.
                builder.Logging.ClearProviders();
                if (Environment.GetEnvironmentVariable("ABDM_TEST_LOGS") == "1")
                {
                    builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
                }
            });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = sample.HomeUrl.ToString(),
            ViewportSize = new ViewportSize { Width = 1024, Height = 600 },
            Locale = "en-IN",
        });
        context.SetDefaultTimeout(10_000);
        if (operatorName is not null)
        {
            await context.AddCookiesAsync([new Cookie { Name = "sample-operator", Value = Uri.EscapeDataString(operatorName), Url = sample.HomeUrl.ToString() }]);
        }

        return new SampleHost(sample, data, context);
    }

    /// <summary>Opens a counter screen and waits until its live feed is connected.</summary>
    public async Task<IPage> OpenCounterAsync(string hipId, string counter)
    {
        var page = await Browser.NewPageAsync();
        await page.GotoAsync($"/counters/{hipId}/{counter}");
        await Assertions.Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-state", "live");
        return page;
    }

    /// <summary>Plays a patient's phone through the simulator and returns the token number the phone shows (v1.0).</summary>
    public async Task<string> ScanAsync(string hipId, string counter, SharedPatientProfile patient)
    {
        var share = await Simulator.ScanAsync(new SimulatedScan(hipId, counter, patient, WireVersion.V10));
        Assert.Equal(202, share.HipStatusCode);
        var phone = await share.Acknowledgement.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(phone.IsSuccess, $"The phone shows {phone.Status}: {phone.ErrorMessage}");
        return phone.TokenNumber!;
    }

    public static string ScreenshotPath(string name)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, name + ".png");
    }

    /// <summary>Stops the sample but keeps its data folder (to start it again on the same data).</summary>
    public async Task<DirectoryInfo> StopKeepingDataAsync()
    {
        KeepData = true;
        await DisposeAsync();
        return _data;
    }

    private bool KeepData { get; set; }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await Browser.CloseAsync();
        await Sample.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (KeepData)
        {
            return;
        }

        try
        {
            _data.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A file still held open is removed with the temp folder later.
        }
    }
}
