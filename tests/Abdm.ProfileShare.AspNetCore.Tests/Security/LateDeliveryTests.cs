using System.Net;
using Abdm.ProfileShare.AspNetCore.Tests.Endpoints;
using Abdm.ProfileShare.AspNetCore.Tests.Diagnostics;
using Abdm.ProfileShare.Model;
using Microsoft.Extensions.Logging;

namespace Abdm.ProfileShare.AspNetCore.Tests.Security;

/// <summary>
/// The gateway redelivers a callback about 16 minutes later with the same, by then expired, token. The answer to a
/// request this host sent and still awaits (even after its chain timed out waiting) is accepted within
/// <c>Callbacks:LateDeliveryGrace</c>, logged (2104) and counted (<c>abdm.callbacks.late_delivery</c>); anything else
/// with a late token is 401 and changes nothing.
/// </summary>
public sealed class LateDeliveryTests
{
    private static readonly TimeSpan TokenLifetime = TimeSpan.FromMinutes(20);

    [Fact]
    public async Task OnConfirm_LateDeliveryWithinGraceAfterTheChainTimedOut_LinksStoresTheTokenAndNotifies()
    {
        await using var h = await CallbackTrustHost.StartAsync();
        using var recorder = new TelemetryRecorder(h.Metrics.Meter);
        var issuedAt = h.Now;
        var token = h.GatewayToken(TokenLifetime);
        var (entry, confirmId) = await h.TimedOutConfirmAsync(token);
        Assert.Equal(LinkingState.TimedOut, entry.Linking.State);
        h.Host.Time.SetUtcNow(issuedAt + TokenLifetime + TimeSpan.FromMinutes(16)); // the redelivery, 16 min after exp

        using var response = await h.PostV05Async(CallbackTrustHost.OnConfirmPath, CallbackTrustHost.OnConfirm(confirmId, "linking-token-late-synthetic"), token);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var linked = await h.Host.WaitForEntryAsync(entry.Id, e => e.Linking.State == LinkingState.Linked);
        Assert.Null(linked.Linking.ErrorMessage);
        Assert.Equal("linking-token-late-synthetic", (await h.Host.Queue.GetLinkingTokenAsync(ProfileShareTestHost.HipId, "test@sbx"))?.Token);
        await h.Linking.Received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var warning = Assert.Single(h.Logs.GetSnapshot(), r => r.Id.Id == 2104);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("on-confirm", warning.Message, StringComparison.Ordinal);
        Assert.Contains(confirmId, warning.Message, StringComparison.Ordinal);
        Assert.Contains("960 s", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Split('.')[1], warning.Message, StringComparison.Ordinal);
        var late = Assert.Single(recorder.Measurements("abdm.callbacks.late_delivery"));
        Assert.Equal("on_confirm", late.Tag("abdm.callback"));
        Assert.Equal(960, late.Value, 0);
    }

    [Fact]
    public async Task OnConfirm_LateErrorAnswerWithinGrace_ChainFails()
    {
        await using var h = await CallbackTrustHost.StartAsync();
        var issuedAt = h.Now;
        var token = h.GatewayToken(TokenLifetime);
        var (entry, confirmId) = await h.TimedOutConfirmAsync(token);
        h.Host.Time.SetUtcNow(issuedAt + TokenLifetime + TimeSpan.FromMinutes(16));

        using var response = await h.PostV05Async(CallbackTrustHost.OnConfirmPath, CallbackTrustHost.OnConfirm(confirmId, accessToken: null), token);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var failed = await h.Host.WaitForEntryAsync(entry.Id, e => e.Linking.State == LinkingState.Failed);
        Assert.Equal("1441", failed.Linking.ErrorCode);
        Assert.Null(await h.Host.Queue.GetLinkingTokenAsync(ProfileShareTestHost.HipId, "test@sbx"));
    }

