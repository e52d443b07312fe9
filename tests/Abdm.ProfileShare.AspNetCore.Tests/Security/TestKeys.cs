using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace Abdm.ProfileShare.AspNetCore.Tests.Security;

/// <summary>Keys generated once per test run (never real keys).</summary>
internal static class TestKeys
{
    public const string GatewayKid = "gw-a";
    public const string RotatedKid = "gw-b";
    public const string EcKid = "gw-ec";
    public const string OctKid = "gw-oct";
    public const string WeakKid = "gw-weak";
    public const string EncKid = "gw-enc";

    private static readonly Lazy<RSA> LazyGateway = new(() => RSA.Create(2048));
    private static readonly Lazy<RSA> LazyRotated = new(() => RSA.Create(2048));
    private static readonly Lazy<RSA> LazyAttacker = new(() => RSA.Create(2048));
    private static readonly Lazy<RSA> LazyEncryption = new(() => RSA.Create(2048));
    private static readonly Lazy<RSA> LazyWeak = new(() => RSA.Create(1024));
    private static readonly Lazy<ECDsa> LazyEc = new(() => ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>The gateway's current signing key (published as <see cref="GatewayKid"/>).</summary>
    public static RSA Gateway => LazyGateway.Value;

    /// <summary>The gateway's next key (published as <see cref="RotatedKid"/> after a rotation).</summary>
    public static RSA Rotated => LazyRotated.Value;

    /// <summary>A key nobody publishes.</summary>
    public static RSA Attacker => LazyAttacker.Value;

    /// <summary>An RSA key published with <c>use: enc</c> (not for signatures).</summary>
    public static RSA Encryption => LazyEncryption.Value;

    /// <summary>A 1024-bit RSA key (too short).</summary>
    public static RSA Weak => LazyWeak.Value;

    /// <summary>An EC P-256 key.</summary>
    public static ECDsa Ec => LazyEc.Value;

    /// <summary>A symmetric key a careless JWKS might publish.</summary>
    public static byte[] OctSecret { get; } = RandomNumberGenerator.GetBytes(32);

    public static JsonObject RsaJwk(RSA rsa, string kid, string? use = "sig", string? alg = "RS256")
    {
        var p = rsa.ExportParameters(false);
        var jwk = new JsonObject
        {
            ["kty"] = "RSA",
            ["kid"] = kid,
            ["n"] = Base64UrlEncoder.Encode(p.Modulus),
            ["e"] = Base64UrlEncoder.Encode(p.Exponent),
        };
        if (use is not null)
        {
            jwk["use"] = use;
        }

        if (alg is not null)
        {
            jwk["alg"] = alg;
        }

        return jwk;
    }

    public static JsonObject EcJwk(ECDsa ec, string kid)
    {
        var p = ec.ExportParameters(false);
        return new JsonObject
        {
            ["kty"] = "EC",
            ["kid"] = kid,
            ["use"] = "sig",
            ["crv"] = "P-256",
            ["x"] = Base64UrlEncoder.Encode(p.Q.X),
            ["y"] = Base64UrlEncoder.Encode(p.Q.Y),
        };
    }

    public static JsonObject OctJwk(byte[] secret, string kid) => new()
    {
        ["kty"] = "oct",
        ["kid"] = kid,
        ["use"] = "sig",
        ["k"] = Base64UrlEncoder.Encode(secret),
    };

    public static string Jwks(params JsonObject[] keys) => new JsonObject { ["keys"] = new JsonArray(keys) }.ToJsonString();

    /// <summary>The JWKS of the forged-token corpus: the gateway key plus keys that must never verify a callback.</summary>
    public static string HostileJwks() => Jwks(
        RsaJwk(Gateway, GatewayKid),
        EcJwk(Ec, EcKid),
        OctJwk(OctSecret, OctKid),
        RsaJwk(Weak, WeakKid),
        RsaJwk(Encryption, EncKid, use: "enc", alg: "RSA-OAEP"));
}
