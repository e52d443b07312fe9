using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Abdm.ProfileShare.Testing.Tests;

public sealed class CertsTests
{
    [Fact]
    public async Task Certs_Get_PublishesRsaSigningKeyWithKid()
    {
        await using var bed = await TestBed.StartAsync();

        var jwks = JsonNode.Parse(await bed.Http.GetStringAsync("v0.5/certs"))!;

        var key = Assert.Single(jwks["keys"]!.AsArray())!;
        Assert.Equal(bed.Gateway.SigningKeyId, (string?)key["kid"]);
        Assert.Equal("RSA", (string?)key["kty"]);
        Assert.Equal("RS256", (string?)key["alg"]);
        Assert.Equal("sig", (string?)key["use"]);
        Assert.Equal("AQAB", (string?)key["e"]);
        Assert.True(((string)key["n"]!).Length > 300);
    }

    [Fact]
    public async Task OpenIdConfiguration_Get_PointsAtCerts()
    {
        await using var bed = await TestBed.StartAsync();

        var configuration = JsonNode.Parse(await bed.Http.GetStringAsync("v0.5/.well-known/openid-configuration"))!;

        Assert.Equal(bed.Gateway.CertsUrl.ToString(), (string?)configuration["jwks_uri"]);
        Assert.Equal(bed.Gateway.BaseUrl + "/v0.5/certs", (string?)configuration["jwks_uri"]);
    }

    [Fact]
    public async Task CallbackToken_AsTheGatewayIssuesIt_NamesTheGatewayClientAccountAudienceAndLives20Minutes()
    {
        await using var bed = await TestBed.StartAsync();
        var (_, share) = await bed.ScanAsync(0);

        var token = new JsonWebToken(share.BearerToken);

        Assert.Equal("gateway", token.GetClaim("azp").Value);
        Assert.Equal("gateway", token.GetClaim("clientId").Value);
        Assert.Equal("service-account-gateway", token.GetClaim("preferred_username").Value);
        Assert.Equal(["account"], token.Audiences);
        Assert.Equal(TimeSpan.FromMinutes(20), token.ValidTo - token.IssuedAt);
        Assert.True((await bed.ValidateCallbackTokenAsync(share.BearerToken)).IsValid);
    }

    [Fact]
    public async Task SessionToken_OfTheHipClient_NamesTheHipClientNotTheGateway()
    {
        await using var bed = await TestBed.StartAsync();

        var token = new JsonWebToken(await bed.NewTokenAsync());

        Assert.Equal(TestBed.ClientId, token.GetClaim("azp").Value);
        Assert.Equal(TestBed.ClientId, token.GetClaim("clientId").Value);
        Assert.Equal("service-account-" + TestBed.ClientId, token.GetClaim("preferred_username").Value);
        Assert.Equal(["account"], token.Audiences);
    }

    [Fact]
    public async Task RotateSigningKey_NoOverlap_PublishesOnlyNewKidAndSignsCallbacksWithIt()
    {
        await using var bed = await TestBed.StartAsync();
        var (_, before) = await bed.ScanAsync(0);
        var oldKid = bed.Gateway.SigningKeyId;

        var newKid = bed.Gateway.RotateSigningKey();
        var (_, after) = await bed.ScanAsync(1);

        Assert.NotEqual(oldKid, newKid);
        Assert.Equal(newKid, bed.Gateway.SigningKeyId);
        var kids = (await bed.JwksAsync()).Keys.Select(k => k.Kid).ToList();
        Assert.Equal([newKid], kids);
        Assert.Equal(oldKid, new JsonWebToken(before.BearerToken).Kid);
        Assert.Equal(newKid, new JsonWebToken(after.BearerToken).Kid);
        Assert.True((await bed.ValidateCallbackTokenAsync(after.BearerToken)).IsValid);
        Assert.False((await bed.ValidateCallbackTokenAsync(before.BearerToken)).IsValid);
    }

    [Fact]
    public async Task RotateSigningKey_WithOverlap_KeepsOldKeyPublishedUntilOverlapEnds()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var bed = await TestBed.StartAsync(o => { o.TimeProvider = time; o.SigningKeyOverlap = TimeSpan.FromMinutes(5); });
        var oldKid = bed.Gateway.SigningKeyId;

        var newKid = bed.Gateway.RotateSigningKey();
        var during = (await bed.JwksAsync()).Keys.Select(k => k.Kid).ToList();
        time.Advance(TimeSpan.FromMinutes(5));
        var afterOverlap = (await bed.JwksAsync()).Keys.Select(k => k.Kid).ToList();

        Assert.Equal([newKid, oldKid], during);
        Assert.Equal([newKid], afterOverlap);
    }

    [Fact]
    public async Task RotateSigningKey_SessionTokenIssuedBefore_StaysValid()
    {
        await using var bed = await TestBed.StartAsync();
        var (share, _) = await bed.ScanAsync();
        await bed.TokenAsync();

        bed.Gateway.RotateSigningKey();
        using var response = await bed.PostAsync("v0.5/patients/profile/on-share", TestBed.OnShareBody(share));

        Assert.Equal(202, (int)response.StatusCode);
    }
}
