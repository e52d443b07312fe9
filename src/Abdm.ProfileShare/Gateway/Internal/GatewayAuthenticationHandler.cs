using System.Net;
using System.Net.Http.Headers;
using Abdm.ProfileShare.Internal;
using Abdm.ProfileShare.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Gateway.Internal;

/// <summary>
/// Puts the session token on every gateway call and, when the gateway refuses it (HTTP 401, or WSO2 code
/// 900901 "invalid or expired credentials"), drops it and sends the call once more with a fresh token. On the v3
/// wire it also sets the standard headers (<c>REQUEST-ID</c> unless the call set it, <c>TIMESTAMP</c>, <c>X-CM-ID</c>
/// unless the call set it).
/// </summary>
internal class GatewayAuthenticationHandler : DelegatingHandler
{
    private readonly IGatewaySessionTokenProvider _tokens;
    private readonly ILogger<GatewayAuthenticationHandler> _logger;
    private readonly IOptionsMonitor<AbdmProfileShareOptions> _options;
    private readonly TimeProvider _timeProvider;

    public GatewayAuthenticationHandler(IGatewaySessionTokenProvider tokens, ILogger<GatewayAuthenticationHandler> logger, IOptionsMonitor<AbdmProfileShareOptions> options, TimeProvider timeProvider)
    {
        _tokens = tokens;
        _logger = logger;
        _options = options;
        _timeProvider = timeProvider;
    }

    /// <summary>Whether this handler authenticates requests under the current options (always, for gateway calls).</summary>
    protected virtual bool Applies(AbdmProfileShareOptions options) => true;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var options = _options.CurrentValue;
        if (!Applies(options))
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        if (options.WireVersion == WireVersion.V3)
        {
            GatewayV3Headers.Apply(request, null, _timeProvider.GetUtcNow(), options.Gateway.DefaultConsentManagerId);
        }

        var token = await _tokens.GetAccessTokenAsync(cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!await IsRefusedTokenAsync(response, cancellationToken).ConfigureAwait(false))
        {
            return response;
        }

        Log.SessionTokenRefused(_logger, request.RequestUri?.AbsolutePath ?? "", (int)response.StatusCode);
        response.Dispose();
        _tokens.Invalidate(token);
        token = await _tokens.GetAccessTokenAsync(cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<bool> IsRefusedTokenAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            return true;
        }

        if ((int)response.StatusCode is < 400 or >= 500 || response.Content.Headers.ContentLength is 0)
        {
            return false;
        }

        await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return GatewayErrorParser.Parse(body).Code == GatewayErrorParser.InvalidCredentialsCode;
    }
}

/// <summary>
/// The certs (JWKS) client's handler: the v0.5 JWKS is public, so it does nothing there; the v3 JWKS answers 401
/// without the session token and the standard headers, so on v3 it adds them like every gateway call.
/// </summary>
internal sealed class GatewayCertsHandler : GatewayAuthenticationHandler
{
    public GatewayCertsHandler(IGatewaySessionTokenProvider tokens, ILogger<GatewayAuthenticationHandler> logger, IOptionsMonitor<AbdmProfileShareOptions> options, TimeProvider timeProvider)
        : base(tokens, logger, options, timeProvider)
    {
    }

    protected override bool Applies(AbdmProfileShareOptions options) => options.WireVersion == WireVersion.V3;
}
