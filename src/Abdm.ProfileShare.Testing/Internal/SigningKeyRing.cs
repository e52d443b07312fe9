using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Abdm.ProfileShare.Wire;
using Microsoft.IdentityModel.Tokens;

namespace Abdm.ProfileShare.Testing.Internal;

/// <summary>
/// One of the simulator's key sets: the RS256 key it signs with now, the previous ones still published during their
/// overlap, every key ever used (to validate tokens the simulator issued), and one key that is never published.
/// The v0.5 set publishes bare RSA keys (<c>/v0.5/certs</c>). The v3 set (<c>/api/hiecm/gateway/v3/certs</c>) is a
/// separate ring, as on the real gateway (the v0.5 keys do not sign v3 callbacks): each key comes with a self-signed
/// certificate (<c>x5c</c>, <c>x5t</c>, <c>x5t2</c>), and an RS512 key is published next to the RS256 signing key,
/// as in the sandbox's v3 set; the RS512 key signs the v3 link tokens.
/// </summary>
internal sealed class SigningKeyRing : IDisposable
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _timeProvider;
    private readonly bool _v3;
    private readonly List<SigningKey> _all = [];
    private readonly SigningKey? _published512;
    private SigningKey _current;
    private SigningKey? _unpublished;

    public SigningKeyRing(TimeProvider timeProvider, bool v3 = false)
    {
        _timeProvider = timeProvider;
        _v3 = v3;
        _current = NewKey(SecurityAlgorithms.RsaSha256);
        _all.Add(_current);
        if (v3)
        {
            _published512 = NewKey(SecurityAlgorithms.RsaSha512);
        }
    }

    /// <summary>The v3 set's RS512 key (published in the v3 certs): it signs the v3 link tokens.</summary>
    public SigningKey LinkTokenKey => _published512 ?? throw new InvalidOperationException("Only the v3 key set has an RS512 key.");

    public SigningKey Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    /// <summary>A key never published in the certs (for the <see cref="FaultKind.UnpublishedKey"/> fault).</summary>
    public SigningKey Unpublished
    {
        get
        {
            lock (_gate)
            {
                return _unpublished ??= NewKey(SecurityAlgorithms.RsaSha256);
            }
        }
    }

    /// <summary>Every key the simulator signed its own tokens with (session tokens stay valid across rotations).</summary>
    public IReadOnlyList<SecurityKey> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _all.Select(k => k.SecurityKey)];
            }
        }
    }

    public SigningKey Rotate(TimeSpan overlap)
    {
        var next = NewKey(SecurityAlgorithms.RsaSha256);
        lock (_gate)
        {
            _current.RetireAt = _timeProvider.GetUtcNow() + overlap;
            _current = next;
            _all.Add(next);
            return next;
        }
    }

    /// <summary>The v0.5 JWKS: the current key first, then the keys still in their overlap.</summary>
    public Certs Published() => new() { Keys = [.. PublishedKeys().Select(k => k.Jwk)] };

    /// <summary>The v3 JWKS: the current RS256 key first, the keys still in their overlap, then the RS512 key.</summary>
    public V3Certs PublishedV3() => new([.. PublishedKeys().Concat(_published512 is null ? [] : [_published512]).Select(k => k.V3Jwk!)]);

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var key in _all)
            {
                key.Rsa.Dispose();
            }

            _unpublished?.Rsa.Dispose();
            _published512?.Rsa.Dispose();
        }
    }

    private List<SigningKey> PublishedKeys()
    {
        var now = _timeProvider.GetUtcNow();
        lock (_gate)
        {
            return [.. _all.Where(k => ReferenceEquals(k, _current) || k.RetireAt > now).OrderByDescending(k => ReferenceEquals(k, _current))];
        }
    }

    private SigningKey NewKey(string algorithm) => SigningKey.Create(algorithm, _v3 ? _timeProvider.GetUtcNow() : null);
}

/// <summary>One RSA signing key with its JWK (and, for the v3 set, its certificate-bearing v3 JWK).</summary>
internal sealed class SigningKey
{
    private SigningKey(RSA rsa, string kid, string algorithm, DateTimeOffset? certificateFrom)
    {
        Rsa = rsa;
        SecurityKey = new RsaSecurityKey(rsa) { KeyId = kid };
        Credentials = new SigningCredentials(SecurityKey, algorithm);
        var parameters = rsa.ExportParameters(false);
        var n = Base64Url.EncodeToString(parameters.Modulus);
        var e = Base64Url.EncodeToString(parameters.Exponent);
        Jwk = new JsonWebKeyDto { Kty = "RSA", Kid = kid, Use = "sig", Alg = algorithm, N = n, E = e };
        if (certificateFrom is { } from)
        {
            var request = new CertificateRequest("CN=ABDM gateway simulator (synthetic)", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(from.AddDays(-1), from.AddYears(2));
            V3Jwk = new V3Jwk(
                e, kid, "RSA", n, "sig", [Convert.ToBase64String(certificate.RawData)],
                Base64Url.EncodeToString(certificate.GetCertHash()),
                Base64Url.EncodeToString(certificate.GetCertHash(HashAlgorithmName.SHA256)),
                algorithm);
        }
    }

    public RSA Rsa { get; }

    public RsaSecurityKey SecurityKey { get; }

    public SigningCredentials Credentials { get; }

    public JsonWebKeyDto Jwk { get; }

    /// <summary>The key in the v3 JWKS shape (<c>x5t2</c>, not <c>x5t#S256</c>); <see langword="null"/> for v0.5 keys.</summary>
    public V3Jwk? V3Jwk { get; }

    public string KeyId => SecurityKey.KeyId;

    public DateTimeOffset? RetireAt { get; set; }

    public static SigningKey Create(string algorithm, DateTimeOffset? certificateFrom)
    {
        var rsa = RSA.Create(2048);
        var kid = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(24));
        return new SigningKey(rsa, kid, algorithm, certificateFrom);
    }
}
