using System.Security.Cryptography;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Sample.Operators;
using Abdm.ProfileShare.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace Abdm.ProfileShare.Sample.Tests;

/// <summary>
/// The sample started in this process exactly as <c>dotnet run</c> starts it (simulator mode, appsettings.json of the
/// project), its UI and callback listeners on free loopback ports, with its own temporary data folder; plus a browser
/// context sized like a counter's screen (1024x600), signed in as an operator of one facility. Operators are added
/// with the sample's own store (as <c>add-operator</c> does), each with a random password made up for the run.
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

    /// <summary>The sample's counter queue (the SDK's), to look entries up.</summary>
    public Workflow.ICounterQueue Queue => Sample.App.Services.GetRequiredService<Workflow.ICounterQueue>();

    public Uri BaseUrl => Sample.HomeUrl;

    public static SharedPatientProfile Patient(string phrAddress) => SyntheticPatients.All.Single(p => p.HealthId == phrAddress);

    /// <summary>The operator the browser context is signed in as (an operator of <c>facility</c>).</summary>
    public const string OperatorName = "Test Operator";

    /// <summary>The log of the run at Information, when started with <c>captureLogs</c>.</summary>
    public LogCapture? Logs { get; private init; }

    /// <summary>The password of <see cref="OperatorName"/> (random for each run).</summary>
    public string OperatorPassword { get; private init; } = "";

    /// <summary>
    /// Starts the sample and a browser context; signs the context in as <see cref="OperatorName"/> of
    /// <paramref name="facility"/> unless <paramref name="signIn"/> is false (the operator exists either way).
    /// </summary>
    public static async Task<SampleHost> StartAsync(
        IBrowser browser, string facility = Hip1, bool signIn = true, string[]? args = null, DirectoryInfo? data = null, bool captureLogs = false)
    {
        data ??= Directory.CreateTempSubdirectory("abdm-sample-test-");
        var logs = captureLogs ? new LogCapture() : null;
        var sample = await SampleApp.StartAsync(
            ["--urls", "http://127.0.0.1:0", "--Sample:CallbackUrls", "http://127.0.0.1:0", "--Sample:Mode", "Simulator", "--Sample:DataDirectory", data.FullName, .. args ?? []],
            builder =>
            {
                // Quiet by default; ABDM_TEST_LOGS=1 shows the sample's warnings and errors on the console.
                builder.Logging.ClearProviders();
                if (logs is not null)
                {
                    builder.Logging.AddProvider(logs);
                }

                if (Environment.GetEnvironmentVariable("ABDM_TEST_LOGS") == "1")
                {
                    builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
                }
            });
        var context = await NewContextAsync(browser, sample.HomeUrl);
        var host = new SampleHost(sample, data, context) { Logs = logs, OperatorPassword = await AddOperatorAsync(sample, facility, OperatorName) };
        if (signIn)
        {
            await host.SignInAsync(context, OperatorName, host.OperatorPassword);
        }

        return host;
    }

    /// <summary>A new browser context on the sample's UI (not signed in), sized like a counter's screen.</summary>
    public Task<IBrowserContext> NewContextAsync() => NewContextAsync(Browser.Browser!, BaseUrl);

    /// <summary>Adds an operator of <paramref name="facility"/> with a random password, as <c>add-operator</c> does, and returns the password.</summary>
    public Task<string> AddOperatorAsync(string facility, string userName) => AddOperatorAsync(Sample, facility, userName);

    /// <summary>Signs a browser context in through the sign-in page and waits for the home page.</summary>
    public async Task SignInAsync(IBrowserContext context, string userName, string password)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync("/sign-in");
        await page.GetByLabel("User name").FillAsync(userName);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("operator-name")).ToHaveTextAsync(userName);
        await page.CloseAsync();
    }

    private static async Task<string> AddOperatorAsync(RunningSample sample, string facility, string userName)
    {
        var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        await sample.App.Services.GetRequiredService<OperatorStore>().SetAsync(facility, userName, password, CancellationToken.None);
        return password;
    }

    private static async Task<IBrowserContext> NewContextAsync(IBrowser browser, Uri homeUrl)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = homeUrl.ToString(),
            ViewportSize = new ViewportSize { Width = 1024, Height = 600 },
            Locale = "en-IN",
        });
        context.SetDefaultTimeout(10_000);
        return context;
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
