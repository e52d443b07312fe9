using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Abdm.ProfileShare.Testing.Internal;

/// <summary>
/// Issues and checks the simulator's tokens: session access and refresh tokens (RS256, valid on v0.5 and v3 calls
/// alike, <c>azp</c> = <c>clientId</c> = the HIP's client id), the token on its own calls to the HIP (as the gateway's:
/// RS256, audience <c>account</c>, <c>azp</c> = <c>clientId</c> = <c>gateway</c>, <c>preferred_username</c>
/// <c>service-account-gateway</c>, <c>CallbackTokenLifetime</c> = 20 minutes by default, reused until near expiry; v3
/// calls are signed by the v3 key set), and linking tokens (RS512; the v3 link token lives 6 months).
/// In the <see cref="GatewaySimulatorProfile.Performance"/> profile a session access token whose JWT was verified is
/// recognised by its exact text until its <c>exp</c>; the checks that can change between calls (lifetime on the
/// simulator's clock, invalidation, early expiry, the client id) run on every call, so the answer is the same.
/// </summary>
internal sealed class TokenService : IDisposable
{
    public const string CallbackAudience = "account";
    public const string GatewayClientId = "gateway";

    /// <summary>How many verified session tokens are remembered at most (the Performance profile).</summary>
    private const int VerifiedSessionsLimit = 1024;

    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SigningKeyRing _keys;
    private readonly Func<SigningKeyRing> _v3Keys;
    private readonly GatewaySimulatorOptions _options;
    private readonly TimeProvider _timeProvider;
    // Every session access token issued (by jti), with the time it really stops working (early expiry, invalidation).
    private readonly ConcurrentDictionary<string, DateTimeOffset> _expiry = new(StringComparer.Ordinal);
    // Session access tokens whose JWT verified (Performance profile only), by their exact text.
    private readonly ConcurrentDictionary<string, VerifiedSession>? _verified;
    private readonly Lock _gate = new();
    private readonly Lazy<(RSA Rsa, SigningCredentials Credentials)> _linkingKey = new(() =>
    {
        var rsa = RSA.Create(2048);
        return (rsa, new SigningCredentials(new RsaSecurityKey(rsa), SecurityAlgorithms.RsaSha512));
    });

    private CachedToken? _callbackToken;
    private CachedToken? _v3CallbackToken;
    private long _sessionVerifications;

    public TokenService(SigningKeyRing keys, Func<SigningKeyRing> v3Keys, GatewaySimulatorOptions options, string issuer)
    {
        _keys = keys;
        _v3Keys = v3Keys;
        _options = options;
        _timeProvider = options.TimeProvider;
        Issuer = issuer;
        _verified = options.CachesVerifiedSessionTokens ? new(StringComparer.Ordinal) : null;
    }

    /// <summary>How many times a session access token's JWT was verified (signature, issuer, audience, lifetime, claims).</summary>
    public long SessionVerifications => Interlocked.Read(ref _sessionVerifications);

    public string Issuer { get; }

    /// <summary>The public key linking tokens are signed with (not published by the real gateway either).</summary>
    public SecurityKey LinkingTokenKey => new RsaSecurityKey(_linkingKey.Value.Rsa.ExportParameters(false));

    public (string AccessToken, string RefreshToken) IssueSession(TimeSpan? expireAfter)
    {
        var now = _timeProvider.GetUtcNow();
        var key = _keys.Current;
        var jti = Guid.NewGuid().ToString();
        var access = Create(key.Credentials, now, now + _options.SessionTokenLifetime, CallbackAudience, new Dictionary<string, object>
        {
            ["jti"] = jti,
            ["typ"] = "Bearer",
            ["azp"] = _options.ClientId,
            ["clientId"] = _options.ClientId,
            ["sub"] = _options.ClientId,
            ["preferred_username"] = "service-account-" + _options.ClientId,
            ["scope"] = "openid",
        });
        var refresh = Create(key.Credentials, now, now + _options.RefreshTokenLifetime, Issuer, new Dictionary<string, object>
        {
            ["jti"] = Guid.NewGuid().ToString(),
            ["typ"] = "Refresh",
            ["azp"] = _options.ClientId,
            ["sub"] = _options.ClientId,
        });
        _expiry[jti] = expireAfter is { } after ? now + after : DateTimeOffset.MaxValue;

        return (access, refresh);
    }

