using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Abdm.ProfileShare.Sample.Tests;

/// <summary>The UI and the gateway callbacks on separate listeners; the UI's security headers; start-up errors in one line.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ListenerTests(BrowserFixture browser)
{
    [Fact]
    public async Task CallbackListener_AnswersGatewayPathsAndNotTheUi_UiListenerNotTheCallbacks()
    {
        await using var host = await SampleHost.StartAsync(browser.Browser, signIn: false);
        Assert.NotEqual(host.BaseUrl.Port, host.Sample.CallbackRoot.Port);
        using var callbacks = new HttpClient { BaseAddress = host.Sample.CallbackRoot };
        using var ui = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.BaseUrl };

        // Callback listener: /health and the gateway paths (401 without the gateway's token: the SDK's endpoint answered).
        Assert.Equal(HttpStatusCode.OK, (await callbacks.GetAsync("/health")).StatusCode);
        using (var share = await callbacks.PostAsync("/abdm/v0.5/patients/profile/share", new StringContent("{}", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, share.StatusCode);
        }

        foreach (var path in new[] { "/", "/sign-in", "/patients", $"/counters/{SampleHost.Hip1}/{SampleHost.Opd1}", "/css/site.css", "/favicon.svg", "/status" })
        {
            using var response = await callbacks.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"callback listener {path}");
            Assert.Empty(await response.Content.ReadAsStringAsync()); // no HTML error page on the gateway's side
        }

        // UI listener: the pages, but no gateway path and no /health.
        Assert.Equal(HttpStatusCode.OK, (await ui.GetAsync("/sign-in")).StatusCode);
        using (var share = await ui.PostAsync("/abdm/v0.5/patients/profile/share", new StringContent("{}", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.NotFound, share.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await ui.PostAsync("/abdm/v1.0/patients/profile/share", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ui.GetAsync("/health")).StatusCode);

        // The simulator sends its callbacks to the callback listener: a scan completes end to end.
        await host.ScanAsync(SampleHost.Hip1, SampleHost.Opd1, SampleHost.Patient("asha.testpatient@sbx"));
    }

    [Fact]
    public async Task UiPages_CarrySecurityHeadersAndCauseNoConsoleErrorsOrCspViolations()
    {
        await using var host = await SampleHost.StartAsync(browser.Browser);
        var page = await host.Browser.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                problems.Add($"{page.Url}: {message.Type}: {message.Text}");
            }
        };
        page.PageError += (_, error) => problems.Add($"{page.Url}: page error: {error}");
        var failed = new List<string>();
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                failed.Add($"{response.Status} {response.Url}");
            }
        };

        var home = await page.GotoAsync("/");
        var headers = await home!.AllHeadersAsync();
        Assert.Equal(SecurityHeaders.ContentSecurityPolicy, headers["content-security-policy"]);
        Assert.DoesNotContain("unsafe-inline", headers["content-security-policy"], StringComparison.Ordinal);
        Assert.Equal("nosniff", headers["x-content-type-options"]);
        Assert.Equal("no-referrer", headers["referrer-policy"]);
        Assert.Equal("/favicon.svg", await page.Locator("link[rel=icon]").GetAttributeAsync("href"));

        // A whole session: counter screen (live feed, simulate a scan), registration, QR page, patients.
        await page.GotoAsync($"/counters/{SampleHost.Hip1}/{SampleHost.Opd1}");
        await Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-state", "live");
        await page.GetByLabel("Patient", new() { Exact = true }).SelectOptionAsync("asha.testpatient@sbx");
        await page.GetByRole(AriaRole.Button, new() { Name = "Scan and share" }).ClickAsync();
        await Expect(page.Locator("#phone .phone-status")).ToHaveTextAsync("SUCCESS");
        await page.Locator("li.entry").GetByRole(AriaRole.Button, new() { NameRegex = new("^Register") }).ClickAsync();
        await Expect(page.Locator("#linking-box")).ToContainTextAsync("Linking token received");
        await page.GetByRole(AriaRole.Button, new() { Name = "Complete registration" }).ClickAsync();
        await Expect(page.Locator(".notice.success")).ToContainTextAsync("registered as new patient");
        await page.GotoAsync($"/counters/{SampleHost.Hip1}/{SampleHost.Opd1}/qr");
        await Expect(page.Locator("#qr-image")).ToBeVisibleAsync();
        await page.GotoAsync("/patients");
        await Expect(page.Locator("tbody tr")).ToHaveCountAsync(1);

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.True(failed.Count == 0, string.Join("\n", failed));
    }

    [Fact]
    public async Task Start_PortInUse_FailsWithOneLineThatSuggestsOtherPorts()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var data = Directory.CreateTempSubdirectory("abdm-sample-port-");
        try
        {
            var error = await Assert.ThrowsAsync<IOException>(() => SampleApp.StartAsync(
                ["--urls", $"http://127.0.0.1:{port}", "--Sample:CallbackUrls", "http://127.0.0.1:0", "--Sample:DataDirectory", data.FullName],
                builder => builder.Logging.ClearProviders()));

            var message = SampleStartErrors.AddressInUse(error);
            Assert.NotNull(message);
            Assert.DoesNotContain('\n', message);
            Assert.Contains($"127.0.0.1:{port}", message, StringComparison.Ordinal);
            Assert.Contains("--urls", message, StringComparison.Ordinal);
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }
}
