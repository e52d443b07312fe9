using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace Abdm.ProfileShare.AspNetCore.Tests.Security;

/// <summary>Builds compact JWS tokens by hand, so every part (header, claims, signature) can be forged.</summary>
internal static class TestTokens
{
    public const string Issuer = "https://gateway.abdm.test/auth/realms/central-registry";

    public static JsonObject Header(string alg = "RS256", string? kid = TestKeys.GatewayKid)
    {
        var header = new JsonObject { ["alg"] = alg, ["typ"] = "JWT" };
        if (kid is not null)
        {
            header["kid"] = kid;
        }

        return header;
    }

    /// <summary>The gateway's client id in its callback tokens (<c>azp</c> and <c>clientId</c>).</summary>
    public const string GatewayClient = "gateway";

    /// <summary>
    /// Claims like the gateway's: issuer, audience <c>account</c>, <c>azp</c> = <c>clientId</c> = <c>gateway</c>,
    /// <c>preferred_username</c> <c>service-account-gateway</c>, iat, exp (+10 minutes by default). Pass
    /// <see langword="null"/> as <paramref name="azp"/> or <paramref name="clientId"/> to leave that claim out.
    /// </summary>
    public static JsonObject Claims(DateTimeOffset now, TimeSpan? expiresIn = null, string? issuer = Issuer, JsonNode? audience = null, bool withExp = true,
        string? azp = GatewayClient, string? clientId = GatewayClient, bool withIat = true)
    {
        var claims = new JsonObject
        {
            ["sub"] = "gateway-synthetic-subject",
            ["jti"] = Guid.NewGuid().ToString(),
            ["preferred_username"] = "service-account-" + (azp ?? clientId ?? GatewayClient),
        };
        if (withIat)
        {
            claims["iat"] = now.ToUnixTimeSeconds();
        }

        if (azp is not null)
        {
            claims["azp"] = azp;
        }

        if (clientId is not null)
        {
            claims["clientId"] = clientId;
        }

        if (issuer is not null)
        {
            claims["iss"] = issuer;
        }

        claims["aud"] = audience ?? "account";
        if (withExp)
        {
            claims["exp"] = (now + (expiresIn ?? TimeSpan.FromMinutes(10))).ToUnixTimeSeconds();
        }

        return claims;
    }

    /// <summary>An RS256 token by the gateway key over <paramref name="claims"/>.</summary>
    public static string Rs256(JsonObject claims, RSA? key = null, string kid = TestKeys.GatewayKid) =>
        Sign(Header("RS256", kid), claims, RsaSigner(key ?? TestKeys.Gateway, HashAlgorithmName.SHA256));

    public static string Encode(JsonNode node) => Base64UrlEncoder.Encode(node.ToJsonString());

    public static string Encode(string text) => Base64UrlEncoder.Encode(text);

    public static string Sign(JsonObject header, JsonObject claims, Func<byte[], byte[]> signer)
    {
        var input = Encode(header) + "." + Encode(claims);
        return input + "." + Base64UrlEncoder.Encode(signer(Encoding.ASCII.GetBytes(input)));
    }

    public static string Rs256(DateTimeOffset now, RSA? key = null, string kid = TestKeys.GatewayKid) =>
        Sign(Header("RS256", kid), Claims(now), RsaSigner(key ?? TestKeys.Gateway, HashAlgorithmName.SHA256));

    public static Func<byte[], byte[]> RsaSigner(RSA key, HashAlgorithmName hash, RSASignaturePadding? padding = null) =>
        data => key.SignData(data, hash, padding ?? RSASignaturePadding.Pkcs1);

    public static Func<byte[], byte[]> HmacSigner(byte[] secret, HashAlgorithmName hash) =>
        data => hash == HashAlgorithmName.SHA512 ? HMACSHA512.HashData(secret, data) : HMACSHA256.HashData(secret, data);

    public static Func<byte[], byte[]> EcSigner(ECDsa key) =>
        data => key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
}
