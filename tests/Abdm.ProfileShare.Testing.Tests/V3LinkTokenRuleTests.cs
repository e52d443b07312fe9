using System.Net;
using System.Text.Json.Nodes;
using Abdm.ProfileShare.Model;
using Microsoft.Extensions.Time.Testing;

namespace Abdm.ProfileShare.Testing.Tests;

/// <summary>The v3 sandbox's generate-token rules: the request window (ABDM-1092) and the block (ABDM-1027).</summary>
public sealed class V3LinkTokenRuleTests
{
    private const string CallbackPath = "/api/v3/hip/token/on-generate-token";
    private const string SecondHip = "HIP-2";

    private static async Task<(TestBed Bed, FakeTimeProvider Time)> StartAsync(Action<GatewaySimulatorOptions>? configure = null)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var bed = await TestBed.StartAsync(o =>
        {
            o.TimeProvider = time;
            o.SessionTokenLifetime = TimeSpan.FromDays(3); // the tests move the clock by up to a day
            configure?.Invoke(o);
        });
        bed.Gateway.RegisterHip(SecondHip, bed.Hip.BaseUrl);
        return (bed, time);
    }

    private static async Task<(int Status, JsonNode? Body)> GenerateAsync(TestBed bed, SharedPatientProfile patient, string hipId = TestBed.HipId, Action<JsonObject>? change = null)
    {
        var body = TestBed.GenerateTokenBody(patient);
        change?.Invoke(body);
        var request = TestBed.GenerateToken(body);
        request.HipId = hipId;
        using var response = await bed.SendV3Async(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    [Fact]
    public async Task GenerateToken_SameAddressAndHipInsideWindow_Refused1092EvenAfterTheFirstWasAnswered()
    {
        var (bed, time) = await StartAsync();
        await using var _ = bed;
        var patient = SyntheticPatients.All[0];
        Assert.Equal(202, (await GenerateAsync(bed, patient)).Status);
        await bed.Gateway.Journal.WaitForLinkTokenIssuedAsync(patient.HealthId, TestBed.Wait);
        time.Advance(TimeSpan.FromSeconds(371));

        // A fresh REQUEST-ID, the address in other case: still the same (address, HIP).
        var (status, body) = await GenerateAsync(bed, patient, change: b => b["abhaAddress"] = patient.HealthId.ToUpperInvariant().Replace("@SBX", "@sbx", StringComparison.Ordinal));

        Assert.Equal(400, status);
        Assert.Equal("ABDM-1092", (string?)body!["error"]!["code"]);
        Assert.Equal("Duplicate Link token request", (string?)body["error"]!["message"]);
        var refused = bed.Gateway.Journal.Of(GatewayOperation.GenerateToken)[^1];
        Assert.Equal(GatewayRejection.DuplicateLinkTokenRequest, refused.Rejection);
        Assert.Equal("ABDM-1092", refused.WireErrorCode);
        Assert.Single(bed.Gateway.Journal.Of(GatewayOperation.OnGenerateToken));
    }

    [Fact]
    public async Task GenerateToken_WindowOver_OtherHip_OtherAddress_Accepted()
    {
        var (bed, time) = await StartAsync();
        await using var _ = bed;
        Assert.Equal(202, (await GenerateAsync(bed, SyntheticPatients.All[0])).Status);

        Assert.Equal(202, (await GenerateAsync(bed, SyntheticPatients.All[0], SecondHip)).Status);
        Assert.Equal(202, (await GenerateAsync(bed, SyntheticPatients.All[1])).Status);
        time.Advance(TimeSpan.FromSeconds(372));
        Assert.Equal(202, (await GenerateAsync(bed, SyntheticPatients.All[0])).Status);

        // The window restarts from the last accepted request, not from the first.
        time.Advance(TimeSpan.FromSeconds(371));
        Assert.Equal(400, (await GenerateAsync(bed, SyntheticPatients.All[0])).Status);
        Assert.Equal(4, bed.Gateway.Journal.Of(GatewayOperation.GenerateToken).Count(e => e.IsAccepted));
    }

    [Fact]
    public async Task GenerateToken_WindowOptionChangedOrOff_FollowsTheOption()
    {
        var (shortBed, shortTime) = await StartAsync(o => o.LinkTokenRequestWindow = TimeSpan.FromSeconds(10));
        await using (shortBed)
        {
            Assert.Equal(202, (await GenerateAsync(shortBed, SyntheticPatients.All[0])).Status);
            Assert.Equal(400, (await GenerateAsync(shortBed, SyntheticPatients.All[0])).Status);
            shortTime.Advance(TimeSpan.FromSeconds(10));
            Assert.Equal(202, (await GenerateAsync(shortBed, SyntheticPatients.All[0])).Status);
        }

        var (bed, _) = await StartAsync(o => o.EnforceLinkTokenRequestWindow = false);
        await using (bed)
        {
            for (var i = 0; i < 5; i++)
            {
                Assert.Equal(202, (await GenerateAsync(bed, SyntheticPatients.All[0])).Status);
            }

            Assert.Equal(5, bed.Gateway.Journal.Of(GatewayOperation.GenerateToken).Count(e => e.IsAccepted));
        }
    }

    [Fact]
    public async Task GenerateToken_ThreeRefusals_BlockTheAddressFor24HoursAtEveryHip()
    {
        var (bed, time) = await StartAsync();
        await using var _ = bed;
        var patient = SyntheticPatients.All[0];
        Assert.Equal(202, (await GenerateAsync(bed, patient)).Status);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("ABDM-1092", (string?)(await GenerateAsync(bed, patient)).Body!["error"]!["code"]);
        }

        // Blocked: accepted, and the callback carries ABDM-1027, here and at another HIP, even after the window.
        time.Advance(TimeSpan.FromMinutes(10));
        var blocked = TestBed.GenerateToken(TestBed.GenerateTokenBody(patient));
        using (var response = await bed.SendV3Async(blocked))
        {
            Assert.Equal(202, (int)response.StatusCode);
        }

        var call = await bed.Hip.WaitForAsync(CallbackPath, TestBed.Wait, c => (string?)c.Body["response"]?["requestId"] == blocked.RequestId);
        Assert.Equal(["error", "response"], call.Body.Select(p => p.Key));
        Assert.Equal("ABDM-1027", (string?)call.Body["error"]!["code"]);
        Assert.Equal("You are blocked. Please try again after 24 hours.", (string?)call.Body["error"]!["message"]);
        Assert.Contains("blocked", bed.Gateway.Journal.Of(GatewayOperation.GenerateToken)[^1].Detail, StringComparison.Ordinal);
        var atOtherHip = TestBed.GenerateToken(TestBed.GenerateTokenBody(patient));
        atOtherHip.HipId = SecondHip;
        using (var response = await bed.SendV3Async(atOtherHip))
        {
            Assert.Equal(202, (int)response.StatusCode);
        }

        var otherCall = await bed.Hip.WaitForAsync(CallbackPath, TestBed.Wait, c => (string?)c.Body["response"]?["requestId"] == atOtherHip.RequestId);
        Assert.Equal("ABDM-1027", (string?)otherCall.Body["error"]!["code"]);

        // Another address is not blocked.
        Assert.Equal(202, (await GenerateAsync(bed, SyntheticPatients.All[1])).Status);
        await bed.Gateway.Journal.WaitForLinkTokenIssuedAsync(SyntheticPatients.All[1].HealthId, TestBed.Wait);

        // 24 hours after the block started, a request gets a link token again.
        time.Advance(TimeSpan.FromHours(24) - TimeSpan.FromMinutes(10));
        Assert.Equal(202, (await GenerateAsync(bed, patient)).Status);
        Assert.False(string.IsNullOrEmpty(await bed.Gateway.Journal.WaitForLinkTokenIssuedAsync(patient.HealthId, TestBed.Wait)));
    }

    [Fact]
    public async Task GenerateToken_BlockOff_RefusalsStay1092()
    {
        var (bed, _) = await StartAsync(o => o.EnforceBlockAfterRefusals = false);
        await using var __ = bed;
        Assert.Equal(202, (await GenerateAsync(bed, SyntheticPatients.All[0])).Status);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(400, (await GenerateAsync(bed, SyntheticPatients.All[0])).Status);
        }

        await bed.Gateway.Journal.WaitForLinkTokenIssuedAsync(SyntheticPatients.All[0].HealthId, TestBed.Wait);
        Assert.Single(bed.Gateway.Journal.Of(GatewayOperation.OnGenerateToken));
        Assert.Equal(5, bed.Gateway.Journal.Of(GatewayOperation.GenerateToken).Count(e => e.Rejection == GatewayRejection.DuplicateLinkTokenRequest));
    }

    [Fact]
    public async Task GenerateToken_RefusalsBeforeBlockOne_FirstRefusalBlocks()
    {
        var (bed, _) = await StartAsync(o => o.RefusalsBeforeBlock = 1);
        await using var __ = bed;
        Assert.Equal(202, (await GenerateAsync(bed, SyntheticPatients.All[0])).Status);
        Assert.Equal(400, (await GenerateAsync(bed, SyntheticPatients.All[0])).Status);

        var request = TestBed.GenerateToken(TestBed.GenerateTokenBody(SyntheticPatients.All[0]));
        using var response = await bed.SendV3Async(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var call = await bed.Hip.WaitForAsync(CallbackPath, TestBed.Wait, c => (string?)c.Body["response"]?["requestId"] == request.RequestId);
        Assert.Equal("ABDM-1027", (string?)call.Body["error"]!["code"]);
    }
}