    [Fact]
    public async Task OnInit_LateDeliveryAfterTheChainTimedOut_ProceedsToConfirm()
    {
        await using var h = await CallbackTrustHost.StartAsync();
        var issuedAt = h.Now;
        var token = h.GatewayToken(TokenLifetime);
        h.Host.Gateway.CallbackToken = "Bearer " + token;
        h.Host.Gateway.DropOnInit = true;
        h.Host.Gateway.DropOnConfirm = true;
        using (var share = await h.Host.ShareAsync(ProfileShareTestHost.SeedShare()))
        {
            Assert.Equal(HttpStatusCode.Accepted, share.StatusCode);
        }

        var init = await h.Host.Gateway.WaitForAsync(c => c.Path == "/v0.5/users/auth/init");
        var entry = Assert.Single(await h.Host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
        await h.WaitForTimeoutArmedAsync(entry.Id);
        await h.TimeOutChainAsync(entry.Id);
        h.Host.Time.SetUtcNow(issuedAt + TokenLifetime + TimeSpan.FromMinutes(16));

        using var response = await h.PostV05Async(CallbackTrustHost.OnInitPath, CallbackTrustHost.OnInit(init.Get("requestId")!), token);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var confirming = await h.Host.WaitForEntryAsync(entry.Id, e => e.Linking.State == LinkingState.AwaitingToken);
        Assert.Null(confirming.Linking.ErrorMessage);
        var confirm = await h.Host.Gateway.WaitForAsync(c => c.Path == "/v0.5/users/auth/confirm");
        Assert.Equal(confirming.Linking.ConfirmRequestId?.ToString(), confirm.Get("requestId"));
        Assert.Single(h.Logs.GetSnapshot(), r => r.Id.Id == 2104);
    }

    [Fact]
    public async Task OnGenerateToken_LateDeliveryWithinGraceAfterTheChainTimedOut_LinksStoresTheTokenAndNotifies()
    {
        await using var h = await CallbackTrustHost.StartAsync(v3: true);
        using var recorder = new TelemetryRecorder(h.Metrics.Meter);
        var issuedAt = h.Now;
        var token = h.GatewayToken(TokenLifetime);
        var (entry, tokenRequestId) = await h.TimedOutGenerateTokenAsync(token);
        Assert.Equal(LinkingState.TimedOut, entry.Linking.State);
        h.Host.Time.SetUtcNow(issuedAt + TokenLifetime + TimeSpan.FromMinutes(16));

        using var response = await h.PostV3Async(CallbackTrustHost.OnGenerateTokenPath, CallbackTrustHost.OnGenerateToken(tokenRequestId, "link-token-late-synthetic"), token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await h.Host.WaitForEntryAsync(entry.Id, e => e.Linking.State == LinkingState.Linked);
        Assert.Equal("link-token-late-synthetic", (await h.Host.Queue.GetLinkingTokenAsync(ProfileShareTestHost.HipId, CallbackTrustHost.AbhaAddress))?.Token);
        await h.Linking.Received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var warning = Assert.Single(h.Logs.GetSnapshot(), r => r.Id.Id == 2104);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("on-generate-token", warning.Message, StringComparison.Ordinal);
        Assert.Contains(tokenRequestId, warning.Message, StringComparison.Ordinal);
        var late = Assert.Single(recorder.Measurements("abdm.callbacks.late_delivery"));
        Assert.Equal("on_generate_token", late.Tag("abdm.callback"));
    }

    [Fact]
    public async Task OnConfirm_LateTokenAndUnknownRequestId_401AndNothingChanges()
    {
        await using var h = await CallbackTrustHost.StartAsync();
        var late = TestTokens.Rs256(TestTokens.Claims(h.Now - TimeSpan.FromMinutes(36), TokenLifetime)); // expired 16 min ago

        using var response = await h.PostV05Async(CallbackTrustHost.OnConfirmPath, CallbackTrustHost.OnConfirm(Guid.NewGuid().ToString(), "linking-token-stray"), late);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("""{"error":{"code":401,"message":"Unauthorized"}}""", await response.Content.ReadAsStringAsync());
        await CallbackSenderTests.AssertNothingChangedAsync(h);
        Assert.Null(await h.Host.Queue.GetLinkingTokenAsync(ProfileShareTestHost.HipId, "test@sbx"));
        Assert.DoesNotContain(h.Logs.GetSnapshot(), r => r.Id.Id == 2104);
        Assert.Contains(h.Logs.GetSnapshot(), r => r.Id.Id == 2100 && r.Message.Contains("answers no request this host awaits", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OnGenerateToken_LateTokenAndUnknownRequestId_401AndNothingChanges()
    {
        await using var h = await CallbackTrustHost.StartAsync(v3: true);
        var late = TestTokens.Rs256(TestTokens.Claims(h.Now - TimeSpan.FromMinutes(36), TokenLifetime));

        using var response = await h.PostV3Async(CallbackTrustHost.OnGenerateTokenPath, CallbackTrustHost.OnGenerateToken(Guid.NewGuid().ToString(), "link-token-stray"), late);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await CallbackSenderTests.AssertV3UnauthorizedAsync(response);
        await CallbackSenderTests.AssertNothingChangedV3Async(h);
    }

    [Fact]
    public async Task OnConfirm_LateTokenPastTheGrace_401AndTheChainStaysTimedOut()
    {
        await using var h = await CallbackTrustHost.StartAsync();
        var issuedAt = h.Now;
        var token = h.GatewayToken(TokenLifetime);
        var (entry, confirmId) = await h.TimedOutConfirmAsync(token);
        var callsBefore = h.Host.Gateway.Calls.Count;
        h.Host.Time.SetUtcNow(issuedAt + TokenLifetime + TimeSpan.FromMinutes(25)); // grace is 20 min

        using var response = await h.PostV05Async(CallbackTrustHost.OnConfirmPath, CallbackTrustHost.OnConfirm(confirmId, "linking-token-too-late"), token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await AssertStillTimedOutAsync(h, entry, callsBefore);
        Assert.Contains(h.Logs.GetSnapshot(), r => r.Id.Id == 2100 && r.Message == "Gateway callback rejected: token expired");
    }

    [Fact]
    public async Task OnConfirm_LateDeliveryGraceZero_401AndTheChainStaysTimedOut()
    {
        await using var h = await CallbackTrustHost.StartAsync(configure: o => o.Callbacks.LateDeliveryGrace = TimeSpan.Zero);
        var issuedAt = h.Now;
        var token = h.GatewayToken(TokenLifetime);
        var (entry, confirmId) = await h.TimedOutConfirmAsync(token);
        var callsBefore = h.Host.Gateway.Calls.Count;
        h.Host.Time.SetUtcNow(issuedAt + TokenLifetime + TimeSpan.FromMinutes(16));

        using var response = await h.PostV05Async(CallbackTrustHost.OnConfirmPath, CallbackTrustHost.OnConfirm(confirmId, "linking-token-late"), token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await AssertStillTimedOutAsync(h, entry, callsBefore);
    }

    [Fact]
    public async Task OnConfirm_LateTokenAnsweringAnotherHipsRequest_401()
    {
        await using var h = await CallbackTrustHost.StartAsync();
        var issuedAt = h.Now;
        var token = h.GatewayToken(TokenLifetime);
        var (entry, confirmId) = await h.TimedOutConfirmAsync(token);
        var callsBefore = h.Host.Gateway.Calls.Count;
        h.Host.Time.SetUtcNow(issuedAt + TokenLifetime + TimeSpan.FromMinutes(16));
        h.Host.Gateway.HipId = "HIP-TEST-2"; // served by the host, but not the HIP that sent the confirm

        using var response = await h.PostV05Async(CallbackTrustHost.OnConfirmPath, CallbackTrustHost.OnConfirm(confirmId, "linking-token-late"), token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await AssertStillTimedOutAsync(h, entry, callsBefore);
    }

    [Fact]
    public async Task OnConfirm_InTimeTokenAfterTheChainTimedOut_StillLinks()
    {
        // Not a late token at all: the answer came after Linking:CallbackTimeout but within the token's lifetime.
        await using var h = await CallbackTrustHost.StartAsync();
        var token = h.GatewayToken(TokenLifetime);
        var (entry, confirmId) = await h.TimedOutConfirmAsync(token);

        using var response = await h.PostV05Async(CallbackTrustHost.OnConfirmPath, CallbackTrustHost.OnConfirm(confirmId, "linking-token-slow"), token);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await h.Host.WaitForEntryAsync(entry.Id, e => e.Linking.State == LinkingState.Linked);
        Assert.DoesNotContain(h.Logs.GetSnapshot(), r => r.Id.Id == 2104);
    }

    /// <summary>No side effect: still TimedOut, no token stored, no handler told of one, no further gateway call, no late-delivery log.</summary>
    private static async Task AssertStillTimedOutAsync(CallbackTrustHost h, QueueEntry entry, int callsBefore)
    {
        var after = (await h.Host.Store.GetEntryAsync(entry.Id))!;
        Assert.Equal(LinkingState.TimedOut, after.Linking.State);
        Assert.Equal(entry.Linking, after.Linking);
        Assert.Null(await h.Host.Queue.GetLinkingTokenAsync(ProfileShareTestHost.HipId, "test@sbx"));
        Assert.Equal(0, h.Linking.ReceivedCount);
        Assert.Equal(callsBefore, h.Host.Gateway.Calls.Count);
        Assert.DoesNotContain(h.Logs.GetSnapshot(), r => r.Id.Id == 2104);
    }
}
