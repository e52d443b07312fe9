using System.Diagnostics.Metrics;
using System.Globalization;
using System.Security.Cryptography;
using Abdm.ProfileShare.AspNetCore.Diagnostics.Internal;
using Abdm.ProfileShare.AspNetCore.Endpoints.Internal;
using Abdm.ProfileShare.AspNetCore.Internal;
using Abdm.ProfileShare.Gateway;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Abdm.ProfileShare.AspNetCore.Security.Internal;

/// <summary>The outcome of looking up a signing key.</summary>
internal enum SigningKeyStatus
{
    /// <summary>The key was found in a usable key set.</summary>
    Found,

    /// <summary>The key set is usable but does not hold the key id (also after a refetch, or the refetch was rate-limited).</summary>
    UnknownKeyId,

    /// <summary>No usable key set: never fetched, or older than the refresh interval plus the grace period and not refreshable.</summary>
    KeysUnavailable,
}

/// <summary>
/// The gateway's signing keys, fetched from its JWKS (<c>{Gateway:BaseUrl}/v0.5/certs</c>, on v3
/// <c>{Gateway:BaseUrl}/api/hiecm/gateway/v3/certs</c> with the session token, or
/// <c>Callbacks:CertsUrl</c>) and looked up by <c>kid</c> (never by position).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A token naming an unknown <c>kid</c> triggers a refetch, at most one per <c>KeysRefetchMinInterval</c>.</item>
/// <item>Concurrent callers share one fetch (single flight); the fetch is not cancelled by any one caller.</item>
/// <item>After <c>KeysRefreshInterval</c> the keys are refreshed in the background while the known keys keep
/// serving requests; if the gateway cannot be reached they stay usable for <c>StaleKeysGracePeriod</c> more.</item>
/// <item>Only RSA signature keys of at least 2048 bits with a <c>kid</c> are kept; symmetric (<c>oct</c>),
/// EC and encryption (<c>use: enc</c>) keys are ignored.</item>
/// </list>
/// </remarks>
internal sealed class GatewaySigningKeyCache
{
    internal const int MaxJwksBytes = 512 * 1024;
    private const int MinimumRsaKeySizeInBits = 2048;

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly TimeSpan _refreshInterval;
    private readonly TimeSpan _refetchMinInterval;
    private readonly TimeSpan _usableFor;
    private readonly Lock _gate = new();

    private KeySnapshot? _snapshot;
    private Task<KeySnapshot?>? _inflight;
    private DateTimeOffset _lastAttempt = DateTimeOffset.MinValue;
    private long _fetchCount;
    private readonly CallbackMetrics? _metrics;
    private volatile FetchFailure? _lastFailure;
    private readonly CancellationToken _stopping;

    public GatewaySigningKeyCache(
        IOptions<AbdmProfileShareOptions> options,
        IHttpClientFactory httpClientFactory,
        TimeProvider timeProvider,
        ILogger<GatewaySigningKeyCache> logger,
        IMeterFactory? meterFactory = null,
        IHostApplicationLifetime? lifetime = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var value = options.Value;
        var callbacks = value.Callbacks ?? new CallbackOptions();
        _httpClientFactory = httpClientFactory;
        _timeProvider = timeProvider;
        _logger = logger;
        CertsUrl = value.GetCertsUrl();
        _refreshInterval = callbacks.KeysRefreshInterval;
        _refetchMinInterval = callbacks.KeysRefetchMinInterval;
        _usableFor = callbacks.KeysRefreshInterval + callbacks.StaleKeysGracePeriod;
        _metrics = meterFactory is null ? null : CallbackMetrics.For(meterFactory);
        _stopping = lifetime?.ApplicationStopping ?? CancellationToken.None;
    }

    /// <summary>Where the keys are fetched from.</summary>
    public Uri CertsUrl { get; }

    /// <summary>JWKS fetches started so far (for tests and diagnostics).</summary>
    internal long FetchCount => Interlocked.Read(ref _fetchCount);

    /// <summary>
    /// Raised after each successful fetch with the key ids the JWKS now lists, so trust derived from a key that left
    /// it (cached validated tokens) can be dropped.
    /// </summary>
    public event Action<IReadOnlySet<string>>? KeysReplaced;

    /// <summary>How long a caller should wait before a fetch may be tried again (the <c>Retry-After</c> of a 503).</summary>
    public TimeSpan RetryAfter => _refetchMinInterval;

    /// <summary>
    /// Whether the usable key set still lists <paramref name="keyId"/> (for a token validated earlier). Starts the
    /// background refresh when it is due, as <see cref="GetKeyAsync"/> does, so cached tokens do not keep a revoked key
    /// alive.
    /// </summary>
    public bool Holds(string keyId)
    {
        var now = _timeProvider.GetUtcNow();
        var snapshot = Volatile.Read(ref _snapshot);
        if (!IsUsable(snapshot, now) || !snapshot!.Keys.ContainsKey(keyId))
        {
            return false;
        }

        if (now - snapshot.FetchedAt >= _refreshInterval)
        {
            _ = StartFetch(now, out _);
        }

        return true;
    }

