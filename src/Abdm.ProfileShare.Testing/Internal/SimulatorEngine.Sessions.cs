using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Wire;
using Microsoft.AspNetCore.Http;

namespace Abdm.ProfileShare.Testing.Internal;

// Sessions, certs (JWKS) and the OpenID configuration, v0.5 and v3; signing-key rotation.
internal sealed partial class SimulatorEngine
{
    public string RotateSigningKey(WireVersion version)
    {
        if (version == WireVersion.V3)
        {
            var v3 = V3Keys.Rotate(_options.SigningKeyOverlap);
            Log.V3KeyRotated(_logger, v3.KeyId);
            return v3.KeyId;
        }

        var key = Keys.Rotate(_options.SigningKeyOverlap);
        Log.KeyRotated(_logger, key.KeyId);
        return key.KeyId;
    }

    private static bool SecretEquals(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected));

    private async Task<InboundResult> SessionsAsync(Inbound inbound, FaultPlan plan)
    {
        var rules = inbound.Rules;
        var clientId = rules.String("clientId");
        var clientSecret = rules.String("clientSecret");
        var grantType = rules.Find("grantType") is null ? "client_credentials" : rules.Enum("grantType", "client_credentials", "refresh_token");
        if (!SecretEquals(clientId, _options.ClientId) | !SecretEquals(clientSecret, _options.ClientSecret))
        {
            throw new RejectionException(GatewayRejection.InvalidClientCredentials, "Invalid client Id or secret");
        }

        if (grantType == "refresh_token" && !await Tokens.ValidateRefreshAsync(rules.String("refreshToken")).ConfigureAwait(false))
        {
            throw new RejectionException(GatewayRejection.InvalidRefreshToken, "Invalid or expired refresh token");
        }

        return new InboundResult(StatusCodes.Status200OK, IssueSession(plan));
    }

    /// <summary>A new session (access and refresh token) as the body both session operations answer with.</summary>
    private byte[] IssueSession(FaultPlan plan)
    {
        var (accessToken, refreshToken) = Tokens.IssueSession(plan.ExpireAfter);
        var response = new SessionResponse
        {
            AccessToken = accessToken,
            ExpiresIn = (int)_options.SessionTokenLifetime.TotalSeconds,
            RefreshExpiresIn = (int)_options.RefreshTokenLifetime.TotalSeconds,
            RefreshToken = refreshToken,
            TokenType = "bearer",
        };
        return JsonSerializer.SerializeToUtf8Bytes(response, SimulatorJson.Compact.SessionResponse);
    }

    private InboundResult CertsResult() =>
        new(StatusCodes.Status200OK, JsonSerializer.SerializeToUtf8Bytes(Keys.Published(), SimulatorJson.Compact.Certs));

    private InboundResult OpenIdResult() =>
        new(StatusCodes.Status200OK, JsonSerializer.SerializeToUtf8Bytes(
            new OpenIdConfiguration { Jwks_uri = new Uri(BaseUrl.OriginalString + "/v0.5/certs") }, SimulatorJson.Compact.OpenIdConfiguration));

    private Task<InboundResult> SessionsV3(Inbound inbound, FaultPlan plan)
    {
        InboundChecks.RequireV3Headers(inbound);
        var rules = inbound.Rules;
        var clientId = rules.String("clientId");
        var clientSecret = rules.String("clientSecret");
        rules.Enum("grantType", "client_credentials");
        if (!SecretEquals(clientId, _options.ClientId) | !SecretEquals(clientSecret, _options.ClientSecret))
        {
            throw new RejectionException(GatewayRejection.InvalidClientCredentials, "Invalid Credentials");
        }

        return Task.FromResult(new InboundResult(_options.V3SessionStatusCode, IssueSession(plan)));
    }

    private Task<InboundResult> OpenIdV3(Inbound inbound)
    {
        InboundChecks.RequireV3Headers(inbound);
        return Task.FromResult(new InboundResult(StatusCodes.Status200OK, JsonSerializer.SerializeToUtf8Bytes(
            new OpenIdConfiguration { Jwks_uri = new Uri(Root + V3CertsPath) }, SimulatorJson.Compact.OpenIdConfiguration)));
    }

    private Task<InboundResult> CertsV3(Inbound inbound)
    {
        InboundChecks.RequireV3Headers(inbound);
        return Task.FromResult(new InboundResult(StatusCodes.Status200OK, JsonSerializer.SerializeToUtf8Bytes(V3Keys.PublishedV3(), SimulatorJson.Compact.V3Certs)));
    }
}
