using System.Net;
using System.Text.Json.Nodes;
using Abdm.ProfileShare.AspNetCore.Tests.Endpoints;
using Abdm.ProfileShare.AspNetCore.Tests.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Abdm.ProfileShare.AspNetCore.Tests.Security;

/// <summary>
/// When the gateway's signing keys cannot be fetched, a callback cannot be verified: it is answered 503 with
/// <c>Retry-After</c> (the gateway delivers it again), never 401 (a genuine callback would be lost) and never 500.
/// On v3 the JWKS needs a session token, so a gateway outage fails in the session handler.
/// </summary>
public sealed class SigningKeysUnavailableTests
{
    [Fact]
    public async Task ShareV3_GatewayDownDuringTheKeyFetch_503WithRetryAfterThen200WhenTheGatewayIsBack()
    {
        await using var h = await CallbackTrustHost.StartAsync(v3: true, configure: o => o.Linking.Start = LinkingStart.Manual);
        using var recorder = new TelemetryRecorder(h.Metrics.Meter);
        h.V3!.SessionsDown = true;
        var token = h.GatewayToken();

        using var down = await h.PostV3Async(CallbackTrustHost.ShareV3Path, CallbackTrustHost.V3Share(), token);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), down.Headers.RetryAfter?.Delta);
        var error = JsonNode.Parse(await down.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal(JsonValueKindString, error["code"]!.GetValueKind());
        Assert.Equal("Service Unavailable", error["message"]!.GetValue<string>());
        Assert.Empty(await h.Host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
        Assert.Equal(0, h.Jwks.Fetches); // no session, so the JWKS was never reached
        Assert.Contains(h.Logs.GetSnapshot(), r => r.Id.Id == 2121 && r.Message.Contains("session", StringComparison.Ordinal));
        Assert.Contains(h.Logs.GetSnapshot(), r => r.Id.Id == 2105 && r.Level == LogLevel.Warning);
        Assert.DoesNotContain(h.Logs.GetSnapshot(), r => r.Id.Id == 2100);
        Assert.Equal(1, recorder.Sum("abdm.shares.rejected", ("abdm.reason", "keys_unavailable")));
        Assert.Equal(1, recorder.Sum("abdm.jwks.fetches", ("abdm.outcome", "failure"), ("abdm.reason", "unreachable")));

        h.V3.SessionsDown = false;
        h.Host.Time.Advance(TimeSpan.FromSeconds(30)); // the Retry-After (Callbacks:KeysRefetchMinInterval)
        using var back = await h.PostV3Async(CallbackTrustHost.ShareV3Path, CallbackTrustHost.V3Share(), token);

        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        Assert.Single(await h.Host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
        Assert.Equal(1, h.Jwks.Fetches);
    }

    [Fact]
    public async Task OnGenerateToken_GatewayDownDuringTheKeyFetch_503NotUnauthorized()
    {
        await using var h = await CallbackTrustHost.StartAsync(v3: true);
        h.V3!.SessionsDown = true;

        using var response = await h.PostV3Async(CallbackTrustHost.OnGenerateTokenPath, CallbackTrustHost.OnGenerateToken(Guid.NewGuid().ToString(), "link-token-synthetic"), h.GatewayToken());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task OnConfirmV05_JwksUnreachable_503WithRetryAfter()
    {
        await using var h = await CallbackTrustHost.StartAsync();
        h.Jwks.Down = true;

        using var response = await h.PostV05Async(CallbackTrustHost.OnConfirmPath, CallbackTrustHost.OnConfirm(Guid.NewGuid().ToString(), "linking-token-synthetic"), h.GatewayToken());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), response.Headers.RetryAfter?.Delta);
        Assert.Equal("""{"error":{"code":503,"message":"Service Unavailable"}}""", await response.Content.ReadAsStringAsync());
        await CallbackSenderTests.AssertNothingChangedAsync(h);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindString = System.Text.Json.JsonValueKind.String;
}
