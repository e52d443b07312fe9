using System.Buffers.Text;
using System.Net;
using System.Text.Json;
using Abdm.ProfileShare.Diagnostics.Internal;
using Abdm.ProfileShare.Internal;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Gateway.Internal;

/// <summary>
/// Caches the gateway session token until <c>expiresIn</c> minus the refresh margin; one fetch in flight at a
/// time, shared by every waiting caller. The client secret and tokens are never logged.
/// </summary>
internal sealed class GatewaySessionTokenProvider : IGatewaySessionTokenProvider
{
    private static readonly TimeSpan FallbackLifetime = TimeSpan.FromMinutes(5);

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly IOptionsMonitor<AbdmProfileShareOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<GatewaySessionTokenProvider> _logger;
    private readonly AbdmMetrics _metrics;
    private readonly GatewayOutageTracker _outage;
    private readonly BackgroundCalls _background;
    private readonly Lock _gate = new();
    private CachedToken? _current;
    private Task<CachedToken>? _inflight;
    private volatile SessionRequestOutcome? _lastOutcome;

    public GatewaySessionTokenProvider(IHttpClientFactory httpClientFactory, IOptionsMonitor<AbdmProfileShareOptions> options, TimeProvider timeProvider, ILogger<GatewaySessionTokenProvider> logger, AbdmMetrics metrics, GatewayOutageTracker outage,
        BackgroundCalls background)
    {
        _httpClientFactory = httpClientFactory;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _metrics = metrics;
        _outage = outage;
        _background = background;
    }

    /// <summary>The latest session request's outcome (for the health check), or null before the first one.</summary>
    internal SessionRequestOutcome? LastOutcome => _lastOutcome;

    public ValueTask<string> GetAccessTokenAsync(CancellationToken cancellationToken = default)
    {
        Task<CachedToken> fetch;
        lock (_gate)
        {
            if (_current is { } current && _timeProvider.GetUtcNow() < current.RefreshAt)
            {
                return ValueTask.FromResult(current.AccessToken);
            }

            // Single flight: every caller waits on the same fetch; a caller's cancellation ends only its wait.
            _inflight ??= FetchAsync();
            fetch = _inflight;
        }

        return new ValueTask<string>(AwaitAsync(fetch, cancellationToken));
    }

    public void Invalidate(string accessToken)
    {
        lock (_gate)
        {
            if (_current is { } current && string.Equals(current.AccessToken, accessToken, StringComparison.Ordinal))
            {
                _current = null;
                Log.SessionTokenInvalidated(_logger);
            }
        }
    }

    private static async Task<string> AwaitAsync(Task<CachedToken> fetch, CancellationToken cancellationToken) =>
        (await fetch.WaitAsync(cancellationToken).ConfigureAwait(false)).AccessToken;

    private async Task<CachedToken> FetchAsync()
    {
        await Task.Yield();
        try
        {
            var token = await RequestAsync().ConfigureAwait(false);
            lock (_gate)
            {
                _current = token;
            }

            return token;
        }
        finally
        {
            lock (_gate)
            {
                _inflight = null;
            }
        }
    }

    private async Task<CachedToken> RequestAsync()
    {
        var options = _options.CurrentValue;
        var gateway = options.Gateway;
        var path = GatewayEndpoints.SessionsPath(options.WireVersion);
        var uri = GatewayEndpoints.Combine(GatewayEndpoints.BaseUrl(options), path);
        var body = JsonSerializer.SerializeToUtf8Bytes(
            new SessionRequest { ClientId = gateway.ClientId, ClientSecret = gateway.ClientSecret, GrantType = SessionGrantType.Client_credentials },
            AbdmJsonContext.Default.SessionRequest);

        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = GatewayContent.Json(body) };
        request.Headers.Accept.Add(GatewayContent.JsonMediaType);
        if (options.WireVersion == WireVersion.V3)
        {
            // v3 sessions need REQUEST-ID, TIMESTAMP and X-CM-ID; any 2xx with a body is success (the spec says 202,
            // NHA's own collection records 200).
            GatewayV3Headers.Apply(request, null, _timeProvider.GetUtcNow(), gateway.DefaultConsentManagerId);
        }