    /// <summary>The fetch in flight, if any (tests await it to observe a background refresh).</summary>
    internal Task PendingFetch => Volatile.Read(ref _inflight) ?? Task.CompletedTask;

    /// <summary>Finds the signing key named <paramref name="keyId"/>, fetching the gateway's keys when needed.</summary>
    public async ValueTask<(SigningKeyStatus Status, SecurityKey? Key)> GetKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        var snapshot = Volatile.Read(ref _snapshot);
        if (IsUsable(snapshot, now) && snapshot!.Keys.TryGetValue(keyId, out var known))
        {
            if (now - snapshot.FetchedAt >= _refreshInterval)
            {
                // Due for refresh: answer from the known keys now and refresh in the background, so no callback
                // waits for (or fails with) the gateway's JWKS endpoint.
                _ = StartFetch(now, out _);
            }

            return (SigningKeyStatus.Found, known);
        }

        // Unknown kid in a usable set, or no usable set: fetch (rate-limited, shared) and wait for it.
        var fetch = StartFetch(now, out var started);
        if (started && IsUsable(snapshot, now))
        {
            SecurityLog.UnknownKeyIdRefetch(_logger);
        }

        if (fetch is not null)
        {
            await fetch.WaitAsync(cancellationToken).ConfigureAwait(false);
            now = _timeProvider.GetUtcNow();
            snapshot = Volatile.Read(ref _snapshot);
        }
        else
        {
            SecurityLog.RefetchRateLimited(_logger, _refetchMinInterval.TotalSeconds);
        }

        if (!IsUsable(snapshot, now))
        {
            return (SigningKeyStatus.KeysUnavailable, null);
        }

