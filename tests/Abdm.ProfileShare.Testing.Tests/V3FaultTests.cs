using System.Text.Json.Nodes;
using Abdm.ProfileShare.Model;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Abdm.ProfileShare.Testing.Tests;

/// <summary>Faults on the v3 operations: the same operation names (Sessions, Certs, OnShare, Share) plus GenerateToken and OnGenerateToken.</summary>
public sealed class V3FaultTests
{
    private const string CallbackPath = "/api/v3/hip/token/on-generate-token";

    [Theory]
    [InlineData(503, "ABDM-1024")]
    [InlineData(429, "ABDM-1022")]
    [InlineData(500, "ABDM-9999")]
    public async Task RespondWith_OnShareV3_AnswersV3ErrorThenProcessesNormally(int status, string code)
    {
        await using var bed = await TestBed.StartAsync();
        var (share, _) = await bed.ScanV3Async();
        await bed.TokenAsync();
        bed.Gateway.Faults.For(GatewayOperation.OnShare).RespondWith(status, times: 1);

        using var faulted = await bed.SendV3Async(TestBed.OnShareV3(TestBed.OnShareV3Body(share)));
        using var normal = await bed.SendV3Async(TestBed.OnShareV3(TestBed.OnShareV3Body(share)));

        Assert.Equal(status, (int)faulted.StatusCode);
        Assert.Equal(code, (string?)JsonNode.Parse(await faulted.Content.ReadAsStringAsync())!["error"]!["code"]);
        Assert.Equal(202, (int)normal.StatusCode);
        var entries = bed.Gateway.Journal.Of(GatewayOperation.OnShare);
        Assert.Contains(FaultKind.RespondWith, entries[0].Faults);
        Assert.Equal(code, entries[0].WireErrorCode);
        Assert.True(entries[1].IsAccepted);
    }

    [Fact]
    public async Task RespondWith_OnSessionsV3_Answers503()
    {
        await using var bed = await TestBed.StartAsync();
        bed.Gateway.Faults.For(GatewayOperation.Sessions).RespondWith(503, times: 1);

        using var faulted = await bed.SendV3Async(TestBed.V3Session());
        using var normal = await bed.SendV3Async(TestBed.V3Session());

        Assert.Equal(503, (int)faulted.StatusCode);
        Assert.Equal(202, (int)normal.StatusCode);
    }

    [Fact]
    public async Task ExpireTokensEarly_Zero_V3TokenRefusedByV3Certs()
    {
        await using var bed = await TestBed.StartAsync();
        bed.Gateway.Faults.For(GatewayOperation.Sessions).ExpireTokensEarly(TimeSpan.Zero, times: 1);

        var doomed = await bed.NewV3TokenAsync();
        using var refused = await bed.SendV3Async(new V3Request("api/hiecm/gateway/v3/certs", null) { Method = HttpMethod.Get, Authorization = "Bearer " + doomed });

        Assert.Equal(401, (int)refused.StatusCode);
        Assert.Equal("900901", (string?)JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["code"]);
    }

    [Fact]
    public async Task RespondWith_OnGenerateToken_NoCallback()
    {
        await using var bed = await TestBed.StartAsync();
        await bed.TokenAsync();
        bed.Gateway.Faults.For(GatewayOperation.GenerateToken).RespondWith(500, times: 1);

        using var response = await bed.SendV3Async(TestBed.GenerateToken(TestBed.GenerateTokenBody(SyntheticPatients.All[0])));

        Assert.Equal(500, (int)response.StatusCode);
        Assert.Equal("ABDM-9999", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["code"]);
        Assert.Empty(bed.Gateway.Journal.Of(GatewayOperation.OnGenerateToken));
    }

    [Fact]
    public async Task Drop_OnGenerateToken_NoCallbackSent()
    {
        await using var bed = await TestBed.StartAsync();
        var patient = SyntheticPatients.All[0];
        bed.Gateway.Faults.For(GatewayOperation.OnGenerateToken).Drop();

        using var response = await bed.SendV3Async(TestBed.GenerateToken(TestBed.GenerateTokenBody(patient)));
        var dropped = await bed.Gateway.Journal.WaitForAsync(e => e.Operation == GatewayOperation.OnGenerateToken, TestBed.Wait);

        Assert.Equal(202, (int)response.StatusCode);
        Assert.Contains(FaultKind.Drop, dropped.Faults);
        Assert.Null(dropped.StatusCode);
        Assert.Empty(bed.Hip.CallsTo(CallbackPath));
    }

    [Fact]
    public async Task Duplicate_OnGenerateToken_SameCallbackDeliveredTwice()
    {
        await using var bed = await TestBed.StartAsync();
        bed.Gateway.Faults.For(GatewayOperation.OnGenerateToken).Duplicate();

        using var response = await bed.SendV3Async(TestBed.GenerateToken(TestBed.GenerateTokenBody(SyntheticPatients.All[0])));
        await bed.Gateway.Journal.WaitForAsync(e => e.Operation == GatewayOperation.OnGenerateToken && e.Faults.Contains(FaultKind.Duplicate), TestBed.Wait);

        var calls = bed.Hip.CallsTo(CallbackPath);
        Assert.Equal(2, calls.Count);
        Assert.Equal(calls[0].Headers["REQUEST-ID"], calls[1].Headers["REQUEST-ID"]);
        Assert.Equal(calls[0].Text, calls[1].Text);
    }

