using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Abdm.ProfileShare.AspNetCore.Security;
using Abdm.ProfileShare.AspNetCore.Security.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.AspNetCore.Tests.Security;

public sealed class GatewayCallbackAuthenticationTests
{
    [Theory]
    [InlineData("Bearer ")]
    [InlineData("")]
    [InlineData("bearer ")]
    [InlineData("BEARER   ")]
    public async Task Authenticate_ValidRs256Token_Accepted(string prefix)
    {
        await using var app = await ProbeApp.StartAsync();

        using var response = await app.PostAsync(prefix + app.ValidToken());

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = Assert.Single(app.Accepted);
        Assert.Equal(Guid.Parse("5f7a535d-a3fd-416b-b069-c97d021fbacd"), accepted.RequestId);
    }

    [Fact]
    public async Task Authenticate_ValidRs512Token_Accepted()
    {
        await using var app = await ProbeApp.StartAsync();
        var token = TestTokens.Sign(TestTokens.Header("RS512"), TestTokens.Claims(app.Time.GetUtcNow()), TestTokens.RsaSigner(TestKeys.Gateway, HashAlgorithmName.SHA512));

        using var response = await app.PostAsync("Bearer " + token);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Single(app.Accepted);
    }

    [Fact]
    public async Task Authenticate_SameTokenTwice_BothAcceptedSecondFromCache()
    {
        await using var app = await ProbeApp.StartAsync();
        var token = app.ValidToken();

        using var first = await app.PostAsync("Bearer " + token);
        using var second = await app.PostAsync(token);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal(2, app.Accepted.Count);
        Assert.Equal(1, app.Jwks.Fetches);
        Assert.Equal(1, app.Jwt.SignatureValidations);
    }