    public void InvalidateSessionTokens()
    {
        foreach (var jti in _expiry.Keys)
        {
            _expiry[jti] = DateTimeOffset.MinValue;
        }
    }

    public async Task<bool> ValidateSessionAsync(string token)
    {
        if (_verified is not null && _verified.TryGetValue(token, out var known))
        {
            // What the JWT verification below would answer for this very text now: its signature, issuer, audience, type
            // and jti cannot change; its lifetime and the client id (an option) are checked again, then the jti's state.
            if (!IsLive(known.ExpiresAt))
            {
                _verified.TryRemove(token, out _);
                return false;
            }

            return string.Equals(known.ClientId, _options.ClientId, StringComparison.Ordinal) && IsActive(known.Jti);
        }

        Interlocked.Increment(ref _sessionVerifications);
        if (await ValidateOwnAsync(token, "Bearer", CallbackAudience).ConfigureAwait(false) is not { } verified
            || !verified.Claims.TryGetValue("jti", out var jti) || jti is not string id)
        {
            return false;
        }

        if (_verified is not null)
        {
            Remember(token, new VerifiedSession(id, _options.ClientId, verified.ExpiresAt));
        }

        return IsActive(id);
    }

    public async Task<bool> ValidateRefreshAsync(string token) =>
        await ValidateOwnAsync(token, "Refresh", Issuer).ConfigureAwait(false) is not null;

    /// <summary>
    /// The token on calls to the HIP: one token per key set reused until less than a minute (or half its life) is
    /// left. v3 calls (<paramref name="v3"/>) are signed by the v3 key set.
    /// </summary>
    public string CallbackToken(bool unpublishedKey, bool v3 = false)
    {
        var now = _timeProvider.GetUtcNow();
        var ring = v3 ? _v3Keys() : _keys;
        if (unpublishedKey)
        {
            return CreateCallback(ring.Unpublished, now);
        }

        var key = ring.Current;
        lock (_gate)
        {
            var margin = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(1).Ticks, _options.CallbackTokenLifetime.Ticks / 2));
            var cached = v3 ? _v3CallbackToken : _callbackToken;
            if (cached is not null && ReferenceEquals(cached.Key, key) && now < cached.ExpiresAt - margin)
            {
                return cached.Token;
            }

            var token = CreateCallback(key, now);
            cached = new CachedToken(token, key, now + _options.CallbackTokenLifetime);
            if (v3)
            {
                _v3CallbackToken = cached;
            }
            else
            {
                _callbackToken = cached;
            }

