using System.Net;
using System.Text.Json.Nodes;
using Abdm.ProfileShare.AspNetCore.Tests.Endpoints;
using Microsoft.Extensions.Logging;

namespace Abdm.ProfileShare.AspNetCore.Tests.Security;

/// <summary>
/// Tokens that are validly signed by the gateway's key, but are not the gateway's callback token: another ABDM
/// client's session token (every client of the realm shares the signer, issuer and audience), this host's own, one
/// with an absurd lifetime, one that expired, one without audience on v3. Each is answered 401 with the generic body
/// and changes nothing: no queue entry, no outbox item, no gateway call. The reason is in the log (2100).
/// </summary>
public sealed class CallbackSenderTests
{
    public static TheoryData<string> ForgedShareCases() => [.. ForgedShares.Keys];

    private static readonly Dictionary<string, (Func<DateTimeOffset, JsonObject> Claims, string Reason)> ForgedShares = new()
    {
        ["this host's own session token (azp = clientId = Gateway:ClientId)"] =
            (now => TestTokens.Claims(now, azp: CallbackTrustHost.OwnClientId, clientId: CallbackTrustHost.OwnClientId), "own client"),
        ["this host's own client in azp only"] =
            (now => TestTokens.Claims(now, azp: CallbackTrustHost.OwnClientId, clientId: null), "own client"),
        ["another HIP's session token"] =
            (now => TestTokens.Claims(now, azp: "other-hip-synthetic-client", clientId: "other-hip-synthetic-client"), "sender not the gateway"),
        ["azp gateway, clientId another client"] =
            (now => TestTokens.Claims(now, azp: "gateway", clientId: "other-hip-synthetic-client"), "sender not the gateway"),
        ["azp another client, clientId gateway"] =
            (now => TestTokens.Claims(now, azp: "other-hip-synthetic-client", clientId: "gateway"), "sender not the gateway"),
        ["clientId only, another client"] =
            (now => TestTokens.Claims(now, azp: null, clientId: "other-hip-synthetic-client"), "sender not the gateway"),
        ["neither azp nor clientId"] =
            (now => TestTokens.Claims(now, azp: null, clientId: null), "names no client"),
        ["azp a list holding gateway and another client"] =
            (now => TestTokens.Claims(now, azp: null).Tweak(c => c["azp"] = new JsonArray("gateway", "other-hip-synthetic-client")), "malformed token"),
        ["clientId a list holding gateway and another client"] =
            (now => TestTokens.Claims(now, azp: null, clientId: null).Tweak(c => c["clientId"] = new JsonArray("gateway", "other-hip-synthetic-client")), "sender not the gateway"),
        ["client id differing in case (Gateway)"] =
            (now => TestTokens.Claims(now, azp: "Gateway", clientId: "Gateway"), "sender not the gateway"),
        ["absurd lifetime (exp - iat = 1 year)"] =
            (now => TestTokens.Claims(now, TimeSpan.FromDays(365)), "MaxTokenLifetime"),
        ["no iat, exp in 2 hours"] =
            (now => TestTokens.Claims(now, TimeSpan.FromHours(2), withIat: false), "MaxTokenLifetime"),
        ["issued 2 hours ago, exp in 10 minutes (exp - iat too long)"] =
            (now => TestTokens.Claims(now - TimeSpan.FromHours(2), TimeSpan.FromHours(2) + TimeSpan.FromMinutes(10)), "MaxTokenLifetime"),
        ["late token on a share (expired 5 minutes ago)"] =
            (now => TestTokens.Claims(now - TimeSpan.FromMinutes(25), TimeSpan.FromMinutes(20)), "token expired"),
    };

