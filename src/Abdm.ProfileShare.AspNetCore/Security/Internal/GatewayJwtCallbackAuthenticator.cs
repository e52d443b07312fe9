using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Abdm.ProfileShare.AspNetCore.Security.Internal;

/// <summary>
/// The default <see cref="IGatewayCallbackAuthenticator"/>: the <c>Authorization</c> header must carry a JWT
/// signed (RS256 or RS512) by a key from the gateway's JWKS, within its lifetime (at most
/// <c>Callbacks:MaxTokenLifetime</c> long), for an accepted audience (and issuer, when configured), naming the gateway
/// as its client (<c>azp</c>/<c>clientId</c> in <c>Callbacks:GatewayClientIds</c>, never this host's own client id).
/// Validation is done by <see cref="JsonWebTokenHandler"/>.
/// </summary>
/// <remarks>
/// A token is not rejected for being repeated: the gateway reuses one token across many callbacks. A token that
/// passed is remembered until its expiry, or until the key that verified it leaves the JWKS
/// (<see cref="ValidatedTokenCache"/>), so the hot path is a header read and a hash. A token valid except that it
/// expired less than <c>Callbacks:LateDeliveryGrace</c> ago is answered <see cref="CallbackAuthenticationResult.Late"/>
/// (never cached); when the keys cannot be fetched, <see cref="CallbackAuthenticationResult.Unavailable"/>.
/// </remarks>
internal sealed class GatewayJwtCallbackAuthenticator : IGatewayCallbackAuthenticator
{
    /// <summary>The longest accepted <c>Authorization</c> header value (8 KiB).</summary>
    internal const int MaxAuthorizationLength = 8 * 1024;

    /// <summary>Validated tokens remembered at most.</summary>
    internal const int ValidatedTokenCapacity = 4096;

    private const int MaxKeyIdLength = 256;
    private const string BearerPrefix = "Bearer ";