            return token;
        }
    }

    /// <summary>A linking token as the real gateway issues it: RS512, claims sub, requesterType, requesterId, patientId, sessionId, exp = iat + 24 h, iat.</summary>
    public string IssueLinkingToken(string healthId, string hipId) =>
        IssueLinkToken(healthId, hipId, _timeProvider.GetUtcNow(), TimeSpan.FromHours(24));

    /// <summary>
    /// A v3 link token (the <c>linkToken</c> of on-generate-token). As the sandbox issues it
    /// (<see cref="GatewaySimulatorOptions.SandboxV3LinkTokens"/>): RS512, signed by the RS512 key of the v3 certs,
    /// claims <c>hipId</c>, <c>abhaNumber</c> (14 digits, or null), <c>transactionId</c>, <c>abhaAddress</c>,
    /// <c>sub</c>, <c>iat</c>, <c>exp</c>; else the v0.5 linking token's claims. Both live
    /// <see cref="GatewaySimulatorOptions.V3LinkTokenLifetime"/> (182.5 days).
    /// </summary>
    public string IssueV3LinkToken(string abhaAddress, string? abhaNumber, string hipId)
    {
        var now = _timeProvider.GetUtcNow();
        if (!_options.SandboxV3LinkTokens)
        {
            return IssueLinkToken(abhaAddress, hipId, now, _options.V3LinkTokenLifetime);
        }

        var key = _v3Keys().LinkTokenKey;
        var claims = new Dictionary<string, object>
        {
            ["hipId"] = hipId,
            ["transactionId"] = Guid.NewGuid().ToString(),
            ["abhaAddress"] = abhaAddress,
            ["sub"] = abhaAddress,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + _options.V3LinkTokenLifetime).ToUnixTimeSeconds(),
        };
        claims["abhaNumber"] = abhaNumber is null ? System.Text.Json.JsonDocument.Parse("null").RootElement.Clone() : abhaNumber;
        return _handler.CreateToken(new SecurityTokenDescriptor { SigningCredentials = key.Credentials, Claims = claims });
    }

    private string IssueLinkToken(string healthId, string hipId, DateTimeOffset now, TimeSpan lifetime)
    {
        var descriptor = new SecurityTokenDescriptor
        {
            SigningCredentials = _linkingKey.Value.Credentials,
            Claims = new Dictionary<string, object>
            {
                ["sub"] = healthId,
                ["requesterType"] = "HIP",
                ["requesterId"] = hipId,
                ["patientId"] = healthId,
                ["sessionId"] = Guid.NewGuid().ToString(),
                ["exp"] = (now + lifetime).ToUnixTimeSeconds(),
                ["iat"] = now.ToUnixTimeSeconds(),
            },
        };
        return _handler.CreateToken(descriptor);
    }

    public void Dispose()
    {
        if (_linkingKey.IsValueCreated)
        {
            _linkingKey.Value.Rsa.Dispose();
        }
    }

    private string CreateCallback(SigningKey key, DateTimeOffset now) =>
        Create(key.Credentials, now, now + _options.CallbackTokenLifetime, CallbackAudience, new Dictionary<string, object>
        {
            ["jti"] = Guid.NewGuid().ToString(),
            ["typ"] = "Bearer",
            ["azp"] = GatewayClientId,
            ["clientId"] = GatewayClientId,
            ["sub"] = GatewayClientId,
            ["preferred_username"] = "service-account-" + GatewayClientId,
            ["scope"] = "openid",
        });

    private string Create(SigningCredentials credentials, DateTimeOffset now, DateTimeOffset expires, string audience, Dictionary<string, object> claims)
    {
        claims["iat"] = now.ToUnixTimeSeconds();
        claims["exp"] = expires.ToUnixTimeSeconds();
        claims["iss"] = Issuer;
        claims["aud"] = audience;
        return _handler.CreateToken(new SecurityTokenDescriptor { SigningCredentials = credentials, Claims = claims });
    }

    /// <summary>The session's own state: issued by this simulator, not invalidated, not expired early by a fault.</summary>
    private bool IsActive(string jti) => _expiry.TryGetValue(jti, out var expiry) && _timeProvider.GetUtcNow() < expiry;

    /// <summary>The lifetime rule of <see cref="ValidateOwnAsync"/>: before <c>exp</c> on the simulator's clock, no skew.</summary>
    private bool IsLive(DateTime expiresAt) => _timeProvider.GetUtcNow().UtcDateTime < expiresAt;

    private void Remember(string token, VerifiedSession session)
    {
        var verified = _verified!;
        if (verified.Count >= VerifiedSessionsLimit)
        {
            foreach (var (text, known) in verified)
            {
                if (!IsLive(known.ExpiresAt))
                {
                    verified.TryRemove(text, out _);
                }
            }

            if (verified.Count >= VerifiedSessionsLimit)
            {
                // Many live sessions at once: start over rather than grow; a forgotten token is simply verified again.
                verified.Clear();
            }
        }

        verified[token] = session;
    }

    private async Task<(IDictionary<string, object> Claims, DateTime ExpiresAt)?> ValidateOwnAsync(string token, string type, string audience)
    {
        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = audience,
            IssuerSigningKeys = _keys.All,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.Zero,
            LifetimeValidator = (_, expires, _, _) => expires is { } at && IsLive(at),
        }).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return null;
        }

        var claims = result.Claims;
        if (!claims.TryGetValue("typ", out var typ) || !string.Equals(typ as string, type, StringComparison.Ordinal)
            || !claims.TryGetValue("azp", out var azp) || !string.Equals(azp as string, _options.ClientId, StringComparison.Ordinal))
        {
            return null;
        }

        return (claims, result.SecurityToken.ValidTo);
    }

    private sealed record CachedToken(string Token, SigningKey Key, DateTimeOffset ExpiresAt);

    /// <summary>A session access token whose JWT verified: its <c>jti</c>, <c>azp</c> and <c>exp</c> (UTC).</summary>
    private sealed record VerifiedSession(string Jti, string ClientId, DateTime ExpiresAt);
}
