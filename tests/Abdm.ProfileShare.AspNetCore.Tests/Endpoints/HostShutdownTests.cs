using System.Net;
using Abdm.ProfileShare.Workflow;

namespace Abdm.ProfileShare.AspNetCore.Tests.Endpoints;

/// <summary>
/// The host ends with nothing of the SDK's still running. A session request no caller owns any more (the outbox that
/// asked for it stopped waiting) was left running, and the sessions client's resilience pipeline, disposed with the
/// container, waited for it on the app's clock: with a fake clock, for ever (the hang CI saw).
/// </summary>
public sealed class HostShutdownTests
{
    [Fact]
    public async Task Dispose_SessionRequestStillRunning_IsCancelledAndTheHostEnds()
    {
        var host = await ProfileShareTestHost.StartAsync(o => o.Linking.Start = LinkingStart.Manual);
        host.Gateway.SessionsHang = true;

        using var response = await host.ShareAsync(ProfileShareTestHost.SeedShare());
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await host.Gateway.WaitForAsync(c => c.Path == "/v0.5/sessions"); // the on-share waits for its session token

        await host.DisposeAsync(); // fails after 30 s instead of hanging when something outlives the host

        Assert.True(host.Gateway.SessionRequestCancelled.Task.IsCompleted, "the session request was not cancelled when the host stopped");
        Assert.Empty(host.Gateway.CallsTo("/v0.5/patients/profile/on-share"));
    }
}
