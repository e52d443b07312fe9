using System.Net;
using System.Net.Http.Json;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Testing;
using Abdm.ProfileShare.Workflow;
using Microsoft.Extensions.DependencyInjection;

namespace Abdm.ProfileShare.Sample.Tests;

/// <summary>The sample's use of the SDK: real callback verification and its share handler.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CallbackTests(BrowserFixture browser)
{
    [Fact]
    public async Task ShareCallback_WithoutGatewayToken_IsRefusedAndQueuesNothing()
    {
        await using var host = await SampleHost.StartAsync(browser.Browser);
        using var http = new HttpClient { BaseAddress = host.Sample.CallbackRoot };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/abdm/v0.5/patients/profile/share")
        {
            Content = JsonContent.Create(new
            {
                requestId = Guid.NewGuid(),
                timestamp = "2026-11-28T10:00:00.000Z",
                profile = new
                {
                    hipCode = SampleHost.Opd1,
                    patient = new { healthId = "forged.patient@sbx", healthIdNumber = "91-0000-0000-0098", name = "Forged Patient", gender = "F", yearOfBirth = 1990 },
                },
            }),
        };
        request.Headers.Add("X-HIP-ID", SampleHost.Hip1);
        request.Headers.Authorization = new("Bearer", "not-a-gateway-token");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var queue = host.Sample.App.Services.GetRequiredService<ICounterQueue>();
        Assert.Empty(await queue.ListAsync(SampleHost.Hip1, null));
    }

    [Fact]
    public async Task Scan_AtUnknownCounter_PhoneIsToldWhereToGo()
    {
        await using var host = await SampleHost.StartAsync(browser.Browser);
        var share = await host.Simulator.ScanAsync(new SimulatedScan(SampleHost.Hip1, "LOBBY", SampleHost.Patient("asha.testpatient@sbx"), WireVersion.V10));
        Assert.Equal(202, share.HipStatusCode);

        var phone = await share.Acknowledgement.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(phone.IsSuccess);
        Assert.Equal("This QR code is not in use. Please scan the QR code at the registration counter.", phone.ErrorMessage);
        var queue = host.Sample.App.Services.GetRequiredService<ICounterQueue>();
        Assert.Empty(await queue.ListAsync(SampleHost.Hip1, null));
    }
}
