using System.Text.Json.Nodes;
using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Testing.Tests;

/// <summary>v3 sessions, OpenID configuration and certs (the separate v3 key set).</summary>
public sealed class V3GatewayTests
{
    [Fact]
    public async Task BaseUrlFor_EachVersion_V05AndV10UnderGatewayV3AtRoot()
    {
        await using var bed = await TestBed.StartAsync();

        Assert.Equal(bed.Gateway.BaseUrl, bed.Gateway.BaseUrlFor(WireVersion.V05));
        Assert.Equal(bed.Gateway.BaseUrl, bed.Gateway.BaseUrlFor(WireVersion.V10));
        Assert.EndsWith("/gateway", bed.Gateway.BaseUrl.OriginalString, StringComparison.Ordinal);
        Assert.Equal(bed.Gateway.RootUrl, bed.Gateway.BaseUrlFor(WireVersion.V3));
        Assert.Equal(bed.Gateway.RootUrl + "api/hiecm/gateway/v3/certs", bed.Gateway.CertsUrlFor(WireVersion.V3).ToString());
    }

    [Fact]
    public async Task SessionsV3_ValidCredentials_Answers202WithTokenValidOnV05AndV3()
    {
        await using var bed = await TestBed.StartAsync();

        using var response = await bed.SendV3Async(TestBed.V3Session());

        Assert.Equal(202, (int)response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal(["accessToken", "expiresIn", "refreshExpiresIn", "refreshToken", "tokenType"], body.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(1200, (int)body["expiresIn"]!);
        Assert.Equal(1800, (int)body["refreshExpiresIn"]!);
        Assert.Equal("bearer", (string?)body["tokenType"]);
        var token = (string)body["accessToken"]!;
        using var certs = await bed.SendV3Async(new V3Request("api/hiecm/gateway/v3/certs", null) { Method = HttpMethod.Get, Authorization = "Bearer " + token });
        Assert.Equal(200, (int)certs.StatusCode);
        using var init = await bed.PostAsync("v0.5/users/auth/init", TestBed.InitBody(SyntheticPatients.All[0].HealthId), authorization: "Bearer " + token);
        Assert.Equal(202, (int)init.StatusCode);
        var entry = Assert.Single(bed.Gateway.Journal.Of(GatewayOperation.Sessions));
        Assert.Equal("[redacted]", (string?)entry.Body!.Value.GetProperty("clientSecret").GetString());
        Assert.Equal(Guid.Parse(response.RequestMessage!.Headers.GetValues("REQUEST-ID").Single()), entry.RequestId);
    }

    [Fact]
    public async Task SessionsV3_StatusOption200_Answers200()
    {
        await using var bed = await TestBed.StartAsync(o => o.V3SessionStatusCode = 200);

        using var response = await bed.SendV3Async(TestBed.V3Session());

        Assert.Equal(200, (int)response.StatusCode);
        Assert.False(string.IsNullOrEmpty((string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["accessToken"]));
    }

    [Fact]
    public async Task StartAsync_V3SessionStatusNot2xx_Throws()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => AbdmGatewaySimulator.StartAsync(
            new GatewaySimulatorOptions { ClientId = "a", ClientSecret = "b", V3SessionStatusCode = 302 }));

        Assert.Contains("V3SessionStatusCode", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SessionsV3_WrongSecret_Answers401FlatApiGatewayBody()
    {
        await using var bed = await TestBed.StartAsync();

        using var response = await bed.SendV3Async(new V3Request("api/hiecm/gateway/v3/sessions", TestBed.SessionBody(clientSecret: "wrong")) { Authorization = "" });

        Assert.Equal(401, (int)response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal("900901", body["code"]!.GetValue<string>());
        Assert.Equal("Invalid Credentials", (string?)body["message"]);
        Assert.False(string.IsNullOrEmpty((string?)body["description"]));
        Assert.False(body.ContainsKey("error"));
        var entry = Assert.Single(bed.Gateway.Journal.Of(GatewayOperation.Sessions));
        Assert.Equal(GatewayRejection.InvalidClientCredentials, entry.Rejection);
        Assert.Equal("900901", entry.WireErrorCode);
        Assert.Equal(900901, entry.ErrorCode);
    }

    [Theory]
    [InlineData("no-request-id", "ABDM-2404", GatewayRejection.InvalidRequestIdHeader)]
    [InlineData("request-id-not-uuid", "ABDM-2404", GatewayRejection.InvalidRequestIdHeader)]
    [InlineData("no-timestamp", "ABDM-2402", GatewayRejection.InvalidTimestampHeader)]
    [InlineData("timestamp-ist", "ABDM-2402", GatewayRejection.InvalidTimestampHeader)]
    [InlineData("timestamp-text", "ABDM-2402", GatewayRejection.InvalidTimestampHeader)]
    [InlineData("no-cm-id", "ABDM-2403", GatewayRejection.MissingConsentManagerId)]
    [InlineData("no-grant-type", "ABDM-1006", GatewayRejection.MissingField)]
    [InlineData("refresh-grant", "ABDM-1006", GatewayRejection.InvalidEnumValue)]
    [InlineData("no-client-id", "ABDM-1006", GatewayRejection.MissingField)]
    public async Task SessionsV3_BrokenRule_Answers400WithV3Code(string caseName, string code, GatewayRejection rule)
    {
        await using var bed = await TestBed.StartAsync();
        var request = TestBed.V3Session();
        switch (caseName)
        {
            case "no-request-id": request.RequestId = null; break;
            case "request-id-not-uuid": request.RequestId = "req-1"; break;
            case "no-timestamp": request.Timestamp = null; break;
            case "timestamp-ist": request.Timestamp = "2026-01-15T15:30:00.000+05:30"; break;
            case "timestamp-text": request.Timestamp = "yesterday"; break;
            case "no-cm-id": request.CmId = null; break;
            case "no-grant-type": request.Body!.Remove("grantType"); break;
            case "refresh-grant": request.Body!["grantType"] = "refresh_token"; break;
            default: request.Body!.Remove("clientId"); break;
        }

        using var response = await bed.SendV3Async(request);

        Assert.Equal(400, (int)response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal(code, error["code"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty((string?)error["message"]));
        var entry = Assert.Single(bed.Gateway.Journal.Of(GatewayOperation.Sessions));
        Assert.Equal(rule, entry.Rejection);
        Assert.Equal(code, entry.WireErrorCode);
        Assert.Null(entry.ErrorCode);
    }

    [Fact]
    public async Task OpenIdConfigurationV3_StandardHeaders_PointsAtV3Certs()
    {
        await using var bed = await TestBed.StartAsync();

        using var response = await bed.SendV3Async(new V3Request("api/hiecm/gateway/v3/.well-known/openid-configuration", null) { Method = HttpMethod.Get, Authorization = "" });
        using var noHeaders = await bed.Root.GetAsync("api/hiecm/gateway/v3/.well-known/openid-configuration");

        Assert.Equal(200, (int)response.StatusCode);
        var configuration = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(bed.Gateway.CertsUrlFor(WireVersion.V3).ToString(), (string?)configuration["jwks_uri"]);
        Assert.Equal(400, (int)noHeaders.StatusCode);
        Assert.Equal("ABDM-2404", (string?)JsonNode.Parse(await noHeaders.Content.ReadAsStringAsync())!["error"]!["code"]);
    }

    [Theory]
    [InlineData("", "900902")]
    [InlineData("Bearer not.a.jwt", "900901")]
    public async Task CertsV3_WithoutValidSessionToken_Answers401Flat(string authorization, string code)
    {
        await using var bed = await TestBed.StartAsync();

        using var response = await bed.SendV3Async(new V3Request("api/hiecm/gateway/v3/certs", null) { Method = HttpMethod.Get, Authorization = authorization });
        using var bare = await bed.Root.GetAsync("api/hiecm/gateway/v3/certs");

        Assert.Equal(401, (int)response.StatusCode);
        Assert.Equal(code, (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["code"]);
        Assert.Equal(401, (int)bare.StatusCode);
        Assert.Equal("900902", (string?)JsonNode.Parse(await bare.Content.ReadAsStringAsync())!["code"]);
    }

    [Fact]
    public async Task CertsV3_TokenButNoStandardHeaders_Answers400()
    {
        await using var bed = await TestBed.StartAsync();

        using var response = await bed.SendV3Async(new V3Request("api/hiecm/gateway/v3/certs", null) { Method = HttpMethod.Get, Timestamp = null });

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("ABDM-2402", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["code"]);
    }

    [Fact]
    public async Task CertsV3_WithToken_PublishesRs256AndRs512WithX5t2SeparateFromV05()
    {
        await using var bed = await TestBed.StartAsync();

        using var response = await bed.SendV3Async(new V3Request("api/hiecm/gateway/v3/certs", null) { Method = HttpMethod.Get });

        Assert.Equal(200, (int)response.StatusCode);
        var keys = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["keys"]!.AsArray().Select(k => k!.AsObject()).ToList();
        Assert.Equal(2, keys.Count);
        Assert.Equal(["RS256", "RS512"], keys.Select(k => (string?)k["alg"]));
        Assert.Equal(bed.Gateway.SigningKeyIdFor(WireVersion.V3), (string?)keys[0]["kid"]);
        foreach (var key in keys)
        {
            Assert.Equal(["e", "kid", "kty", "n", "use", "x5c", "x5t", "x5t2", "alg"], key.Select(p => p.Key));
            Assert.Equal("RSA", (string?)key["kty"]);
            Assert.Equal("sig", (string?)key["use"]);
            Assert.Equal(43, ((string)key["x5t2"]!).Length);
            Assert.Single(key["x5c"]!.AsArray());
        }

        var v05Kids = (await bed.JwksAsync()).Keys.Select(k => k.Kid).ToList();
        Assert.DoesNotContain(keys, k => v05Kids.Contains((string)k["kid"]!));
        Assert.NotEqual(bed.Gateway.SigningKeyId, bed.Gateway.SigningKeyIdFor(WireVersion.V3));
    }

    [Fact]
    public async Task RotateSigningKey_NoVersion_RotatesBothKeySets()
    {
        await using var bed = await TestBed.StartAsync();
        var v05 = bed.Gateway.SigningKeyId;
        var v3 = bed.Gateway.SigningKeyIdFor(WireVersion.V3);

        var newV05 = bed.Gateway.RotateSigningKey();

        Assert.Equal(newV05, bed.Gateway.SigningKeyId);
        Assert.NotEqual(v05, newV05);
        var newV3 = bed.Gateway.SigningKeyIdFor(WireVersion.V3);
        Assert.NotEqual(v3, newV3);
        var v3Kids = (await bed.V3JwksAsync()).Keys.Select(k => k.Kid).ToList();
        Assert.Equal(newV3, v3Kids[0]);
        Assert.DoesNotContain(v3, v3Kids);
    }

    [Fact]
    public async Task RotateSigningKey_V3_RotatesOnlyTheV3Set()
    {
        await using var bed = await TestBed.StartAsync();
        var v05 = bed.Gateway.SigningKeyId;
        var v3 = bed.Gateway.SigningKeyIdFor(WireVersion.V3);

        var newV3 = bed.Gateway.RotateSigningKey(WireVersion.V3);

        Assert.Equal(v05, bed.Gateway.SigningKeyId);
        Assert.NotEqual(v3, newV3);
        Assert.Equal(newV3, bed.Gateway.SigningKeyIdFor(WireVersion.V3));
    }
}