        var client = _httpClientFactory.CreateClient(GatewayEndpoints.SessionsClientName);
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_background.Stopping.IsCancellationRequested)
        {
            // The host is stopping (the request ends with it): not a gateway outage.
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or TimeoutException or Polly.ExecutionRejectedException)
        {
            Log.SessionRequestFailed(_logger, null, null, ex);
            Record(SessionRequestResult.Unreachable, null, null, $"{path}: {ex.GetType().Name}");
            throw new AbdmGatewayException(path, null, null, null, null, isTransient: true, ex);
        }

        using (response)
        {
            var content = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var (code, message) = GatewayErrorParser.Parse(content);
                message = Redact(message, gateway.ClientSecret);
                Log.SessionRequestFailed(_logger, (int)response.StatusCode, code, null);

                // The body of a session request is nothing but the credentials: a 400 is about them as much as a 401.
                var refused = response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                    || code == GatewayErrorParser.InvalidCredentialsCode;
                var transient = !refused && GatewayErrorParser.IsTransient(response.StatusCode);
                Record(refused ? SessionRequestResult.Refused : transient ? SessionRequestResult.Unreachable : SessionRequestResult.Failed, (int)response.StatusCode, code,
                    refused
                        ? $"{path}: the gateway refused the client credentials (HTTP {(int)response.StatusCode}{(code is null ? "" : ", code " + code)})"
                        : $"{path}: HTTP {(int)response.StatusCode}{(code is null ? "" : ", code " + code)}");
                if (refused)
                {
                    throw new AbdmGatewayException(path, null, response.StatusCode, code,
                        $"The gateway refused the client credentials; check {AbdmProfileShareOptions.SectionName}:Gateway:ClientId and {AbdmProfileShareOptions.SectionName}:Gateway:ClientSecret{(message is null ? "" : " (gateway: " + message + ")")}",
                        isTransient: false);
                }

                throw new AbdmGatewayException(path, null, response.StatusCode, code, message, transient);
            }

            SessionResponse? session;
            try
            {
                session = JsonSerializer.Deserialize(content, AbdmJsonContext.Default.SessionResponse);
            }
            catch (JsonException ex)
            {
                Record(SessionRequestResult.Failed, (int)response.StatusCode, null, $"{path}: the response is not valid JSON");
                throw new AbdmGatewayException(path, null, response.StatusCode, null, "The session response is not valid JSON.", isTransient: false, ex);
            }

            if (string.IsNullOrWhiteSpace(session?.AccessToken))
            {
                Record(SessionRequestResult.Failed, (int)response.StatusCode, null, $"{path}: the response has no accessToken");
                throw new AbdmGatewayException(path, null, response.StatusCode, null, "The session response has no accessToken.", isTransient: false);
            }

            var now = _timeProvider.GetUtcNow();
            var lifetime = session.ExpiresIn is { } seconds && seconds > 0 ? TimeSpan.FromSeconds(seconds) : LifetimeFromJwt(session.AccessToken, now) ?? FallbackLifetime;
            var margin = gateway.SessionRefreshMargin;
            if (margin > lifetime / 2)
            {
                margin = lifetime / 2;
            }

            Log.SessionTokenObtained(_logger, (int)lifetime.TotalSeconds);
            Record(SessionRequestResult.Obtained, (int)response.StatusCode, null, null);
            return new CachedToken(session.AccessToken, now + lifetime - margin);
        }
    }

    /// <summary>Keeps the outcome for the health check, counts it, and tells the outage tracker.</summary>
    private void Record(SessionRequestResult result, int? statusCode, string? errorCode, string? failure)
    {
        _lastOutcome = new SessionRequestOutcome(result, _timeProvider.GetUtcNow(), statusCode, errorCode);
        _metrics.SessionRefresh(result switch
        {
            SessionRequestResult.Obtained => "success",
            SessionRequestResult.Refused => "refused",
            SessionRequestResult.Unreachable => "unreachable",
            _ => "error",
        });
        if (failure is null)
        {
            _outage.Succeeded();
        }
        else
        {
            _outage.Failed(failure);
        }
    }

    /// <summary>Removes the client secret from a gateway message (a gateway or proxy may echo the request).</summary>
    private static string? Redact(string? message, string secret) =>
        message is null || string.IsNullOrEmpty(secret) ? message : message.Replace(secret, "***", StringComparison.Ordinal);

    /// <summary>Reads <c>exp</c> from an unverified JWT payload, only to schedule a refresh when <c>expiresIn</c> is missing.</summary>
    private static TimeSpan? LifetimeFromJwt(string token, DateTimeOffset now)
    {
        var parts = token.Split('.');
        if (parts.Length != 3 || parts[1].Length > 8192)
        {
            return null;
        }

        try
        {
            var payload = Base64Url.DecodeFromChars(parts[1]);
            using var document = JsonDocument.Parse(payload);
            if (document.RootElement.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds))
            {
                var lifetime = DateTimeOffset.FromUnixTimeSeconds(seconds) - now;
                return lifetime > TimeSpan.Zero ? lifetime : null;
            }
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }

        return null;
    }

    private sealed record CachedToken(string AccessToken, DateTimeOffset RefreshAt);
}
