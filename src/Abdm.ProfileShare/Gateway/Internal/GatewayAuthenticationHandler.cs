using System.Net;
using System.Net.Http.Headers;
using Abdm.ProfileShare.Internal;
using Microsoft.Extensions.Logging;

namespace Abdm.ProfileShare.Gateway.Internal;

/// <summary>
/// Puts the session token on every gateway call and, when the gateway refuses it (HTTP 401, or WSO2 code
/// 900901 "invalid or expired credentials"), drops it and sends the call once more with a fresh token.
/// </summary>
internal sealed class GatewayAuthenticationHandler : DelegatingHandler
{
    private readonly IGatewaySessionTokenProvider _tokens;
    private readonly ILogger<GatewayAuthenticationHandler> _logger;

    public GatewayAuthenticationHandler(IGatewaySessionTokenProvider tokens, ILogger<GatewayAuthenticationHandler> logger)
    {
        _tokens = tokens;
        _logger = logger;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
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