    [Theory]
    [MemberData(nameof(ForgedShareCases))]
    public async Task ShareV05_GatewaySignedTokenOfAnotherSender_401GenericAndNothingStored(string name)
    {
        await using var h = await CallbackTrustHost.StartAsync();
        var (claims, reason) = ForgedShares[name];

        using var response = await h.PostV05Async(CallbackTrustHost.ShareV05Path, ProfileShareTestHost.SeedShare(), TestTokens.Rs256(claims(h.Now)));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("""{"error":{"code":401,"message":"Unauthorized"}}""", await response.Content.ReadAsStringAsync());
        await AssertNothingChangedAsync(h);
        var rejection = Assert.Single(h.Logs.GetSnapshot(), r => r.Id.Id == 2100);
        Assert.Equal(LogLevel.Warning, rejection.Level);
        Assert.Contains(reason, rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ShareV05_OwnClientIdListedInGatewayClientIds_StillRefused()
    {
        await using var h = await CallbackTrustHost.StartAsync(configure: o => o.Callbacks.GatewayClientIds.Add(CallbackTrustHost.OwnClientId));
        var token = TestTokens.Rs256(TestTokens.Claims(h.Now, azp: CallbackTrustHost.OwnClientId, clientId: CallbackTrustHost.OwnClientId));

        using var response = await h.PostV05Async(CallbackTrustHost.ShareV05Path, ProfileShareTestHost.SeedShare(), token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await AssertNothingChangedAsync(h);
        Assert.Contains(h.Logs.GetSnapshot(), r => r.Id.Id == 2100 && r.Message.Contains("own client", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ShareV05_ConfiguredGatewayClientId_AcceptedAndDefaultNoLongerIs()
    {
        await using var h = await CallbackTrustHost.StartAsync(configure: o =>
        {
            o.Callbacks.GatewayClientIds.Clear();
            o.Callbacks.GatewayClientIds.Add("gateway-prod-synthetic");
        });

        using var configured = await h.PostV05Async(CallbackTrustHost.ShareV05Path, ProfileShareTestHost.SeedShare(),
            TestTokens.Rs256(TestTokens.Claims(h.Now, azp: "gateway-prod-synthetic", clientId: "gateway-prod-synthetic")));
        using var defaultId = await h.PostV05Async(CallbackTrustHost.ShareV05Path, ProfileShareTestHost.SeedShare(), h.GatewayToken());

        Assert.Equal(HttpStatusCode.Accepted, configured.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, defaultId.StatusCode);
    }

    [Fact]
    public async Task ShareV05_GatewayToken_Accepted()
    {
        await using var h = await CallbackTrustHost.StartAsync(configure: o => o.Linking.Start = LinkingStart.Manual);

        using var response = await h.PostV05Async(CallbackTrustHost.ShareV05Path, ProfileShareTestHost.SeedShare(), h.GatewayToken());

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Single(await h.Host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
    }

    [Fact]
    public async Task ShareV3_LateToken_401InTheV3ShapeAndNothingStored()
    {
        await using var h = await CallbackTrustHost.StartAsync(v3: true);
        var late = TestTokens.Rs256(TestTokens.Claims(h.Now - TimeSpan.FromMinutes(25), TimeSpan.FromMinutes(20))); // expired 5 min ago

        using var response = await h.PostV3Async(CallbackTrustHost.ShareV3Path, CallbackTrustHost.V3Share(), late);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await AssertV3UnauthorizedAsync(response);
        await AssertNothingChangedV3Async(h);
        Assert.Contains(h.Logs.GetSnapshot(), r => r.Id.Id == 2100 && r.Message.Contains("token expired", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ShareV3_TokenWithoutAudience_401AndNothingStored()
    {
        await using var h = await CallbackTrustHost.StartAsync(v3: true);
        var noAudience = TestTokens.Rs256(TestTokens.Claims(h.Now).Tweak(c => c.Remove("aud")));

        using var response = await h.PostV3Async(CallbackTrustHost.ShareV3Path, CallbackTrustHost.V3Share(), noAudience);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await AssertV3UnauthorizedAsync(response);
        await AssertNothingChangedV3Async(h);
        Assert.Contains(h.Logs.GetSnapshot(), r => r.Id.Id == 2100 && r.Message.Contains("audience", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ShareV3_ValidateAudienceFalse_TokenWithoutAudienceAccepted()
    {
        await using var h = await CallbackTrustHost.StartAsync(v3: true, configure: o =>
        {
            o.Callbacks.ValidateAudience = false;
            o.Linking.Start = LinkingStart.Manual;
        });
        var noAudience = TestTokens.Rs256(TestTokens.Claims(h.Now).Tweak(c => c.Remove("aud")));

        using var response = await h.PostV3Async(CallbackTrustHost.ShareV3Path, CallbackTrustHost.V3Share(), noAudience);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ShareV3_AnotherClientsSessionToken_401AndNothingStored()
    {
        await using var h = await CallbackTrustHost.StartAsync(v3: true);
        var session = TestTokens.Rs256(TestTokens.Claims(h.Now, azp: "other-hip-synthetic-client", clientId: "other-hip-synthetic-client"));

        using var response = await h.PostV3Async(CallbackTrustHost.ShareV3Path, CallbackTrustHost.V3Share(), session);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await AssertV3UnauthorizedAsync(response);
        await AssertNothingChangedV3Async(h);
    }

    [Fact]
    public async Task ShareV05_TokenOfAKeyRemovedFromTheJwksAfterItWasCached_401AndNothingMoreStored()
    {
        var keyA = TestKeys.Jwks(TestKeys.RsaJwk(TestKeys.Gateway, TestKeys.GatewayKid));
        var keyB = TestKeys.Jwks(TestKeys.RsaJwk(TestKeys.Rotated, TestKeys.RotatedKid));
        await using var h = await CallbackTrustHost.StartAsync(jwks: keyA, exposeAuthenticator: true, configure: o =>
        {
            o.Linking.Start = LinkingStart.Manual;
            o.Callbacks.KeysRefreshInterval = TimeSpan.FromMinutes(10);
        });
        var token = h.GatewayToken(TimeSpan.FromMinutes(20));
        using (var first = await h.PostV05Async(CallbackTrustHost.ShareV05Path, ProfileShareTestHost.SeedShare(), token))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        }

        Assert.Equal(1, h.Jwt!.SignatureValidations);

        // Key A is revoked: the JWKS lists only key B. Past KeysRefreshInterval the next use of the cached token is
        // served from the known keys and starts the refresh; once that completed, the token's cached trust is gone.
        h.Jwks.Serve(keyB);
        h.Host.Time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        using (var duringRefresh = await h.PostV05Async(CallbackTrustHost.ShareV05Path, ProfileShareTestHost.SeedShare(), token))
        {
            Assert.Equal(HttpStatusCode.Accepted, duringRefresh.StatusCode);
        }

        Assert.Equal(1, h.Jwt.SignatureValidations); // a cache hit
        await h.Jwt.Keys.PendingFetch.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, h.Jwks.Fetches);
        var entry = await h.Host.WaitForActiveEntryAsync(e => e.ScanCount == 2);
        await h.Host.WaitForEntryAsync(entry.Id, _ => h.Host.Store.GetOutboxStatisticsAsync().GetAwaiter().GetResult().Pending == 0);
        var calls = h.Host.Gateway.Calls.Count;

        using var revoked = await h.PostV05Async(CallbackTrustHost.ShareV05Path, ProfileShareTestHost.SeedShare(), token);

        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Equal(2, (await h.Host.Store.GetEntryAsync(entry.Id))!.ScanCount);
        Assert.Single(await h.Host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
        Assert.Equal(0, (await h.Host.Store.GetOutboxStatisticsAsync()).Pending);
        Assert.Equal(calls, h.Host.Gateway.Calls.Count);
        Assert.Contains(h.Logs.GetSnapshot(), r => r.Id.Id == 2100 && r.Message.Contains("unknown signing key", StringComparison.Ordinal));
    }

    internal static async Task AssertNothingChangedAsync(CallbackTrustHost h)
    {
        Assert.Empty(await h.Host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
        Assert.Equal(0, (await h.Host.Store.GetOutboxStatisticsAsync()).Pending);
        Assert.Empty(h.Host.Gateway.Calls);
    }

    internal static async Task AssertNothingChangedV3Async(CallbackTrustHost h)
    {
        Assert.Empty(await h.Host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
        Assert.Equal(0, (await h.Host.Store.GetOutboxStatisticsAsync()).Pending);
        Assert.All(h.V3!.Calls, c => Assert.Equal(V3FakeGateway.Sessions, c.Path)); // only the session the v3 JWKS needs
    }

    internal static async Task AssertV3UnauthorizedAsync(HttpResponseMessage response)
    {
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("900901", error["code"]!.GetValue<string>());
        Assert.Equal("Unauthorized", error["message"]!.GetValue<string>());
    }
}

internal static class JsonObjectTestExtensions
{
    public static JsonObject Tweak(this JsonObject node, Action<JsonObject> change)
    {
        change(node);
        return node;
    }
}