    private static readonly string[] AllowedAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha512];

    private readonly GatewaySigningKeyCache _keys;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly TokenValidationParameters _parameters;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly ValidatedTokenCache _validated = new(ValidatedTokenCapacity);
    private readonly string[] _gatewayClientIds;
    private readonly string? _ownClientId;
    private readonly TimeSpan _lateDeliveryGrace;
    private readonly TimeSpan _maxTokenLifetime;
    private long _signatureValidations;

    public GatewayJwtCallbackAuthenticator(
        IOptions<AbdmProfileShareOptions> options,
        GatewaySigningKeyCache keys,
        TimeProvider timeProvider,
        ILogger<GatewayJwtCallbackAuthenticator> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var callbacks = options.Value.Callbacks ?? new CallbackOptions();
        _keys = keys;
        _timeProvider = timeProvider;
        _logger = logger;
        _gatewayClientIds = callbacks.GatewayClientIds.Where(static c => !string.IsNullOrWhiteSpace(c)).ToArray();
        _ownClientId = string.IsNullOrWhiteSpace(options.Value.Gateway?.ClientId) ? null : options.Value.Gateway.ClientId;
        _lateDeliveryGrace = callbacks.LateDeliveryGrace > TimeSpan.Zero ? callbacks.LateDeliveryGrace : TimeSpan.Zero;
        _maxTokenLifetime = callbacks.MaxTokenLifetime;
        _keys.KeysReplaced += kids => _validated.RemoveKeysNotIn(kids);

        var issuers = callbacks.ValidIssuers.Where(static i => !string.IsNullOrWhiteSpace(i)).ToArray();
        // The v0.5 and the v3 gateway's callback tokens both carry aud "account" (measured on the v3 sandbox), and
        // every client of the realm gets the same: checked on every wire version unless Callbacks:ValidateAudience = false.
        var audiences = callbacks.ValidateAudience ?? true
            ? callbacks.ValidAudiences.Where(static a => !string.IsNullOrWhiteSpace(a)).ToArray()
            : [];
        _parameters = new TokenValidationParameters
        {
            // Signature: only RSA PKCS#1 v1.5 with SHA-256/512, only by the key the JWKS publishes under the
            // token's kid (set per request), never "none", never HMAC (no key confusion), never another key.
            ValidAlgorithms = AllowedAlgorithms,
            RequireSignedTokens = true,
            TryAllIssuerSigningKeys = false,
            ValidateIssuerSigningKey = false, // trusted by origin: the gateway's JWKS over the certs client

            // Lifetime: exp required; exp and nbf checked against the injected clock with the configured skew
            // (TokenValidationParameters.TimeProvider is internal in Microsoft.IdentityModel 8.x, hence the delegate).
            // An exp passed less than LateDeliveryGrace ago passes here and is answered Late after the other checks.
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = callbacks.ClockSkew,
            LifetimeValidator = ValidateLifetime,

            ValidateIssuer = issuers.Length > 0,
            ValidIssuers = issuers,
            ValidateAudience = audiences.Length > 0,
            ValidAudiences = audiences,

            // No jti replay check: the gateway reuses a token across callbacks.
            ValidateTokenReplay = false,
            SaveSigninToken = false,
        };
    }

    /// <summary>The signing keys (internal for tests).</summary>
    internal GatewaySigningKeyCache Keys => _keys;

    /// <summary>The validation parameters shared by every request (a clone per request gets the signing key).</summary>
    internal TokenValidationParameters Parameters => _parameters;

    /// <summary>Full validations run so far, cache hits excluded (for tests and diagnostics).</summary>
    internal long SignatureValidations => Interlocked.Read(ref _signatureValidations);

    public async ValueTask<CallbackAuthenticationResult> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var failure = ReadToken(request, out var header, out var tokenRange);
        if (failure is not null)
        {
            return Reject(failure);
        }

        // The common case (the gateway reuses its token) is answered from the header's characters, without a copy.
        var now = _timeProvider.GetUtcNow();
        if (_validated.Contains(header.AsSpan(tokenRange), now, out var cachedKeyId))
        {
            if (_keys.Holds(cachedKeyId))
            {
                return CallbackAuthenticationResult.Success;
            }

            // The key that verified it left the JWKS (or no key set is usable): validate again, which fails or waits.
            _validated.Remove(header.AsSpan(tokenRange));
        }

        var token = header[tokenRange];

        JsonWebToken jwt;
        string? algorithm;
        string? keyId;
        try
        {
            jwt = new JsonWebToken(token);
            if (jwt.IsEncrypted)
            {
                return Reject("encrypted tokens are not accepted");
            }

            algorithm = jwt.Alg;
            keyId = jwt.Kid;
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenException or FormatException or InvalidOperationException or System.Text.Json.JsonException)
        {
            return Reject("malformed token");
        }

        // Checked before any key lookup, so forged headers never reach the JWKS endpoint.
        if (string.IsNullOrEmpty(algorithm) || Array.IndexOf(AllowedAlgorithms, algorithm) < 0)
        {
            return Reject("signing algorithm not accepted");
        }

        if (string.IsNullOrEmpty(keyId))
        {
            return Reject("token names no signing key (kid)");
        }

        if (keyId.Length > MaxKeyIdLength)
        {
            return Reject("malformed key id");
        }

        var (status, key) = await _keys.GetKeyAsync(keyId, cancellationToken).ConfigureAwait(false);
        if (status == SigningKeyStatus.KeysUnavailable)
        {
            // Not the caller's fault: 503 with Retry-After, so the gateway delivers the callback again.
            const string Reason = "gateway signing keys unavailable";
            SecurityLog.CallbackDeferred(_logger, Reason);
            return CallbackAuthenticationResult.Unavailable(Reason, _keys.RetryAfter);
        }

        if (key is null)
        {
            return Reject("unknown signing key");
        }

        var parameters = _parameters.Clone();
        parameters.IssuerSigningKey = key;
        Interlocked.Increment(ref _signatureValidations);
        var result = await _handler.ValidateTokenAsync(jwt, parameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return Reject(Describe(result.Exception));
        }

        now = _timeProvider.GetUtcNow();
        var expires = new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero);
        if (IsTooLong(jwt, expires, now))
        {
            return Reject("token lifetime longer than Callbacks:MaxTokenLifetime");
        }

        var sender = CheckSender(jwt);
        if (sender is not null)
        {
            return Reject(sender);
        }

        if (expires < now - _parameters.ClockSkew)
        {
            // Valid in every respect but its expiry, within the grace: only the answer to an awaited request takes it.
            var lateBy = now - expires;
            SecurityLog.LateTokenSeen(_logger, Math.Round(lateBy.TotalSeconds));
            return CallbackAuthenticationResult.Late(lateBy);
        }

        _validated.Add(token, keyId, expires, now);
        return CallbackAuthenticationResult.Success;
    }

    /// <summary>Whether the token lives longer than <c>Callbacks:MaxTokenLifetime</c>: <c>exp - iat</c>, and <c>exp</c> - now.</summary>
    private bool IsTooLong(JsonWebToken jwt, DateTimeOffset expires, DateTimeOffset now)
    {
        if (expires - now > _maxTokenLifetime)
        {
            return true;
        }

        DateTime issuedAt;
        try
        {
            issuedAt = jwt.IssuedAt;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException or SecurityTokenException or OverflowException)
        {
            return true; // an iat that is not a NumericDate
        }

        return issuedAt != DateTime.MinValue && expires - new DateTimeOffset(issuedAt, TimeSpan.Zero) > _maxTokenLifetime;
    }

    /// <summary>
    /// The sender check: <c>azp</c>, else <c>clientId</c>, must be one of <c>Callbacks:GatewayClientIds</c> (both when
    /// both are present), and neither may be this host's own client id. Every client of the ABDM realm has tokens with
    /// the same signer, issuer and audience: these claims are what tell the gateway apart.
    /// </summary>
    /// <returns>A failure reason (naming no claim value), or <see langword="null"/>.</returns>
    private string? CheckSender(JsonWebToken jwt)
    {
        var azp = ReadClientClaim(jwt, "azp");
        var clientId = ReadClientClaim(jwt, "clientId");
        if (azp.Count == 0 && clientId.Count == 0)
        {
            return "token names no client (azp or clientId)";
        }

        if (azp.Count > 1 || clientId.Count > 1)
        {
            return "sender not the gateway";
        }

        string?[] named = [azp.Value, clientId.Value];
        foreach (var value in named)
        {
            if (value is null)
            {
                continue;
            }

            if (_ownClientId is not null && string.Equals(value, _ownClientId, StringComparison.Ordinal))
            {
                return "sender is this host's own client (its session token), not the gateway";
            }

            if (Array.IndexOf(_gatewayClientIds, value) < 0)
            {
                return "sender not the gateway";
            }
        }

        return null;
    }

    /// <summary>How many values claim <paramref name="name"/> has (an array counts each), and the value when exactly one.</summary>
    private static (int Count, string? Value) ReadClientClaim(JsonWebToken jwt, string name)
    {
        var count = 0;
        string? value = null;
        foreach (var claim in jwt.Claims)
        {
            if (string.Equals(claim.Type, name, StringComparison.Ordinal))
            {
                count++;
                value = claim.Value;
            }
        }

        return (count, count == 1 ? value ?? "" : null);
    }

    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        if (expires is null)
        {
            throw new SecurityTokenNoExpirationException("The token has no expiry.");
        }

        if (notBefore is not null && notBefore > expires)
        {
            throw new SecurityTokenInvalidLifetimeException("The token's nbf is after its exp.");
        }

        var now = _timeProvider.GetUtcNow().UtcDateTime;
        var skew = parameters.ClockSkew;
        if (notBefore is not null && notBefore.Value > now + skew)
        {
            throw new SecurityTokenNotYetValidException("The token is not yet valid.");
        }

        if (expires.Value < now - skew && !(now - expires.Value < _lateDeliveryGrace))
        {
            throw new SecurityTokenExpiredException("The token has expired.");
        }

        return true;
    }

    /// <summary>Reads the token from <c>Authorization</c>, with or without the <c>Bearer </c> prefix.</summary>
    /// <param name="request">The callback request.</param>
    /// <param name="header">The <c>Authorization</c> header value.</param>
    /// <param name="token">Where the token is in <paramref name="header"/>.</param>
    /// <returns>A failure reason, or <see langword="null"/> with <paramref name="header"/> and <paramref name="token"/> set.</returns>
    internal static string? ReadToken(HttpRequest request, out string header, out Range token)
    {
        header = "";
        token = default;
        var values = request.Headers.Authorization;
        if (values.Count == 0)
        {
            return "missing Authorization header";
        }

        if (values.Count > 1)
        {
            return "more than one Authorization header";
        }

        var value = values[0];
        if (string.IsNullOrWhiteSpace(value))
        {
            return "empty Authorization header";
        }

        if (value.Length > MaxAuthorizationLength)
        {
            return "Authorization header too long";
        }

        var text = value.AsSpan().Trim();
        if (text.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            text = text[BearerPrefix.Length..].Trim();
        }
        else if (text.Contains(' '))
        {
            return "unsupported authorization scheme";
        }

        if (text.IsEmpty)
        {
            return "empty token";
        }

        if (text.ContainsAny(' ', '\t', ','))
        {
            return "malformed token";
        }

        value.AsSpan().Overlaps(text, out var offset);
        header = value;
        token = new Range(offset, offset + text.Length);
        return null;
    }

    private CallbackAuthenticationResult Reject(string reason)
    {
        SecurityLog.CallbackRejected(_logger, reason);
        return CallbackAuthenticationResult.Fail(reason);
    }

    private static string Describe(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException => "token expired",
        SecurityTokenNotYetValidException => "token not yet valid",
        SecurityTokenNoExpirationException => "token has no expiry",
        SecurityTokenInvalidLifetimeException => "token lifetime invalid",
        SecurityTokenInvalidAudienceException => "audience not accepted",
        SecurityTokenInvalidIssuerException => "issuer not accepted",
        SecurityTokenInvalidAlgorithmException => "signing algorithm not accepted",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "invalid signature",
        SecurityTokenMalformedException => "malformed token",
        _ => "invalid token",
    };
}
