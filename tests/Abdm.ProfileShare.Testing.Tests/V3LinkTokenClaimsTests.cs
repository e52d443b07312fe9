using Abdm.ProfileShare.Model;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Abdm.ProfileShare.Testing.Tests;

/// <summary>The v3 link token as the sandbox issues it: RS512 by the published RS512 key, its claims, 182.5 days.</summary>
public sealed class V3LinkTokenClaimsTests
{
    private static async Task<string> LinkTokenAsync(TestBed bed, SharedPatientProfile patient)
    {
        using var response = await bed.SendV3Async(TestBed.GenerateToken(TestBed.GenerateTokenBody(patient)));
        Assert.Equal(202, (int)response.StatusCode);
        return await bed.Gateway.Journal.WaitForLinkTokenIssuedAsync(patient.HealthId, TestBed.Wait);
    }

    [Fact]
    public async Task LinkToken_V3_RS512ByThePublishedRS512Key_WithTheSandboxClaims()
    {
        await using var bed = await TestBed.StartAsync();
        var patient = SyntheticPatients.All[0];

        var token = new JsonWebToken(await LinkTokenAsync(bed, patient));

        Assert.Equal("RS512", token.Alg);
        var jwks = await bed.V3JwksAsync();
        var key = Assert.Single(jwks.Keys, k => k.Kid == token.Kid);
        Assert.Equal("RS512", key.Alg);
        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(token.EncodedToken, new TokenValidationParameters
        {
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidAlgorithms = ["RS512"],
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = true,
            TryAllIssuerSigningKeys = false,
        });
        Assert.True(validation.IsValid, validation.Exception?.Message);
        Assert.Equal(["abhaAddress", "abhaNumber", "exp", "hipId", "iat", "sub", "transactionId"], token.Claims.Select(c => c.Type).Order(StringComparer.Ordinal));
        Assert.Equal(TestBed.HipId, token.GetClaim("hipId").Value);
        Assert.Equal(patient.HealthId, token.GetClaim("abhaAddress").Value);
        Assert.Equal(patient.HealthId, token.Subject);
        Assert.Equal(patient.AbhaNumber!.Replace("-", "", StringComparison.Ordinal), token.GetClaim("abhaNumber").Value);
        Assert.True(Guid.TryParse(token.GetClaim("transactionId").Value, out _));
        Assert.Equal(TimeSpan.FromDays(182.5), token.ValidTo - token.IssuedAt);
    }

    [Fact]
    public async Task LinkToken_PatientWithoutAbhaNumber_AbhaNumberNull()
    {
        await using var bed = await TestBed.StartAsync();
        var patient = SyntheticPatients.All[2];
        Assert.Null(patient.AbhaNumber);

        var token = new JsonWebToken(await LinkTokenAsync(bed, patient));

        Assert.True(token.TryGetPayloadValue<object?>("abhaNumber", out var number));
        Assert.Null(number);
    }

    [Fact]
    public async Task LinkToken_LifetimeOption_SetsExp()
    {
        await using var bed = await TestBed.StartAsync(o => o.V3LinkTokenLifetime = TimeSpan.FromDays(2));

        var token = new JsonWebToken(await LinkTokenAsync(bed, SyntheticPatients.All[0]));

        Assert.Equal(TimeSpan.FromDays(2), token.ValidTo - token.IssuedAt);
    }

    [Fact]
    public async Task LinkToken_SandboxShapeOff_V05ClaimsSignedByAnUnpublishedKey()
    {
        await using var bed = await TestBed.StartAsync(o => o.SandboxV3LinkTokens = false);
        var patient = SyntheticPatients.All[0];

        var token = new JsonWebToken(await LinkTokenAsync(bed, patient));

        Assert.Equal(TestBed.HipId, token.GetClaim("requesterId").Value);
        Assert.Equal("HIP", token.GetClaim("requesterType").Value);
        Assert.False(token.TryGetClaim("hipId", out _));
        Assert.DoesNotContain((await bed.V3JwksAsync()).Keys, k => k.Kid == token.Kid && token.Kid is not null);
        Assert.Equal(TimeSpan.FromDays(182.5), token.ValidTo - token.IssuedAt);
    }
}
