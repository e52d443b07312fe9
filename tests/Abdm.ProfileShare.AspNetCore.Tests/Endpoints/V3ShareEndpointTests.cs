using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Workflow;
using Microsoft.Extensions.DependencyInjection;

namespace Abdm.ProfileShare.AspNetCore.Tests.Endpoints;

/// <summary>
/// The v3 HIP side end to end on TestServer, the gateway faked over HTTP (<see cref="V3FakeGateway"/>): the share
/// callback (<c>/api/v3/hip/patient/share</c>), the on-share it causes, generate-token and the
/// <c>on-generate-token</c> callback, v3 error bodies, and the on-share version per deployment.
/// </summary>
public sealed class V3ShareEndpointTests
{
    private const string SharePath = "/api/v3/hip/patient/share";
    private const string OnGenerateTokenPath = "/api/v3/hip/token/on-generate-token";
    private const string AbhaAddress = "test.v3@sbx";

    [Fact]
    public async Task ShareV3_SandboxShape_Answers200QueuesTokenOneAndOnShareNamesTheRequestId()
    {
        await using var h = await V3Host.StartAsync(o => o.Linking.Start = LinkingStart.Manual);
        var requestId = Guid.NewGuid();

        using var response = await h.ShareAsync(Share(), requestId);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entry = Assert.Single(await h.Host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
        Assert.Equal("OPD1", entry.CounterCode);
        Assert.Equal(1, entry.TokenNumber);
        Assert.Equal(requestId, entry.LatestShareRequestId);
        Assert.Equal(WireVersion.V3, entry.WireVersion);
        Assert.Equal(AbhaAddress, entry.Profile.HealthId);
        Assert.Equal(2000, entry.Profile.YearOfBirth);

        var onShare = await h.Gateway.WaitForAsync(c => c.Path == V3FakeGateway.OnShare);
        Assert.Equal(requestId.ToString(), onShare.Get("response", "requestId"));
        Assert.Equal("SUCCESS", onShare.Get("acknowledgement", "status"));
        Assert.Equal(AbhaAddress, onShare.Get("acknowledgement", "abhaAddress"));
        Assert.Equal("OPD1", onShare.Get("acknowledgement", "profile", "context"));
        Assert.Equal(JsonValueKind.String, onShare.Body!["acknowledgement"]!["profile"]!["tokenNumber"]!.GetValueKind());
        Assert.Equal("1", onShare.Get("acknowledgement", "profile", "tokenNumber"));
        Assert.Equal(1800, Expiry(onShare));
        Assert.Null(onShare.Body!["error"]);
        Assert.True(Guid.TryParse(onShare.Header("REQUEST-ID"), out var onShareId));
        Assert.NotEqual(requestId, onShareId);
        Assert.NotNull(onShare.Header("TIMESTAMP"));
        Assert.Equal("sbx", onShare.Header("X-CM-ID"));
        Assert.Equal("Bearer " + V3FakeGateway.SessionToken, onShare.Header("Authorization"));
        Assert.Single(h.Gateway.CallsTo(V3FakeGateway.Sessions));
    }

    [Fact]
    public async Task ShareV3_SameRequestIdTwice_OneEntryAndOneOnShare()
    {
        await using var h = await V3Host.StartAsync();
        var requestId = Guid.NewGuid();

        using var first = await h.ShareAsync(Share(), requestId);
        using var second = await h.ShareAsync(Share(), requestId);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var entry = Assert.Single(await h.Host.Queue.ListAsync(ProfileShareTestHost.HipId, null));

        // generate-token follows the delivered on-share: once it went out, every on-share of this entry has too.
        await h.Gateway.WaitForAsync(c => c.Path == V3FakeGateway.GenerateToken);
        Assert.Single(h.Gateway.CallsTo(V3FakeGateway.OnShare));
        Assert.Equal(1, (await h.Host.Store.GetEntryAsync(entry.Id))!.ScanCount);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-a-uuid")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    public async Task ShareV3_MissingOrInvalidRequestId_400NamingRequestIdAndNothingStored(string? requestId)
    {
        await using var h = await V3Host.StartAsync();

        using var response = await h.Gateway.PostToHipAsync(SharePath, Share(), requestId);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await ErrorAsync(response);
        Assert.Contains("REQUEST-ID", error.Message, StringComparison.Ordinal);
        Assert.Empty(await h.Host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
        Assert.Empty(h.Gateway.CallsTo(V3FakeGateway.OnShare));
    }

    [Fact]
    public async Task ShareV3_RescanWithinWindow_SameTokenWithTheRemainingValidityAsASmallerExpiry()
    {
        await using var h = await V3Host.StartAsync(o => o.Linking.Start = LinkingStart.Manual);
        var firstId = Guid.NewGuid();
        var secondId = Guid.NewGuid();

        using var first = await h.ShareAsync(Share(), firstId);
        var firstAck = await h.Gateway.WaitForAsync(c => c.Path == V3FakeGateway.OnShare && c.Get("response", "requestId") == firstId.ToString());
        h.Host.Time.Advance(TimeSpan.FromMinutes(20));
        using var second = await h.ShareAsync(Share(), secondId);
        var secondAck = await h.Gateway.WaitForAsync(c => c.Path == V3FakeGateway.OnShare && c.Get("response", "requestId") == secondId.ToString());

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("1", firstAck.Get("acknowledgement", "profile", "tokenNumber"));
        Assert.Equal("1", secondAck.Get("acknowledgement", "profile", "tokenNumber"));
        Assert.Equal(1800, Expiry(firstAck));
        Assert.Equal(600, Expiry(secondAck));
        var rescanned = Assert.Single(await h.Host.Queue.ListAsync(ProfileShareTestHost.HipId, "OPD1"));
        Assert.Equal(2, rescanned.ScanCount);
        Assert.Equal(secondId, rescanned.LatestShareRequestId);
    }

    [Fact]
    public async Task ShareV3_ScanAfterTheWindow_TheNextTokenWithAFullExpiry()
    {
        await using var h = await V3Host.StartAsync(o => o.Linking.Start = LinkingStart.Manual);
        var firstId = Guid.NewGuid();
        var secondId = Guid.NewGuid();

        using var first = await h.ShareAsync(Share(), firstId);
        await h.Gateway.WaitForAsync(c => c.Path == V3FakeGateway.OnShare && c.Get("response", "requestId") == firstId.ToString());
        h.Host.Time.Advance(TimeSpan.FromMinutes(31));
        using var second = await h.ShareAsync(Share(), secondId);
        var secondAck = await h.Gateway.WaitForAsync(c => c.Path == V3FakeGateway.OnShare && c.Get("response", "requestId") == secondId.ToString());

        Assert.Equal("2", secondAck.Get("acknowledgement", "profile", "tokenNumber"));
        Assert.Equal(1800, Expiry(secondAck));
        Assert.Equal([1, 2], (await h.Host.Queue.ListAsync(ProfileShareTestHost.HipId, "OPD1")).Select(e => e.TokenNumber).Order());
    }

    [Fact]
    public async Task ShareV3_SecondRescanPastTheWindowOfTheFirstScan_TheNextToken()
    {
        await using var h = await V3Host.StartAsync(o => o.Linking.Start = LinkingStart.Manual);
        var thirdId = Guid.NewGuid();

        using var first = await h.ShareAsync(Share(), Guid.NewGuid());
        h.Host.Time.Advance(TimeSpan.FromMinutes(20));
        using var second = await h.ShareAsync(Share(), Guid.NewGuid());
        h.Host.Time.Advance(TimeSpan.FromMinutes(11));
        using var third = await h.ShareAsync(Share(), thirdId);
        var thirdAck = await h.Gateway.WaitForAsync(c => c.Path == V3FakeGateway.OnShare && c.Get("response", "requestId") == thirdId.ToString());

        Assert.Equal("2", thirdAck.Get("acknowledgement", "profile", "tokenNumber"));
        Assert.Equal(1800, Expiry(thirdAck));
    }

    [Fact]
    public async Task ShareV3_HostRejects_OnShareFailedWithStringCodeAbdm9999AndNoGenerateToken()
    {
        await using var h = await V3Host.StartAsync(build: b => b.AddProfileShareHandler<ClosedCounterHandler>());
        var requestId = Guid.NewGuid();
        using var watch = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await using var changes = h.Host.Store.WatchAsync(watch.Token).GetAsyncEnumerator(watch.Token);
        var added = changes.MoveNextAsync().AsTask();

        using var response = await h.ShareAsync(Share(), requestId);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var onShare = await h.Gateway.WaitForAsync(c => c.Path == V3FakeGateway.OnShare);
        Assert.Equal("FAILED", onShare.Get("acknowledgement", "status"));
        Assert.Null(onShare.Body!["acknowledgement"]!["profile"]);
        Assert.DoesNotContain("tokenNumber", onShare.Body.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(requestId.ToString(), onShare.Get("response", "requestId"));
        Assert.Equal(JsonValueKind.String, onShare.Body!["error"]!["code"]!.GetValueKind());
        Assert.Equal("ABDM-9999", onShare.Get("error", "code"));
        Assert.Equal(ClosedCounterHandler.Message, onShare.Get("error", "message"));
        Assert.True(await added);
        var rejected = await h.Host.WaitForEntryAsync(changes.Current.EntryId, e => e.Acknowledgement == AcknowledgementState.Delivered);
        Assert.Equal(QueueEntryStatus.Rejected, rejected.Status);
        Assert.Equal(LinkingState.NotStarted, rejected.Linking.State);
        Assert.Empty(h.Gateway.CallsTo(V3FakeGateway.GenerateToken));
        Assert.Empty(await h.Host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
    }

    [Fact]
    public async Task OnGenerateToken_AfterSuccessOnShare_200LinksTheEntryAndStoresTheToken()
    {
        await using var h = await V3Host.StartAsync();
        using var share = await h.ShareAsync(Share(abhaNumber: "91-1111-1111-1111"), Guid.NewGuid());
        var generate = await h.Gateway.WaitForAsync(c => c.Path == V3FakeGateway.GenerateToken);
        var tokenRequestId = generate.Header("REQUEST-ID");

        Assert.Equal(ProfileShareTestHost.HipId, generate.Header("X-HIP-ID"));
        Assert.Equal("sbx", generate.Header("X-CM-ID"));
        Assert.Equal("Bearer " + V3FakeGateway.SessionToken, generate.Header("Authorization"));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse($$"""{"abhaNumber":91111111111111,"abhaAddress":"{{AbhaAddress}}","name":"Jane Doe","gender":"F","yearOfBirth":2000}"""), generate.Body),
            generate.Body?.ToJsonString());
        var entry = Assert.Single(await h.Host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
        Assert.Equal(LinkingState.AwaitingToken, entry.Linking.State);
        Assert.Equal(tokenRequestId, entry.Linking.TokenRequestId?.ToString());

        using var response = await h.Gateway.PostToHipAsync(OnGenerateTokenPath, new JsonObject
        {
            ["abhaAddress"] = AbhaAddress,
            ["linkToken"] = "test-link-token-v3",
            ["response"] = new JsonObject { ["requestId"] = tokenRequestId },
        }, Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var linked = await h.Host.WaitForEntryAsync(entry.Id, e => e.Linking.State == LinkingState.Linked);
        Assert.Null(linked.Linking.ErrorCode);
        var token = await h.Host.Queue.GetLinkingTokenAsync(ProfileShareTestHost.HipId, AbhaAddress);
        Assert.NotNull(token);
        Assert.Equal("test-link-token-v3", token.Token);
        Assert.Equal(entry.Id, token.EntryId);
    }

    [Fact]
    public async Task OnGenerateToken_ErrorVariant_200AndTheEntryFailsWithTheTrimmedCode()
    {
        await using var h = await V3Host.StartAsync();
        using var share = await h.ShareAsync(Share(), Guid.NewGuid());
        var generate = await h.Gateway.WaitForAsync(c => c.Path == V3FakeGateway.GenerateToken);
        var entry = Assert.Single(await h.Host.Queue.ListAsync(ProfileShareTestHost.HipId, null));

        using var response = await h.Gateway.PostToHipAsync(OnGenerateTokenPath, new JsonObject
        {
            ["error"] = new JsonObject { ["code"] = "ABDM-1051: ", ["message"] = "Invalid ABHA Number or ABHA Address" },
            ["response"] = new JsonObject { ["requestId"] = generate.Header("REQUEST-ID") },
        }, Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var failed = await h.Host.WaitForEntryAsync(entry.Id, e => e.Linking.State == LinkingState.Failed);
        Assert.Equal("ABDM-1051", failed.Linking.ErrorCode);
        Assert.Equal("Invalid ABHA Number or ABHA Address", failed.Linking.ErrorMessage);
        Assert.Null(await h.Host.Queue.GetLinkingTokenAsync(ProfileShareTestHost.HipId, AbhaAddress));
    }

    [Fact]
    public async Task OnGenerateToken_UnknownRequestId_200AndIgnored()
    {
        await using var h = await V3Host.StartAsync();
        using var share = await h.ShareAsync(Share(), Guid.NewGuid());
        await h.Gateway.WaitForAsync(c => c.Path == V3FakeGateway.GenerateToken);
        var entry = Assert.Single(await h.Host.Queue.ListAsync(ProfileShareTestHost.HipId, null));

        using var response = await h.Gateway.PostToHipAsync(OnGenerateTokenPath, new JsonObject
        {
            ["abhaAddress"] = AbhaAddress,
            ["linkToken"] = "test-link-token-stray",
            ["response"] = new JsonObject { ["requestId"] = Guid.NewGuid().ToString() },
        }, Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(LinkingState.AwaitingToken, (await h.Host.Store.GetEntryAsync(entry.Id))!.Linking.State);
        Assert.Null(await h.Host.Queue.GetLinkingTokenAsync(ProfileShareTestHost.HipId, AbhaAddress));
    }

    [Theory]
    [InlineData(SharePath)]
    [InlineData(OnGenerateTokenPath)]
    public async Task V3Callback_NoGatewayToken_401WithV3Code900901(string path)
    {
        await using var h = await V3Host.StartAsync();

        using var response = await h.Gateway.PostToHipAsync(path, Share(), Guid.NewGuid().ToString(), authorization: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("900901", (await ErrorAsync(response)).Code);
        Assert.Empty(await h.Host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
    }

    [Theory]
    [InlineData(SharePath, "HIP-NOT-SERVED")]
    [InlineData(SharePath, null)]
    [InlineData(OnGenerateTokenPath, "HIP-NOT-SERVED")]
    public async Task V3Callback_UnknownHipId_400WithV3CodeAbdm1035(string path, string? hipId)
    {
        await using var h = await V3Host.StartAsync();

        using var response = await h.Gateway.PostToHipAsync(path, Share(), Guid.NewGuid().ToString(), hipId: hipId);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("ABDM-1035", (await ErrorAsync(response)).Code);
        Assert.Empty(await h.Host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
    }

    [Fact]
    public async Task ShareV3_RecordShareIntent_400WithAbdm1149()
    {
        await using var h = await V3Host.StartAsync();
        var share = Share();
        share["intent"] = "RECORD_SHARE";

        using var response = await h.ShareAsync(share, Guid.NewGuid());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("ABDM-1149", (await ErrorAsync(response)).Code);
        Assert.Empty(await h.Host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
    }

    [Fact]
    public async Task ShareV05_ToAV3Host_IsAnsweredByAV3OnShare()
    {
        await using var h = await V3Host.StartAsync(o => o.Linking.Start = LinkingStart.Manual);
        var shareId = Guid.NewGuid();

        using var response = await h.Host.Client.SendAsync(V05Share(ProfileShareTestHost.SeedShare(shareId, counter: "OPD1", healthId: AbhaAddress)));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var onShare = await h.Gateway.WaitForAsync(c => c.Path == V3FakeGateway.OnShare);
        Assert.Equal(shareId.ToString(), onShare.Get("response", "requestId"));
        Assert.Equal("SUCCESS", onShare.Get("acknowledgement", "status"));
        Assert.Equal("OPD1", onShare.Get("acknowledgement", "profile", "context"));
        Assert.Equal("1", onShare.Get("acknowledgement", "profile", "tokenNumber"));
        Assert.Equal(1800, Expiry(onShare));
        Assert.DoesNotContain(h.Gateway.Calls, c => c.Path.Contains("/v0.5/", StringComparison.Ordinal) || c.Path.Contains("/v1.0/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ShareV3_ToAV05Host_IsAnsweredByAV05OnShare()
    {
        await using var host = await ProfileShareTestHost.StartAsync(o => o.Linking.Start = LinkingStart.Manual);
        var v3 = new V3FakeGateway { Hip = host.Client };
        var requestId = Guid.NewGuid();

        using var response = await v3.PostToHipAsync(SharePath, Share(), requestId.ToString());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var onShare = await host.Gateway.WaitForAsync(c => c.Path == "/v0.5/patients/profile/on-share");
        Assert.Equal(requestId.ToString(), onShare.Get("resp", "requestId"));
        Assert.Equal("SUCCESS", onShare.Get("acknowledgement", "status"));
        Assert.Equal(AbhaAddress, onShare.Get("acknowledgement", "healthId"));
        Assert.DoesNotContain(host.Gateway.Calls, c => c.Path.Contains("/api/hiecm/", StringComparison.Ordinal));
        var entry = Assert.Single(await host.Queue.ListAsync(ProfileShareTestHost.HipId, "OPD1"));
        Assert.Equal(1, entry.TokenNumber);
        Assert.Equal(WireVersion.V3, entry.WireVersion);
    }

    /// <summary>A v3 share as the sandbox sends it (birth parts and coordinates as strings, nulls), synthetic values.</summary>
    private static JsonObject Share(string counter = "OPD1", string abhaAddress = AbhaAddress, string? abhaNumber = null) =>
        ProfileShareTestHost.V3Share(abhaAddress, counter, abhaNumber);

    private static HttpRequestMessage V05Share(JsonNode body)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, "/v0.5/patients/profile/share") { Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json") };
        message.Headers.TryAddWithoutValidation("Authorization", V3FakeGateway.CallbackToken);
        message.Headers.TryAddWithoutValidation("X-HIP-ID", ProfileShareTestHost.HipId);
        return message;
    }

    private static long Expiry(RecordedCall onShare)
    {
        var expiry = onShare.Body!["acknowledgement"]!["profile"]!["expiry"]!;
        Assert.Equal(JsonValueKind.Number, expiry.GetValueKind());
        return expiry.GetValue<long>();
    }

    /// <summary>Reads a v3 error body <c>{"error":{"code":"…","message":"…"}}</c>; the code must be a JSON string.</summary>
    private static async Task<(string Code, string Message)> ErrorAsync(HttpResponseMessage response)
    {
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var code = body["error"]!["code"]!;
        Assert.Equal(JsonValueKind.String, code.GetValueKind());
        return (code.GetValue<string>(), body["error"]!["message"]!.GetValue<string>());
    }

    private sealed class ClosedCounterHandler : IProfileShareHandler
    {
        public const string Message = "This counter is closed. Please go to counter 2.";

        public ValueTask<ShareDecision> OnShareReceivedAsync(QueueEntry entry, CancellationToken cancellationToken) =>
            ValueTask.FromResult(ShareDecision.Reject(Message));
    }
}
