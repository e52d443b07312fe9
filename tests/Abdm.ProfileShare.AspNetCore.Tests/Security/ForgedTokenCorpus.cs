using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using static Abdm.ProfileShare.AspNetCore.Tests.Security.TestTokens;

namespace Abdm.ProfileShare.AspNetCore.Tests.Security;

/// <summary>
/// Forged, broken and misdirected <c>Authorization</c> headers. Each builds the header value(s) for "now";
/// <see langword="null"/> sends no header. The app trusts <see cref="TestKeys.HostileJwks"/> and pins <see cref="TestTokens.Issuer"/>.
/// </summary>
internal static class ForgedTokenCorpus
{
    private static readonly Func<byte[], byte[]> GatewayRs256 = RsaSigner(TestKeys.Gateway, HashAlgorithmName.SHA256);

    public static readonly IReadOnlyDictionary<string, Func<DateTimeOffset, string[]?>> Cases = new Dictionary<string, Func<DateTimeOffset, string[]?>>
    {
        // --- signature: wrong key, tampering, stripping
        ["wrong key under the gateway's kid"] = now => One(Sign(Header(), Claims(now), RsaSigner(TestKeys.Attacker, HashAlgorithmName.SHA256))),
        ["tampered payload (sub changed)"] = now => One(ReplacePayload(Valid(now), Claims(now).Also(c => c["sub"] = "attacker"))),
        ["tampered payload (expired token, exp extended)"] = now => One(ReplacePayload(Sign(Header(), Claims(now - TimeSpan.FromHours(3)), GatewayRs256), Claims(now))),
        ["tampered payload (audience swapped)"] = now => One(ReplacePayload(Valid(now), Claims(now, audience: "account-2"))),
        ["tampered header (extra field)"] = now => One(ReplaceHeader(Valid(now), Header().Also(h => h["x"] = 1))),
        ["tampered header (alg RS512 over an RS256 signature)"] = now => One(ReplaceHeader(Valid(now), Header("RS512"))),
        ["stripped signature (trailing dot)"] = now => One(StripSignature(Valid(now)) + "."),
        ["stripped signature (two segments)"] = now => One(StripSignature(Valid(now))),
        ["signature of another token"] = now => One(StripSignature(Valid(now)) + "." + Valid(now + TimeSpan.FromSeconds(1)).Split('.')[2]),
        ["signature bit flipped"] = now => One(FlipSignatureBit(Valid(now))),
        ["signature truncated"] = now => One(Valid(now)[..^4]),
        ["signature with junk appended"] = now => One(Valid(now) + "AAAA"),

        // --- lifetime
        ["expired an hour ago"] = now => One(Sign(Header(), Claims(now - TimeSpan.FromHours(1), TimeSpan.FromMinutes(10)), GatewayRs256)),
        ["expired just beyond the clock skew"] = now => One(Sign(Header(), Claims(now - TimeSpan.FromMinutes(12) - TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(10)), GatewayRs256)),
        ["not yet valid (nbf in 10 minutes)"] = now => One(Sign(Header(), Claims(now, TimeSpan.FromHours(1)).Also(c => c["nbf"] = (now + TimeSpan.FromMinutes(10)).ToUnixTimeSeconds()), GatewayRs256)),
        ["no exp"] = now => One(Sign(Header(), Claims(now, withExp: false), GatewayRs256)),
        ["nbf after exp"] = now => One(Sign(Header(), Claims(now).Also(c => c["nbf"] = (now + TimeSpan.FromHours(2)).ToUnixTimeSeconds()), GatewayRs256)),
        ["exp not a number"] = now => One(Sign(Header(), Claims(now).Also(c => c["exp"] = "never"), GatewayRs256)),

        // --- algorithm attacks
        ["alg none, empty signature"] = now => One(Encode(Header("none")) + "." + Encode(Claims(now)) + "."),
        ["alg None (capitalised)"] = now => One(Encode(Header("None")) + "." + Encode(Claims(now)) + "."),
        ["alg NONE with the gateway's signature"] = now => One(ReplaceHeader(Valid(now), Header("NONE"))),
        ["alg missing"] = now => One(ReplaceHeader(Valid(now), new JsonObject { ["typ"] = "JWT", ["kid"] = TestKeys.GatewayKid })),
        ["alg not a string"] = now => One(ReplaceHeader(Valid(now), new JsonObject { ["alg"] = 256, ["kid"] = TestKeys.GatewayKid })),
        ["HS256 keyed with the public key PEM (key confusion)"] = now => One(Sign(Header("HS256"), Claims(now), HmacSigner(Encoding.ASCII.GetBytes(TestKeys.Gateway.ExportSubjectPublicKeyInfoPem()), HashAlgorithmName.SHA256))),
        ["HS256 keyed with the public key DER (key confusion)"] = now => One(Sign(Header("HS256"), Claims(now), HmacSigner(TestKeys.Gateway.ExportSubjectPublicKeyInfo(), HashAlgorithmName.SHA256))),
        ["HS256 keyed with the RSA modulus (key confusion)"] = now => One(Sign(Header("HS256"), Claims(now), HmacSigner(TestKeys.Gateway.ExportParameters(false).Modulus!, HashAlgorithmName.SHA256))),
        ["HS256 keyed with the JWKS document (key confusion)"] = now => One(Sign(Header("HS256"), Claims(now), HmacSigner(Encoding.UTF8.GetBytes(TestKeys.HostileJwks()), HashAlgorithmName.SHA256))),
        ["HS512 keyed with the public key PEM"] = now => One(Sign(Header("HS512"), Claims(now), HmacSigner(Encoding.ASCII.GetBytes(TestKeys.Gateway.ExportSubjectPublicKeyInfoPem()), HashAlgorithmName.SHA512))),
        ["HS256 with a symmetric key the JWKS publishes"] = now => One(Sign(Header("HS256", TestKeys.OctKid), Claims(now), HmacSigner(TestKeys.OctSecret, HashAlgorithmName.SHA256))),
        ["RS256 naming the symmetric key's kid"] = now => One(Sign(Header("RS256", TestKeys.OctKid), Claims(now), GatewayRs256)),
        ["PS256 with the gateway key"] = now => One(Sign(Header("PS256"), Claims(now), RsaSigner(TestKeys.Gateway, HashAlgorithmName.SHA256, RSASignaturePadding.Pss))),
        ["PS512 with the gateway key"] = now => One(Sign(Header("PS512"), Claims(now), RsaSigner(TestKeys.Gateway, HashAlgorithmName.SHA512, RSASignaturePadding.Pss))),
        ["RS384 with the gateway key"] = now => One(Sign(Header("RS384"), Claims(now), RsaSigner(TestKeys.Gateway, HashAlgorithmName.SHA384))),
        ["ES256 with an EC key the JWKS publishes"] = now => One(Sign(Header("ES256", TestKeys.EcKid), Claims(now), EcSigner(TestKeys.Ec))),
        ["RS256 with a 1024-bit key the JWKS publishes"] = now => One(Sign(Header("RS256", TestKeys.WeakKid), Claims(now), RsaSigner(TestKeys.Weak, HashAlgorithmName.SHA256))),
        ["RS256 with a key the JWKS publishes for encryption"] = now => One(Sign(Header("RS256", TestKeys.EncKid), Claims(now), RsaSigner(TestKeys.Encryption, HashAlgorithmName.SHA256))),

        // --- key selection
        ["unknown kid (still unknown after refetch)"] = now => One(Sign(Header("RS256", "rotated-away"), Claims(now), RsaSigner(TestKeys.Attacker, HashAlgorithmName.SHA256))),
        ["missing kid, signed by the gateway key (never keys[0])"] = now => One(Sign(Header("RS256", kid: null), Claims(now), GatewayRs256)),
        ["missing kid, signed by another key"] = now => One(Sign(Header("RS256", kid: null), Claims(now), RsaSigner(TestKeys.Attacker, HashAlgorithmName.SHA256))),
        ["empty kid"] = now => One(Sign(Header("RS256", ""), Claims(now), GatewayRs256)),
        ["kid not a string"] = now => One(Sign(Header().Also(h => h["kid"] = 42), Claims(now), GatewayRs256)),
        ["kid path traversal"] = now => One(Sign(Header("RS256", "../../../../etc/passwd"), Claims(now), RsaSigner(TestKeys.Attacker, HashAlgorithmName.SHA256))),
        ["kid of 1000 characters"] = now => One(Sign(Header("RS256", new string('k', 1000)), Claims(now), RsaSigner(TestKeys.Attacker, HashAlgorithmName.SHA256))),
        ["jku pointing at an attacker JWKS"] = now => One(Sign(Header("RS256", "attacker").Also(h => h["jku"] = "https://attacker.invalid/jwks"), Claims(now), RsaSigner(TestKeys.Attacker, HashAlgorithmName.SHA256))),
        ["embedded jwk header with the attacker key"] = now => One(Sign(Header("RS256", "attacker").Also(h => h["jwk"] = TestKeys.RsaJwk(TestKeys.Attacker, "attacker")), Claims(now), RsaSigner(TestKeys.Attacker, HashAlgorithmName.SHA256))),
        ["embedded jwk header under the gateway's kid"] = now => One(Sign(Header().Also(h => h["jwk"] = TestKeys.RsaJwk(TestKeys.Attacker, TestKeys.GatewayKid)), Claims(now), RsaSigner(TestKeys.Attacker, HashAlgorithmName.SHA256))),
        ["x5u pointing at an attacker certificate"] = now => One(Sign(Header("RS256", "attacker").Also(h => h["x5u"] = "https://attacker.invalid/cert.pem"), Claims(now), RsaSigner(TestKeys.Attacker, HashAlgorithmName.SHA256))),

        // --- issuer and audience
        ["wrong issuer"] = now => One(Sign(Header(), Claims(now, issuer: "https://attacker.invalid/realms/central-registry"), GatewayRs256)),
        ["issuer with a trailing slash"] = now => One(Sign(Header(), Claims(now, issuer: Issuer + "/x"), GatewayRs256)),
        ["no issuer"] = now => One(Sign(Header(), Claims(now, issuer: null), GatewayRs256)),
        ["wrong audience"] = now => One(Sign(Header(), Claims(now, audience: "hip-synthetic"), GatewayRs256)),
        ["audience differs in case"] = now => One(Sign(Header(), Claims(now, audience: "Account"), GatewayRs256)),
        ["no audience"] = now => One(Sign(Header(), Claims(now).Also(c => c.Remove("aud")), GatewayRs256)),
        ["audience list for other parties"] = now => One(Sign(Header(), Claims(now, audience: new JsonArray("hip-1", "other")), GatewayRs256)),
        ["empty audience list"] = now => One(Sign(Header(), Claims(now, audience: new JsonArray()), GatewayRs256)),

        // --- header shape and scheme
        ["no Authorization header"] = _ => null,
        ["empty Authorization header"] = _ => One(""),
        ["whitespace Authorization header"] = _ => One("   "),
        ["Bearer only"] = _ => One("Bearer "),
        ["Bearer without space"] = _ => One("Bearer"),
        ["Basic scheme"] = _ => One("Basic c3ludGhldGljOnNlY3JldA=="),
        ["Basic scheme wrapping a valid token"] = now => One("Basic " + Valid(now)),
        ["Token scheme"] = now => One("Token " + Valid(now)),
        ["Bearer Bearer"] = now => One("Bearer Bearer " + Valid(now)),
        ["two tokens comma-separated"] = now => One("Bearer " + Valid(now) + ", Bearer " + Valid(now)),
        ["two Authorization headers"] = now => [Valid(now), Valid(now)],
        ["garbage"] = _ => One("not-a-jwt"),
        ["two dots only"] = _ => One(".."),
        ["three dots"] = _ => One("..."),
        ["non-base64 segments"] = _ => One("a$b.c%d.e!f"),
        ["header JSON is an array"] = now => One(Encode("[\"RS256\"]") + "." + Encode(Claims(now)) + "." + Valid(now).Split('.')[2]),
        ["header JSON is a string"] = now => One(Encode("\"RS256\"") + "." + Encode(Claims(now)) + "." + Valid(now).Split('.')[2]),
        ["header not JSON"] = now => One(Encode("hello") + "." + Encode(Claims(now)) + "." + Valid(now).Split('.')[2]),
        ["payload JSON is an array, signed"] = now => One(SignRaw(Encode(Header()), Encode("[1,2,3]"), GatewayRs256)),
        ["payload not JSON, signed"] = now => One(SignRaw(Encode(Header()), Encode("hello"), GatewayRs256)),
        ["oversized: a validly signed token over 8 KiB"] = now => One("Bearer " + Sign(Header(), Claims(now).Also(c => c["pad"] = new string('p', 9000)), GatewayRs256)),
        ["oversized garbage"] = _ => One("Bearer " + new string('a', 9000)),
        ["JWE encrypted to the gateway's public key"] = now => One(Jwe(now)),
        ["JWE-shaped five segments"] = now => One(Encode(new JsonObject { ["alg"] = "RSA-OAEP", ["enc"] = "A256GCM", ["kid"] = TestKeys.GatewayKid }) + ".AAAA.AAAA.AAAA.AAAA"),
    };

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var name in Cases.Keys)
        {
            data.Add(name);
        }

        return data;
    }

    private static string[] One(string value) => [value];

    private static string Valid(DateTimeOffset now) => Sign(Header(), Claims(now), GatewayRs256);

    private static string SignRaw(string header, string payload, Func<byte[], byte[]> signer) =>
        header + "." + payload + "." + Base64UrlEncoder.Encode(signer(Encoding.ASCII.GetBytes(header + "." + payload)));

    private static string ReplacePayload(string token, JsonObject claims)
    {
        var parts = token.Split('.');
        return parts[0] + "." + Encode(claims) + "." + parts[2];
    }

    private static string ReplaceHeader(string token, JsonObject header)
    {
        var parts = token.Split('.');
        return Encode(header) + "." + parts[1] + "." + parts[2];
    }

    private static string StripSignature(string token) => token[..token.LastIndexOf('.')];

    private static string FlipSignatureBit(string token)
    {
        var parts = token.Split('.');
        var signature = Base64UrlEncoder.DecodeBytes(parts[2]);
        signature[signature.Length / 2] ^= 0x01;
        return parts[0] + "." + parts[1] + "." + Base64UrlEncoder.Encode(signature);
    }

    private static string Jwe(DateTimeOffset now)
    {
        // Anyone can encrypt to the gateway's public key; the inner token is signed by the attacker.
        var handler = new JsonWebTokenHandler();
        return handler.CreateToken(
            Claims(now).ToJsonString(),
            new SigningCredentials(new RsaSecurityKey(TestKeys.Attacker) { KeyId = TestKeys.GatewayKid }, SecurityAlgorithms.RsaSha256),
            new EncryptingCredentials(new RsaSecurityKey(TestKeys.Gateway.ExportParameters(false)) { KeyId = TestKeys.GatewayKid }, SecurityAlgorithms.RsaOAEP, SecurityAlgorithms.Aes128CbcHmacSha256));
    }

    private static T Also<T>(this T node, Action<T> change)
    {
        change(node);
        return node;
    }
}
