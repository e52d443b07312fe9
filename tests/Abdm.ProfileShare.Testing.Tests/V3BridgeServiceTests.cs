using System.Text.Json.Nodes;

namespace Abdm.ProfileShare.Testing.Tests;

/// <summary>The bridge's service ids: the bridge-services listing and the X-HIP-ID routing rule of generate-token.</summary>
public sealed class V3BridgeServiceTests
{
    private const string ListingPath = "api/hiecm/gateway/v3/bridge-services";
    private const string CallbackPath = "/api/v3/hip/token/on-generate-token";
    private const string ServiceId = "IN1410000232_1";
    private const string FacilityId = "IN1410000232";

    private static V3Request Listing() => new(ListingPath, null) { Method = HttpMethod.Get };

    [Fact]
    public async Task BridgeServices_Default_ListsTheRegisteredHips()
    {
        await using var bed = await TestBed.StartAsync();
        bed.Gateway.RegisterHip("HIP-0", bed.Hip.BaseUrl);

        using var response = await bed.SendV3Async(Listing());

        Assert.Equal(200, (int)response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(TestBed.ClientId, (string?)body["bridge"]!["id"]);
        Assert.True((bool)body["bridge"]!["active"]!);
        Assert.False((bool)body["bridge"]!["blocklisted"]!);
        var services = body["services"]!.AsArray();
        Assert.Equal(["HIP-0", TestBed.HipId], services.Select(s => (string?)s!["id"]));
        Assert.All(services, s =>
        {
            Assert.Equal(["HIP"], s!["types"]!.AsArray().Select(t => (string?)t));
            Assert.True((bool)s["active"]!);
        });
        Assert.Equal(["HIP-0", TestBed.HipId], bed.Gateway.BridgeServiceIds);
        Assert.True(Assert.Single(bed.Gateway.Journal.Of(GatewayOperation.BridgeServices)).IsAccepted);
    }

    [Fact]
    public async Task BridgeServices_Configured_ListsExactlyThem()
    {
        await using var bed = await TestBed.StartAsync(o => o.BridgeServiceIds.Add(ServiceId));

        using var response = await bed.SendV3Async(Listing());

        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal([ServiceId], body["services"]!.AsArray().Select(s => (string?)s!["id"]));
    }

    [Theory]
    [InlineData("no-authorization", 401, "900902")]
    [InlineData("no-request-id", 400, "ABDM-2404")]
    [InlineData("no-cm-id", 400, "ABDM-2403")]
    public async Task BridgeServices_WithoutSessionTokenOrHeaders_Refused(string caseName, int status, string code)
    {
        await using var bed = await TestBed.StartAsync();
        var request = Listing();
        switch (caseName)
        {
            case "no-authorization": request.Authorization = ""; break;
            case "no-request-id": request.RequestId = null; break;
            default: request.CmId = null; break;
        }

        using var response = await bed.SendV3Async(request);

        Assert.Equal(status, (int)response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(code, (string?)(status == 401 ? answer : answer["error"]!)["code"]);
    }

    [Fact]
    public async Task GenerateToken_HfrFacilityIdInsteadOfServiceId_Accepted202AndNoCallbackEver()
    {
        await using var bed = await TestBed.StartAsync(o => o.BridgeServiceIds.Add(ServiceId));
        bed.Gateway.RegisterHip(ServiceId, bed.Hip.BaseUrl);
        bed.Gateway.RegisterHip(FacilityId, bed.Hip.BaseUrl); // a bridge URL, but not a service id
        var wrong = TestBed.GenerateToken(TestBed.GenerateTokenBody(SyntheticPatients.All[0]));
        wrong.HipId = FacilityId;

        using var response = await bed.SendV3Async(wrong);

        Assert.Equal(202, (int)response.StatusCode);
        var accepted = Assert.Single(bed.Gateway.Journal.Of(GatewayOperation.GenerateToken));
        Assert.True(accepted.IsAccepted);
        Assert.Equal(FacilityId, accepted.HipId);
        Assert.Contains("not a service id", accepted.Detail, StringComparison.Ordinal);

        // The right id is routed; the wrong one was never scheduled, so it is not among the callbacks.
        var right = TestBed.GenerateToken(TestBed.GenerateTokenBody(SyntheticPatients.All[1]));
        right.HipId = ServiceId;
        using (var second = await bed.SendV3Async(right))
        {
            Assert.Equal(202, (int)second.StatusCode);
        }

        var call = await bed.Hip.WaitForAsync(CallbackPath, TestBed.Wait);
        Assert.Equal(ServiceId, call.Headers["X-HIP-ID"]);
        await bed.Gateway.Journal.WaitForLinkTokenIssuedAsync(SyntheticPatients.All[1].HealthId, TestBed.Wait);
        Assert.Single(bed.Gateway.Journal.Of(GatewayOperation.OnGenerateToken));
        Assert.Single(bed.Hip.CallsTo(CallbackPath));
    }

    [Fact]
    public async Task GenerateToken_ServiceIdListedButNoBridgeUrl_AcceptedAndDroppedWithReason()
    {
        await using var bed = await TestBed.StartAsync(o => o.BridgeServiceIds.Add(ServiceId));
        var request = TestBed.GenerateToken(TestBed.GenerateTokenBody(SyntheticPatients.All[0]));
        request.HipId = ServiceId;

        using var response = await bed.SendV3Async(request);

        Assert.Equal(202, (int)response.StatusCode);
        Assert.Contains("no bridge URL", Assert.Single(bed.Gateway.Journal.Of(GatewayOperation.GenerateToken)).Detail, StringComparison.Ordinal);
        Assert.Empty(bed.Gateway.Journal.Of(GatewayOperation.OnGenerateToken));
    }

    [Fact]
    public async Task GenerateToken_DefaultServices_UnknownHipIdAcceptedAndDropped()
    {
        await using var bed = await TestBed.StartAsync();
        var request = TestBed.GenerateToken(TestBed.GenerateTokenBody(SyntheticPatients.All[0]));
        request.HipId = "HIP-UNKNOWN";

        using var response = await bed.SendV3Async(request);

        Assert.Equal(202, (int)response.StatusCode);
        var entry = Assert.Single(bed.Gateway.Journal.Of(GatewayOperation.GenerateToken));
        Assert.Null(entry.Rejection);
        Assert.Contains("HIP-UNKNOWN", entry.Detail, StringComparison.Ordinal);
        Assert.Empty(bed.Gateway.Journal.Of(GatewayOperation.OnGenerateToken));
    }
}
