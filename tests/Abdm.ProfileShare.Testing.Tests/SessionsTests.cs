using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Abdm.ProfileShare.Testing.Tests;

public sealed class SessionsTests
{
    [Fact]
    public async Task Sessions_ValidCredentials_IssuesSignedBearerTokenWithRealExpiry()
    {
        await using var bed = await TestBed.StartAsync();

        using var response = await bed.Http.PostAsync("v0.5/sessions", TestBed.Json(new JsonObject { ["clientId"] = TestBed.ClientId, ["clientSecret"] = TestBed.ClientSecret }));

        Assert.Equal(200, (int)response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("bearer", (string?)body["tokenType"]);
        Assert.Equal(1200, (int)body["expiresIn"]!);
        Assert.Equal(1800, (int)body["refreshExpiresIn"]!);
        Assert.False(string.IsNullOrEmpty((string?)body["refreshToken"]));
        var token = new JsonWebToken((string)body["accessToken"]!);
        Assert.Equal("RS256", token.Alg);
        Assert.Equal(bed.Gateway.SigningKeyId, token.Kid);
        Assert.Equal(1200, (token.ValidTo - token.IssuedAt).TotalSeconds);
        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(token.EncodedToken, new TokenValidationParameters
        {
            IssuerSigningKeys = (await bed.JwksAsync()).GetSigningKeys(),
            ValidIssuer = bed.Gateway.Issuer,
            ValidAudience = "account",
        });
        Assert.True(validation.IsValid, validation.Exception?.Message);
    }

    [Fact]
    public async Task Sessions_ConfiguredLifetime_ExpiresInFollowsIt()
    {
        await using var bed = await TestBed.StartAsync(o => o.SessionTokenLifetime = TimeSpan.FromSeconds(300));

        using var response = await bed.Http.PostAsync("v0.5/sessions", TestBed.Json(new JsonObject { ["clientId"] = TestBed.ClientId, ["clientSecret"] = TestBed.ClientSecret }));

        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(300, (int)body["expiresIn"]!);
    }

    [Theory]
    [InlineData(TestBed.ClientId, "wrong-secret")]
    [InlineData("other-client", TestBed.ClientSecret)]
    public async Task Sessions_WrongCredentials_Returns401WithGatewayErrorAndRedactsSecret(string clientId, string clientSecret)
    {
        await using var bed = await TestBed.StartAsync();

        using var response = await bed.Http.PostAsync("v0.5/sessions", TestBed.Json(new JsonObject { ["clientId"] = clientId, ["clientSecret"] = clientSecret }));

        Assert.Equal(401, (int)response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(1015, (int)body["error"]!["code"]!);
        Assert.Equal("Invalid client Id or secret", (string?)body["error"]!["message"]);
        var entry = Assert.Single(bed.Gateway.Journal.Of(GatewayOperation.Sessions));
        Assert.Equal(GatewayRejection.InvalidClientCredentials, entry.Rejection);
        Assert.Equal("[redacted]", entry.Body!.Value.GetProperty("clientSecret").GetString());
    }

    [Theory]
    [InlineData("{\"clientId\":\"sim-client\"}", 400, 1002)]
    [InlineData("{\"clientId\":\"sim-client\",\"clientSecret\":\"sim-secret-not-real\",\"grantType\":\"password\"}", 400, 1004)]
    [InlineData("{not json", 400, 1001)]
    public async Task Sessions_MalformedRequest_Returns400(string body, int status, int code)
    {
        await using var bed = await TestBed.StartAsync();

        using var response = await bed.Http.PostAsync("v0.5/sessions", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(code, (int)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["code"]!);
    }

    [Fact]
    public async Task Sessions_RefreshGrant_ValidRefreshTokenIssuesNewToken_InvalidOneIs401()
    {
        await using var bed = await TestBed.StartAsync();
        using var first = await bed.Http.PostAsync("v0.5/sessions", TestBed.Json(new JsonObject { ["clientId"] = TestBed.ClientId, ["clientSecret"] = TestBed.ClientSecret }));
        var refreshToken = (string)JsonNode.Parse(await first.Content.ReadAsStringAsync())!["refreshToken"]!;

        using var refreshed = await bed.Http.PostAsync("v0.5/sessions", TestBed.Json(new JsonObject
        {
            ["clientId"] = TestBed.ClientId, ["clientSecret"] = TestBed.ClientSecret, ["grantType"] = "refresh_token", ["refreshToken"] = refreshToken,
        }));
        using var refused = await bed.Http.PostAsync("v0.5/sessions", TestBed.Json(new JsonObject
        {
            ["clientId"] = TestBed.ClientId, ["clientSecret"] = TestBed.ClientSecret, ["grantType"] = "refresh_token", ["refreshToken"] = "not-a-token",
        }));

        Assert.Equal(200, (int)refreshed.StatusCode);
        Assert.False(string.IsNullOrEmpty((string?)JsonNode.Parse(await refreshed.Content.ReadAsStringAsync())!["accessToken"]));
        Assert.Equal(401, (int)refused.StatusCode);
        Assert.Equal(1016, (int)JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["error"]!["code"]!);
    }

    [Fact]
    public async Task AccessToken_AfterExpiresIn_IsRefusedWithWso2Fault900901()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var bed = await TestBed.StartAsync(o => o.TimeProvider = time);
        var (share, _) = await bed.ScanAsync();
        var token = await bed.NewTokenAsync();

        time.Advance(TimeSpan.FromSeconds(1199));
        using var stillValid = await bed.PostAsync("v0.5/patients/profile/on-share", TestBed.OnShareBody(share), authorization: "Bearer " + token);
        time.Advance(TimeSpan.FromSeconds(2));
        using var expired = await bed.PostAsync("v0.5/patients/profile/on-share", TestBed.OnShareBody(share), authorization: "Bearer " + token);

        Assert.Equal(202, (int)stillValid.StatusCode);
        Assert.Equal(401, (int)expired.StatusCode);
        var fault = JsonNode.Parse(await expired.Content.ReadAsStringAsync())!["fault"]!;
        Assert.Equal(900901, (int)fault["code"]!);
        Assert.Equal("Invalid Credentials", (string?)fault["message"]);
    }
}
