using System.Net;
using System.Text;
using Xunit.Abstractions;

namespace Abdm.ProfileShare.AspNetCore.Tests.Security;

public sealed class ForgedTokenTests(ForgedTokenTests.Fixture fixture, ITestOutputHelper output) : IClassFixture<ForgedTokenTests.Fixture>
{
    [Fact]
    public void Corpus_HasAtLeastFortyCases() => Assert.True(ForgedTokenCorpus.Cases.Count >= 40, $"{ForgedTokenCorpus.Cases.Count} cases");

    [Theory]
    [MemberData(nameof(ForgedTokenCorpus.Names), MemberType = typeof(ForgedTokenCorpus))]
    public async Task Authenticate_ForgedOrBrokenToken_Returns401AndAcceptsNothing(string name)
    {
        var app = fixture.App;
        var headers = ForgedTokenCorpus.Cases[name](app.Time.GetUtcNow());
        using var request = new HttpRequestMessage(HttpMethod.Post, ProbeApp.Path)
        {
            Content = new StringContent(ProbeApp.ValidBody, Encoding.UTF8, "application/json"),
        };
        if (headers is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", headers);
        }

        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var message = await GatewayCallbackAuthenticationTests.ErrorMessageAsync(response);
        output.WriteLine($"{name}: {message}");
        Assert.Equal("Unauthorized", message); // generic: the reason is only logged
        foreach (var segment in (headers ?? []).SelectMany(h => h.Split('.', ' ')).Where(s => s.Length >= 8))
        {
            Assert.DoesNotContain(segment, message, StringComparison.Ordinal);
        }

        Assert.Empty(app.Accepted);
    }

    [Fact]
    public async Task Authenticate_ValidTokenAfterCorpus_StillAccepted()
    {
        // The fixture is not broken: the gateway's own token passes (and is then forgotten, not to affect the corpus).
        var app = fixture.App;
        await using var fresh = await ProbeApp.StartAsync(o => o.Callbacks.ValidIssuers.Add(TestTokens.Issuer), jwks: TestKeys.HostileJwks());

        using var response = await fresh.PostAsync("Bearer " + fresh.ValidToken());

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Empty(app.Accepted);
    }

    public sealed class Fixture : IAsyncLifetime
    {
        internal ProbeApp App { get; private set; } = null!;

        public async Task InitializeAsync() =>
            App = await ProbeApp.StartAsync(o => o.Callbacks.ValidIssuers.Add(TestTokens.Issuer), jwks: TestKeys.HostileJwks());

        public async Task DisposeAsync() => await App.DisposeAsync();
    }
}

public sealed class ValidationParametersTests
{
    public static TheoryData<string> HandlerLevelCases() => new() { "HS256", "HS512", "PS256", "none" };

    /// <summary>
    /// Defence in depth: even if a forged header got past the algorithm pre-check and a symmetric key made of the
    /// public key's bytes were resolved, the validation parameters alone refuse the token.
    /// </summary>
    [Theory]
    [MemberData(nameof(HandlerLevelCases))]
    public async Task ValidationParameters_NonRsaPkcs1Algorithm_RejectedByHandler(string alg)
    {
        await using var app = await ProbeApp.StartAsync();
        var now = app.Time.GetUtcNow();
        var publicKeyBytes = TestKeys.Gateway.ExportSubjectPublicKeyInfo();
        var token = alg switch
        {
            "HS256" => TestTokens.Sign(TestTokens.Header("HS256"), TestTokens.Claims(now), TestTokens.HmacSigner(publicKeyBytes, System.Security.Cryptography.HashAlgorithmName.SHA256)),
            "HS512" => TestTokens.Sign(TestTokens.Header("HS512"), TestTokens.Claims(now), TestTokens.HmacSigner(publicKeyBytes, System.Security.Cryptography.HashAlgorithmName.SHA512)),
            "PS256" => TestTokens.Sign(TestTokens.Header("PS256"), TestTokens.Claims(now), TestTokens.RsaSigner(TestKeys.Gateway, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pss)),
            _ => TestTokens.Encode(TestTokens.Header("none")) + "." + TestTokens.Encode(TestTokens.Claims(now)) + ".",
        };
        var parameters = app.Jwt.Parameters.Clone();
        parameters.IssuerSigningKeys =
        [
            new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(publicKeyBytes) { KeyId = TestKeys.GatewayKid },
            new Microsoft.IdentityModel.Tokens.RsaSecurityKey(TestKeys.Gateway.ExportParameters(false)) { KeyId = TestKeys.GatewayKid },
        ];

        var result = await new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().ValidateTokenAsync(token, parameters);

        Assert.False(result.IsValid);
    }

    [Fact]
    public async Task ValidationParameters_Rs256ByGatewayKey_AcceptedByHandler()
    {
        await using var app = await ProbeApp.StartAsync();
        var parameters = app.Jwt.Parameters.Clone();
        parameters.IssuerSigningKey = new Microsoft.IdentityModel.Tokens.RsaSecurityKey(TestKeys.Gateway.ExportParameters(false)) { KeyId = TestKeys.GatewayKid };

        var result = await new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().ValidateTokenAsync(app.ValidToken(), parameters);

        Assert.True(result.IsValid, result.Exception?.GetType().Name);
    }
}