        return snapshot!.Keys.TryGetValue(keyId, out var key)
            ? (SigningKeyStatus.Found, key)
            : (SigningKeyStatus.UnknownKeyId, null);
    }

    private bool IsUsable(KeySnapshot? snapshot, DateTimeOffset now) =>
        snapshot is not null && now - snapshot.FetchedAt < _usableFor;

    /// <summary>Joins the fetch in flight, or starts one unless the last one started less than KeysRefetchMinInterval ago.</summary>
    private Task<KeySnapshot?>? StartFetch(DateTimeOffset now, out bool started)
    {
        started = false;
        lock (_gate)
        {
            if (_inflight is not null)
            {
                return _inflight;
            }

            if (_lastAttempt != DateTimeOffset.MinValue && now - _lastAttempt < _refetchMinInterval)
            {
                return null;
            }

            _lastAttempt = now;
            Interlocked.Increment(ref _fetchCount);
            var task = FetchAsync();
            _inflight = task;
            started = true;
            return task;
        }
    }

    private async Task<KeySnapshot?> FetchAsync()
    {
        // Leave the caller's lock before any work; the fetch belongs to no single caller (no caller token).
        await Task.Yield();
        try
        {
            using var client = _httpClientFactory.CreateClient(AbdmProfileShareBuilder.CertsHttpClientName);
            client.MaxResponseContentBufferSize = MaxJwksBytes;
            using var response = await client.GetAsync(CertsUrl, CancellationToken.None).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return Failed(string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode}"), null, "http_error");
            }

            var json = await response.Content.ReadAsStringAsync(CancellationToken.None).ConfigureAwait(false);
            var keys = ParseKeys(json);
            if (keys.Count == 0)
            {
                return Failed("the JWKS holds no usable RSA signing key", null, "invalid");
            }

            var snapshot = new KeySnapshot(keys, _timeProvider.GetUtcNow());
            Volatile.Write(ref _snapshot, snapshot);
            _lastFailure = null;
            _metrics?.JwksFetch("success", null);
            SecurityLog.SigningKeysFetched(_logger, CertsUrl, keys.Count);
            KeysReplaced?.Invoke(new HashSet<string>(keys.Keys, StringComparer.Ordinal));
            return snapshot;
        }
        catch (AbdmGatewayException ex)
        {
            // On v3 the certs client first needs a session token: a gateway (or session) outage surfaces here, from
            // the session handler. Callers await this task: it must not fault, or the outage would become a 500.
            var reason = ex.StatusCode is { } status
                ? string.Create(CultureInfo.InvariantCulture, $"session: HTTP {(int)status}")
                : "session: " + (ex.InnerException?.GetType().Name ?? "unreachable");
            return Failed(reason, ex, ex.IsTransient || ex.StatusCode is null ? "unreachable" : "http_error");
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The host is stopping: the certs client's calls end with it. Not a failure of the gateway.
            return null;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or TimeoutException or ArgumentException
            or InvalidOperationException or FormatException or CryptographicException or System.Text.Json.JsonException
            or Polly.ExecutionRejectedException)
        {
            // Callers await this task: it must not fault, or a gateway hiccup would become a 500.
            var unreachable = ex is HttpRequestException or OperationCanceledException or TimeoutException or Polly.ExecutionRejectedException;
            return Failed(ex.GetType().Name, ex, unreachable ? "unreachable" : "invalid");
        }
        finally
        {
            lock (_gate)
            {
                _inflight = null;
            }
        }
    }

    private KeySnapshot? Failed(string reason, Exception? exception, string category)
    {
        _lastFailure = new FetchFailure(_timeProvider.GetUtcNow(), reason);
        _metrics?.JwksFetch("failure", category);
        SecurityLog.SigningKeysFetchFailed(_logger, CertsUrl, reason, exception);
        var known = Volatile.Read(ref _snapshot);
        if (known is not null)
        {
            var age = _timeProvider.GetUtcNow() - known.FetchedAt;
            if (age >= _refreshInterval && age < _usableFor)
            {
                SecurityLog.UsingStaleSigningKeys(_logger, age.TotalMinutes);
            }
        }

        return null;
    }

    private Dictionary<string, SecurityKey> ParseKeys(string json)
    {
        var set = new JsonWebKeySet(json);
        var keys = new Dictionary<string, SecurityKey>(StringComparer.Ordinal);
        foreach (var jwk in set.Keys)
        {
            if (!string.Equals(jwk.Kty, JsonWebAlgorithmsKeyTypes.RSA, StringComparison.Ordinal))
            {
                SecurityLog.SigningKeySkipped(_logger, "not an RSA key");
                continue;
            }

            if (string.IsNullOrEmpty(jwk.Kid))
            {
                SecurityLog.SigningKeySkipped(_logger, "no kid");
                continue;
            }

            if (!string.IsNullOrEmpty(jwk.Use) && !string.Equals(jwk.Use, JsonWebKeyUseNames.Sig, StringComparison.Ordinal))
            {
                SecurityLog.SigningKeySkipped(_logger, "not a signature key");
                continue;
            }

            if (string.IsNullOrEmpty(jwk.N) || string.IsNullOrEmpty(jwk.E))
            {
                SecurityLog.SigningKeySkipped(_logger, "no RSA modulus or exponent");
                continue;
            }

            var key = new RsaSecurityKey(new RSAParameters
            {
                Modulus = Base64UrlEncoder.DecodeBytes(jwk.N),
                Exponent = Base64UrlEncoder.DecodeBytes(jwk.E),
            })
            {
                KeyId = jwk.Kid,
            };

            if (key.KeySize < MinimumRsaKeySizeInBits)
            {
                SecurityLog.SigningKeySkipped(_logger, $"RSA key shorter than {MinimumRsaKeySizeInBits} bits");
                continue;
            }

            keys.TryAdd(jwk.Kid, key);
        }

        return keys;
    }

    /// <summary>
    /// The keys' state for the JWKS health check (<see cref="GatewaySigningKeysHealthCheck"/>), from what the cache knows (no fetch): healthy with fresh keys (or
    /// before the first callback needed any), degraded while stale keys are used because a refresh failed, unhealthy
    /// when no key is usable and the latest fetch failed.
    /// </summary>
    public HealthCheckResult GetHealth()
    {
        var now = _timeProvider.GetUtcNow();
        var snapshot = Volatile.Read(ref _snapshot);
        var failure = _lastFailure;
        var data = new Dictionary<string, object> { ["certs_url"] = CertsUrl.ToString() };
        if (snapshot is not null)
        {
            data["key_count"] = snapshot.Keys.Count;
            data["fetched_at"] = snapshot.FetchedAt.ToString("O", CultureInfo.InvariantCulture);
        }

        if (failure is not null)
        {
            data["last_failure"] = failure.Reason;
            data["last_failure_at"] = failure.At.ToString("O", CultureInfo.InvariantCulture);
        }

        var failedSince = failure is not null && (snapshot is null || failure.At >= snapshot.FetchedAt);
        if (IsUsable(snapshot, now))
        {
            var age = now - snapshot!.FetchedAt;
            return failedSince && age >= _refreshInterval
                ? HealthCheckResult.Degraded(string.Create(CultureInfo.InvariantCulture,
                    $"Using gateway signing keys {age.TotalMinutes:F0} min old: refreshing them failed ({failure!.Reason}); they stay usable for {(_usableFor - age).TotalMinutes:F0} min more."), data: data)
                : HealthCheckResult.Healthy(string.Create(CultureInfo.InvariantCulture, $"{snapshot.Keys.Count} gateway signing key(s), fetched {age.TotalMinutes:F0} min ago."), data);
        }

        if (failedSince)
        {
            return HealthCheckResult.Unhealthy($"No usable gateway signing keys: fetching {CertsUrl} failed ({failure!.Reason}); callbacks are answered 503 (Retry-After) until the keys can be fetched.", data: data);
        }

        return snapshot is null
            ? HealthCheckResult.Healthy("The gateway signing keys are fetched when the first callback arrives.", data)
            : HealthCheckResult.Degraded("The gateway signing keys expired unused; they are fetched again when the next callback arrives.", data: data);
    }

    private sealed record KeySnapshot(Dictionary<string, SecurityKey> Keys, DateTimeOffset FetchedAt);

    private sealed record FetchFailure(DateTimeOffset At, string Reason);
}