    [Fact]
    public async Task Authenticate_CachedTokenAfterExpiry_Rejected()
    {
        await using var app = await ProbeApp.StartAsync();
        var token = app.ValidToken(); // exp = now + 10 min

        using var first = await app.PostAsync(token);
        app.Time.Advance(TimeSpan.FromMinutes(10) + app.Callbacks.ClockSkew + TimeSpan.FromSeconds(1));
        using var second = await app.PostAsync(token);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
        Assert.Equal("Unauthorized", await ErrorMessageAsync(second));
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Id.Id == 2100 && r.Message == "Gateway callback rejected: token expired");
    }

    [Fact]
    public async Task Authenticate_ExpiredWithinClockSkew_Accepted()
    {
        await using var app = await ProbeApp.StartAsync();
        var now = app.Time.GetUtcNow();
        var token = TestTokens.Sign(TestTokens.Header(), TestTokens.Claims(now - TimeSpan.FromMinutes(11), TimeSpan.FromMinutes(10)), TestTokens.RsaSigner(TestKeys.Gateway, HashAlgorithmName.SHA256));

        using var response = await app.PostAsync(token);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task Authenticate_AnyIssuerWhenNoneConfigured_Accepted()
    {
        await using var app = await ProbeApp.StartAsync();
        var token = TestTokens.Sign(TestTokens.Header(), TestTokens.Claims(app.Time.GetUtcNow(), issuer: "https://some-realm.test"), TestTokens.RsaSigner(TestKeys.Gateway, HashAlgorithmName.SHA256));

        using var response = await app.PostAsync(token);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task Authenticate_ConfiguredIssuerAndAudienceList_Accepted()
    {
        await using var app = await ProbeApp.StartAsync(o => o.Callbacks.ValidIssuers.Add(TestTokens.Issuer));
        var audience = new JsonArray("hip-synthetic", "account");
        var token = TestTokens.Sign(TestTokens.Header(), TestTokens.Claims(app.Time.GetUtcNow(), audience: audience), TestTokens.RsaSigner(TestKeys.Gateway, HashAlgorithmName.SHA256));

        using var response = await app.PostAsync(token);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task Authenticate_NoAudienceWhenAudienceListEmptied_Accepted()
    {
        await using var app = await ProbeApp.StartAsync(o => o.Callbacks.ValidAudiences.Clear());
        var claims = TestTokens.Claims(app.Time.GetUtcNow());
        claims.Remove("aud");
        var token = TestTokens.Sign(TestTokens.Header(), claims, TestTokens.RsaSigner(TestKeys.Gateway, HashAlgorithmName.SHA256));

        using var response = await app.PostAsync(token);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task Create_Default_FetchesKeysFromGatewayCertsPath()
    {
        await using var app = await ProbeApp.StartAsync();

        using var response = await app.PostAsync(app.ValidToken());

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(new Uri("https://gateway.abdm.test/v0.5/certs"), app.Jwks.LastRequestUri);
    }

    [Fact]
    public async Task Create_CertsUrlConfigured_FetchesKeysFromIt()
    {
        await using var app = await ProbeApp.StartAsync(o => o.Callbacks.CertsUrl = new Uri("https://keys.abdm.test/realms/x/certs"));

        using var response = await app.PostAsync(app.ValidToken());

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(new Uri("https://keys.abdm.test/realms/x/certs"), app.Jwks.LastRequestUri);
    }

    [Fact]
    public async Task Authenticate_Rejected_LogsReasonWithoutTokenContent()
    {
        await using var app = await ProbeApp.StartAsync();
        var now = app.Time.GetUtcNow();
        var token = TestTokens.Sign(TestTokens.Header(), TestTokens.Claims(now - TimeSpan.FromHours(2)), TestTokens.RsaSigner(TestKeys.Gateway, HashAlgorithmName.SHA256));

        using var response = await app.PostAsync("Bearer " + token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var rejection = Assert.Single(app.Logs.GetSnapshot(), r => r.Id.Id == 2100);
        Assert.Equal(LogLevel.Warning, rejection.Level);
        Assert.Equal("Gateway callback rejected: token expired", rejection.Message);
        var segments = token.Split('.');
        Assert.All(app.Logs.GetSnapshot(), r =>
        {
            Assert.DoesNotContain(segments[1], r.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(segments[2], r.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Create_DisabledInProduction_Throws()
    {
        // Refused by the start-up validation of the options (ValidateOnStart), before any endpoint is mapped.
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            ProbeApp.StartAsync(o => o.Callbacks.DisableTokenValidation = true, environment: "Production"));

        Assert.Contains("AbdmProfileShare:Callbacks:DisableTokenValidation", ex.Message, StringComparison.Ordinal);
        Assert.Contains("refused in the 'Production' environment", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_DisabledInProductionWithCustomAuthenticator_StillThrows()
    {
        await Assert.ThrowsAsync<OptionsValidationException>(() => ProbeApp.StartAsync(
            o => o.Callbacks.DisableTokenValidation = true,
            environment: "Production",
            services: s => s.AddSingleton<IGatewayCallbackAuthenticator, AcceptAllAuthenticator>()));
    }

    [Fact]
    public async Task Create_DisabledInDevelopment_WarnsAtCreationAndOnEveryRequest()
    {
        await using var app = await ProbeApp.StartAsync(DisabledAgainstLoopbackGateway, environment: "Development");
        var atCreation = Assert.Single(app.Logs.GetSnapshot(), r => r.Id.Id == 2101);
        Assert.Equal(LogLevel.Warning, atCreation.Level);
        Assert.Contains("Development", atCreation.Message, StringComparison.Ordinal);

        for (var i = 0; i < 3; i++)
        {
            using var response = await app.PostAsync(authorization: null);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var perRequest = app.Logs.GetSnapshot().Where(r => r.Id.Id == 2102).ToList();
        Assert.Equal(3, perRequest.Count);
        Assert.All(perRequest, r => Assert.Equal(LogLevel.Warning, r.Level));
        Assert.Equal(0, app.Jwks.Fetches);
    }

    [Theory]
    [InlineData("Staging")]
    [InlineData("prod")]
    public async Task Create_DisabledOutsideDevelopment_Throws(string environment)
    {
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => ProbeApp.StartAsync(DisabledAgainstLoopbackGateway, environment: environment));

        Assert.Contains("AbdmProfileShare:Callbacks:DisableTokenValidation = true is refused", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"'{environment}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_DisabledInDevelopmentWithRemoteGateway_Throws()
    {
        // ProbeApp's gateway is https://gateway.abdm.test: not this machine.
        var ex = await Assert.ThrowsAnyAsync<Exception>(() =>
            ProbeApp.StartAsync(o => o.Callbacks.DisableTokenValidation = true, environment: "Development"));

        Assert.Contains("AbdmProfileShare:Callbacks:DisableTokenValidation = true is refused", ex.Message, StringComparison.Ordinal);
        Assert.Contains("not a loopback address", ex.Message, StringComparison.Ordinal);
    }

    private static void DisabledAgainstLoopbackGateway(AbdmProfileShareOptions options)
    {
        options.Callbacks.DisableTokenValidation = true;
        options.Gateway.BaseUrl = new Uri("http://127.0.0.1:5099/gateway");
    }

    [Fact]
    public async Task Create_ProductionWithValidation_ReturnsJwtAuthenticator()
    {
        await using var app = await ProbeApp.StartAsync(environment: "Production");

        Assert.IsType<GatewayJwtCallbackAuthenticator>(app.Authenticator);
        using var response = await app.PostAsync(authorization: null);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public void Create_WithoutAddAbdmProfileShare_ThrowsNamingIt()
    {
        using var services = new ServiceCollection().AddLogging().AddOptions().BuildServiceProvider();

        var ex = Assert.Throws<InvalidOperationException>(() => GatewayCallbackAuthentication.Create(services));

        Assert.Contains("services.AddAbdmProfileShare(...)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_AuthenticatorRegistered_ReturnsIt()
    {
        await using var app = await ProbeApp.StartAsync(services: s => s.AddSingleton<IGatewayCallbackAuthenticator, AcceptAllAuthenticator>());

        Assert.IsType<AcceptAllAuthenticator>(app.Authenticator);
        Assert.Same(app.App.Services.GetRequiredService<IGatewayCallbackAuthenticator>(), app.Authenticator);
    }

    internal static async Task<string> ErrorMessageAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = document.RootElement.GetProperty("error");
        Assert.Equal((int)response.StatusCode, error.GetProperty("code").GetInt32());
        return error.GetProperty("message").GetString()!;
    }

    private sealed class AcceptAllAuthenticator : IGatewayCallbackAuthenticator
    {
        public ValueTask<CallbackAuthenticationResult> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(CallbackAuthenticationResult.Success);
    }
}