    [Fact]
    public async Task DeliverInReverseOrder_OnGenerateToken_TwoLinkTokensLaterFirst()
    {
        await using var bed = await TestBed.StartAsync();
        bed.Gateway.Faults.For(GatewayOperation.OnGenerateToken).DeliverInReverseOrder(times: 1);
        var request = TestBed.GenerateToken(TestBed.GenerateTokenBody(SyntheticPatients.All[0]));

        using var response = await bed.SendV3Async(request);
        var seen = 0;
        await bed.Gateway.Journal.WaitForAsync(e => e.Operation == GatewayOperation.OnGenerateToken && ++seen == 2, TestBed.Wait);

        var calls = bed.Hip.CallsTo(CallbackPath);
        Assert.Equal(2, calls.Count);
        Assert.NotEqual(calls[0].Headers["REQUEST-ID"], calls[1].Headers["REQUEST-ID"]);
        Assert.NotEqual((string?)calls[0].Body["linkToken"], (string?)calls[1].Body["linkToken"]);
        Assert.All(calls, c => Assert.Equal(request.RequestId, (string?)c.Body["response"]!["requestId"]));
        Assert.All(bed.Gateway.Journal.Of(GatewayOperation.OnGenerateToken), e => Assert.Contains(FaultKind.ReverseOrder, e.Faults));
    }

    [Fact]
    public async Task SendBeforeAccepted_OnGenerateToken_CallbackArrivesBeforeThe202()
    {
        await using var bed = await TestBed.StartAsync();
        bed.Gateway.Faults.For(GatewayOperation.OnGenerateToken).SendBeforeAccepted();

        using var response = await bed.SendV3Async(TestBed.GenerateToken(TestBed.GenerateTokenBody(SyntheticPatients.All[0])));

        Assert.Equal(202, (int)response.StatusCode);
        Assert.Single(bed.Hip.CallsTo(CallbackPath));
        var sent = Assert.Single(bed.Gateway.Journal.Of(GatewayOperation.OnGenerateToken));
        var accepted = Assert.Single(bed.Gateway.Journal.Of(GatewayOperation.GenerateToken));
        Assert.True(sent.Sequence < accepted.Sequence);
    }

    [Fact]
    public async Task SignWithUnpublishedKey_OnGenerateToken_TokenFailsV3JwksValidation()
    {
        await using var bed = await TestBed.StartAsync();
        bed.Gateway.Faults.For(GatewayOperation.OnGenerateToken).SignWithUnpublishedKey(times: 1);

        using var response = await bed.SendV3Async(TestBed.GenerateToken(TestBed.GenerateTokenBody(SyntheticPatients.All[0])));
        var call = await bed.Hip.WaitForAsync(CallbackPath, TestBed.Wait);

        var kid = new JsonWebToken(call.BearerToken).Kid;
        Assert.DoesNotContain(kid, (await bed.V3JwksAsync()).Keys.Select(k => k.Kid));
        Assert.False((await bed.ValidateV3CallbackTokenAsync(call.BearerToken)).IsValid);
    }

    [Fact]
    public async Task Duplicate_ShareV3_HipReceivesSameRequestIdTwice()
    {
        await using var bed = await TestBed.StartAsync();
        bed.Gateway.Faults.For(GatewayOperation.Share).Duplicate(times: 1);

        var share = await bed.Gateway.ScanAsync(new SimulatedScan(TestBed.HipId, "c", SyntheticPatients.All[0], WireVersion.V3));

        var calls = bed.Hip.CallsTo("/api/v3/hip/patient/share");
        Assert.Equal(2, calls.Count);
        Assert.All(calls, c => Assert.Equal(share.RequestId.ToString(), c.Headers["REQUEST-ID"]));
        Assert.Equal(calls[0].Headers["TIMESTAMP"], calls[1].Headers["TIMESTAMP"]);
    }

    [Fact]
    public async Task Drop_ShareV3_NotDelivered()
    {
        await using var bed = await TestBed.StartAsync();
        bed.Gateway.Faults.For(GatewayOperation.Share).Drop(times: 1);

        var share = await bed.Gateway.ScanAsync(new SimulatedScan(TestBed.HipId, "c", SyntheticPatients.All[0], WireVersion.V3));

        Assert.Null(share.HipStatusCode);
        Assert.Empty(bed.Hip.CallsTo("/api/v3/hip/patient/share"));
    }

    [Fact]
    public async Task Faults_V3Operations_OnlyApplicableOnesAccepted()
    {
        await using var bed = await TestBed.StartAsync();

        Assert.Throws<InvalidOperationException>(() => bed.Gateway.Faults.For(GatewayOperation.GenerateToken).Drop());
        Assert.Throws<InvalidOperationException>(() => bed.Gateway.Faults.For(GatewayOperation.OnGenerateToken).RespondWith(500));
        bed.Gateway.Faults.For(GatewayOperation.GenerateToken).Hang(times: 1).Delay(TimeSpan.FromMilliseconds(1), times: 1);
        bed.Gateway.Faults.For(GatewayOperation.OnGenerateToken).DeliverInReverseOrder(times: 1).SendBeforeAccepted(times: 1);
    }
}
