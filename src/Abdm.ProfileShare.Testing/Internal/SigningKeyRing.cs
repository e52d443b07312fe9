using System.Buffers.Text;
using System.Security.Cryptography;
using Abdm.ProfileShare.Wire;
using Microsoft.IdentityModel.Tokens;

namespace Abdm.ProfileShare.Testing.Internal;

/// <summary>
/// The simulator's RS256 signing keys: the current one, the previous ones still published during their overlap,
/// every key ever used (to validate session tokens the simulator issued), and one key that is never published.
/// </summary>
internal sealed class SigningKeyRing : IDisposable
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _timeProvider;
    private readonly List<SigningKey> _all = [];
    private SigningKey _current;
    private SigningKey? _unpublished;

    public SigningKeyRing(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        _current = SigningKey.Create();
        _all.Add(_current);
    }

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
                return _unpublished ??= SigningKey.Create();
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
        var next = SigningKey.Create();
        lock (_gate)
        {
            _current.RetireAt = _timeProvider.GetUtcNow() + overlap;
            _current = next;
            _all.Add(next);
            return next;
        }
    }

    public Certs Published()
    {
        var now = _timeProvider.GetUtcNow();
        lock (_gate)
        {
            return new Certs
            {
                Keys = [.. _all.Where(k => ReferenceEquals(k, _current) || k.RetireAt > now).OrderByDescending(k => ReferenceEquals(k, _current)).Select(k => k.Jwk)],
            };
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var key in _all)
            {
                key.Rsa.Dispose();
            }

            _unpublished?.Rsa.Dispose();
        }
    }
}

/// <summary>One RSA signing key with its JWK.</summary>
internal sealed class SigningKey
{
    private SigningKey(RSA rsa, string kid)
    {
        Rsa = rsa;
        SecurityKey = new RsaSecurityKey(rsa) { KeyId = kid };
        Credentials = new SigningCredentials(SecurityKey, SecurityAlgorithms.RsaSha256);
        var parameters = rsa.ExportParameters(false);
        Jwk = new JsonWebKeyDto
        {
            Kty = "RSA",
            Kid = kid,
            Use = "sig",
            Alg = SecurityAlgorithms.RsaSha256,
            N = Base64Url.EncodeToString(parameters.Modulus),
            E = Base64Url.EncodeToString(parameters.Exponent),
        };
    }

    public RSA Rsa { get; }

    public RsaSecurityKey SecurityKey { get; }

    public SigningCredentials Credentials { get; }

    public JsonWebKeyDto Jwk { get; }

    public string KeyId => SecurityKey.KeyId;

    public DateTimeOffset? RetireAt { get; set; }

    public static SigningKey Create()
    {
        var rsa = RSA.Create(2048);
        var kid = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(24));
        return new SigningKey(rsa, kid);
    }
}
