using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Abdm.ProfileShare.Diagnostics.Internal;
using Abdm.ProfileShare.Internal;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Wire;
using Abdm.ProfileShare.Wire.V3;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Gateway.Internal;

/// <summary>The typed gateway client (see <see cref="IAbdmGatewayClient"/>).</summary>
internal sealed partial class AbdmGatewayClient : IAbdmGatewayClient
{
    private readonly HttpClient _http;
    private readonly IOptionsMonitor<AbdmProfileShareOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<AbdmGatewayClient> _logger;
    private readonly AbdmMetrics _metrics;
    private readonly GatewayOutageTracker _outage;

    public AbdmGatewayClient(HttpClient http, IOptionsMonitor<AbdmProfileShareOptions> options, TimeProvider timeProvider, ILogger<AbdmGatewayClient> logger, AbdmMetrics metrics, GatewayOutageTracker outage)
    {
        _http = http;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _metrics = metrics;
        _outage = outage;
    }

    public Task SendShareAcknowledgementAsync(ShareAcknowledgement acknowledgement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(acknowledgement);
        var timestamp = _timeProvider.GetUtcNow();
        var cmId = ConsentManagerFor(acknowledgement.HealthId);
        if (acknowledgement.WireVersion == WireVersion.V3)
        {
            return SendShareAcknowledgementV3Async(acknowledgement, cmId, cancellationToken);
        }

        var status = acknowledgement.Success ? ShareProfileStatus.SUCCESS : ShareProfileStatus.FAILURE;
        var code = int.TryParse(acknowledgement.ErrorCode, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var numeric) ? numeric : DefaultErrorCodeV05;
        var error = acknowledgement.Success ? null : new Error { Code = code, Message = acknowledgement.ErrorMessage };
        var resp = new RequestReference { RequestId = acknowledgement.ShareRequestId };

        if (acknowledgement.WireVersion == WireVersion.V10)
        {
            var body = new ShareProfileResultV1
            {
                RequestId = acknowledgement.RequestId,
                Timestamp = timestamp,
                Acknowledgement = new ShareProfileAcknowledgementV1
                {
                    Status = status,
                    HealthId = acknowledgement.HealthId,
                    TokenNumber = acknowledgement.TokenNumber ?? "",
                },
                Error = error,
                Resp = resp,
            };
            return PostAsync(GatewayEndpoints.OnShareV10, acknowledgement.RequestId, cmId, body, AbdmJsonContext.Default.ShareProfileResultV1, cancellationToken);
        }

        var v05 = new ShareProfileResult
        {
            RequestId = acknowledgement.RequestId,
            Timestamp = timestamp,
            Acknowledgement = new ShareProfileAcknowledgement { Status = status, HealthId = acknowledgement.HealthId },
            Error = error,
            Resp = resp,
        };
        return PostAsync(GatewayEndpoints.OnShareV05, acknowledgement.RequestId, cmId, v05, AbdmJsonContext.Default.ShareProfileResult, cancellationToken);
    }

    /// <summary>The v0.5 error code of a FAILURE on-share (the code the specification gives).</summary>
    private const int DefaultErrorCodeV05 = 1000;

    /// <summary>
    /// v3 on-share, following NHA's prose: <c>response</c> always; on SUCCESS the acknowledgement with the token and its
    /// remaining validity; on FAILED the acknowledgement (status FAILED, the ABHA address) and an <c>error</c> with a
    /// string code, and no <c>profile</c>: a refused share has no token for the phone to show, so no
    /// <c>tokenNumber</c>, <c>context</c> or <c>expiry</c> is sent even when the entry holds a number (the portal: the
    /// token or the error, never both).
    /// </summary>
    private Task SendShareAcknowledgementV3Async(ShareAcknowledgement acknowledgement, string cmId, CancellationToken cancellationToken)
    {
        var options = _options.CurrentValue;
        var profile = acknowledgement.Success && acknowledgement.TokenNumber is { Length: > 0 } token && acknowledgement.CounterCode is { Length: > 0 } counter
            ? new OnShareProfileV3 { Context = counter, TokenNumber = token, Expiry = ExpiryValue(acknowledgement.TokenExpiresIn, options.V3.ExpiryUnit) }
            : null;
        if (acknowledgement.Success && profile is null)
        {
            throw new ArgumentException("A v3 SUCCESS on-share needs the token number and the counter id (acknowledgement.profile).", nameof(acknowledgement));
        }

        var body = new OnShareV3Request
        {
            Acknowledgement = new OnShareAcknowledgementV3
            {
                Status = acknowledgement.Success ? "SUCCESS" : "FAILED",
                AbhaAddress = acknowledgement.HealthId,
                Profile = profile,
            },
            Error = acknowledgement.Success ? null : new ErrorV3
            {
                Code = string.IsNullOrWhiteSpace(acknowledgement.ErrorCode) || int.TryParse(acknowledgement.ErrorCode, out _)
                    ? options.V3.RejectionErrorCode
                    : acknowledgement.ErrorCode,
                Message = acknowledgement.ErrorMessage,
            },
            Response = new ResponseReferenceV3 { RequestId = acknowledgement.ShareRequestId },
        };
        return PostAsync(GatewayEndpoints.OnShareV3, acknowledgement.RequestId, cmId, body, AbdmV3JsonContext.Default.OnShareV3Request, cancellationToken, v3: true);
    }

    /// <summary>The token's remaining validity as the on-share <c>expiry</c>: whole seconds (rounded down) or minutes (rounded up), never negative.</summary>
    internal static long ExpiryValue(TimeSpan? remaining, TokenExpiryUnit unit)
    {
        var left = remaining is { } value && value > TimeSpan.Zero ? value : TimeSpan.Zero;
        return unit == TokenExpiryUnit.Minutes ? (long)Math.Ceiling(left.TotalMinutes) : (long)Math.Floor(left.TotalSeconds);
    }

    public Task RequestLinkTokenAsync(LinkTokenRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var profile = request.Profile;
        var body = new GenerateLinkTokenV3Request
        {
            AbhaNumber = AbhaNumberDigits(profile.AbhaNumber),
            AbhaAddress = profile.HealthId,
            Name = profile.Name,
            Gender = WireMapping.ToWireV3(profile.Gender),
            YearOfBirth = profile.YearOfBirth,
        };
        return PostAsync(GatewayEndpoints.GenerateTokenV3, request.RequestId, ConsentManagerFor(profile.HealthId), body, AbdmV3JsonContext.Default.GenerateLinkTokenV3Request,
            cancellationToken, v3: true, hipId: request.HipId);
    }

    /// <summary>The ABHA number as the number generate-token takes: its 14 digits (the dashed form is refused by the sandbox).</summary>
    internal static long? AbhaNumberDigits(string? abhaNumber)
    {
        if (string.IsNullOrWhiteSpace(abhaNumber))
        {
            return null;
        }

        Span<char> digits = stackalloc char[14];
        var count = 0;
        foreach (var c in abhaNumber)
        {
            if (char.IsAsciiDigit(c))
            {
                if (count == digits.Length)
                {
                    return null;
                }

                digits[count++] = c;
            }
            else if (c is not ('-' or ' '))
            {
                return null;
            }
        }

        return count == digits.Length ? long.Parse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    public Task InitLinkingAuthAsync(LinkingAuthInit request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = new PatientAuthInitRequest
        {
            RequestId = request.RequestId,
            Timestamp = _timeProvider.GetUtcNow(),
            Query = new PatientAuthInitQuery
            {
                Id = request.HealthId,
                Purpose = PatientAuthPurpose.LINK,
                AuthMode = AuthenticationMode.DEMOGRAPHICS,
                Requester = new PatientAuthRequester { Type = RequesterType.HIP, Id = request.HipId },
            },
        };
        return PostAsync(GatewayEndpoints.AuthInit, request.RequestId, ConsentManagerFor(request.HealthId), body, AbdmJsonContext.Default.PatientAuthInitRequest, cancellationToken);
    }

    public Task ConfirmDemographicAuthAsync(DemographicAuthConfirm request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var profile = request.Profile;
        var mobile = MobileOf(profile);
        var body = new PatientAuthConfirmRequest
        {
            RequestId = request.RequestId,
            Timestamp = _timeProvider.GetUtcNow(),
            TransactionId = request.TransactionId,
            Credential = new AuthConfirmCredential
            {
                Demographic = new PatientDemographic
                {
                    Name = profile.Name,
                    Gender = WireMapping.ToWire(profile.Gender),
                    DateOfBirth = profile.AuthDateOfBirth,
                    Identifier = mobile is null ? null : new AuthConfirmIdentifier { Type = AuthConfirmIdentifierType.MOBILE, Value = mobile },
                },
            },
        };
        return PostAsync(GatewayEndpoints.AuthConfirm, request.RequestId, ConsentManagerFor(profile.HealthId), body, AbdmJsonContext.Default.PatientAuthConfirmRequest, cancellationToken);
    }

    public async Task<IReadOnlyList<GatewaySigningKey>> GetCertsAsync(CancellationToken cancellationToken = default)
    {
        var options = _options.CurrentValue;
        var path = GatewayEndpoints.CertsPath(options.WireVersion);
        var uri = GatewayEndpoints.Combine(GatewayEndpoints.BaseUrl(options), path);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Accept.Add(GatewayContent.JsonMediaType);
        using var response = await SendAsync(request, path, null, cancellationToken).ConfigureAwait(false);
        try
        {
            var certs = await response.Content.ReadFromJsonAsync(AbdmJsonContext.Default.Certs, cancellationToken).ConfigureAwait(false);
            return certs?.Keys is { } keys ? [.. keys.Where(k => k is not null).Select(WireMapping.FromWire)] : [];
        }
        catch (JsonException ex)
        {
            throw new AbdmGatewayException(path, null, response.StatusCode, null, "The certs response is not a valid JWKS.", isTransient: false, ex);
        }
    }

    /// <summary>
    /// The mobile as shared: <see cref="SharedPatientProfile.Mobile"/>, else the value of the identifier whose type is
    /// <c>MOBILE</c> (never the first identifier by position), else none.
    /// </summary>
    private static string? MobileOf(SharedPatientProfile profile)
    {
        if (!string.IsNullOrWhiteSpace(profile.Mobile))
        {
            return profile.Mobile;
        }

        if (profile.Identifiers is { } identifiers)
        {
            foreach (var identifier in identifiers)
            {
                if (string.Equals(identifier.Type, "MOBILE", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(identifier.Value))
                {
                    return identifier.Value;
                }
            }
        }

        return null;
    }

    private string ConsentManagerFor(string healthId) =>
        ConsentManager.FromHealthId(healthId) ?? _options.CurrentValue.Gateway.DefaultConsentManagerId;

    private async Task PostAsync<T>(string path, Guid requestId, string cmId, T body, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken, bool v3 = false, string? hipId = null)
    {
        var uri = GatewayEndpoints.Combine(GatewayEndpoints.BaseUrl(_options.CurrentValue), path);
        using var request = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = GatewayContent.Json(JsonSerializer.SerializeToUtf8Bytes(body, typeInfo)),
        };
        request.Headers.Accept.Add(GatewayContent.JsonMediaType);
        if (v3)
        {
            // v3 carries the requestId and timestamp in headers; REQUEST-ID stays the same on every retry of this call.
            GatewayV3Headers.Apply(request, requestId, _timeProvider.GetUtcNow(), cmId);
            if (hipId is not null)
            {
                request.Headers.TryAddWithoutValidation(GatewayV3Headers.HipId, hipId);
            }
        }
        else
        {
            request.Headers.TryAddWithoutValidation("X-CM-ID", cmId);
        }

        using var response = await SendAsync(request, path, requestId, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string path, Guid? requestId, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        catch (AbdmGatewayException)
        {
            throw;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or TimeoutException or Polly.ExecutionRejectedException)
        {
            Log.GatewayCallUnreachable(_logger, path, requestId, ex.GetType().Name);
            _metrics.GatewayCall(OperationName(path), "unavailable", null, _timeProvider.GetElapsedTime(started));
            _outage.Failed($"{path}: {ex.GetType().Name}");
            throw new AbdmGatewayException(path, requestId, null, null, null, isTransient: true, ex);
        }

        if (response.IsSuccessStatusCode)
        {
            _metrics.GatewayCall(OperationName(path), "success", null, _timeProvider.GetElapsedTime(started));
            _outage.Succeeded();
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                Log.GatewayCallAccepted(_logger, path, requestId, (int)response.StatusCode, _timeProvider.GetElapsedTime(started).TotalMilliseconds);
            }

            return response;
        }

        using (response)
        {
            var content = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var (code, message) = GatewayErrorParser.Parse(content);
            var transient = GatewayErrorParser.IsTransient(response.StatusCode);
            Log.GatewayCallRejected(_logger, transient ? LogLevel.Debug : LogLevel.Warning, path, requestId, (int)response.StatusCode, code);
            _metrics.GatewayCall(OperationName(path), transient ? "unavailable" : "rejected", code, _timeProvider.GetElapsedTime(started));
            if (transient)
            {
                _outage.Failed(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{path}: HTTP {(int)response.StatusCode}{(code is null ? "" : ", code " + code)}"));
            }
            else
            {
                _outage.Succeeded(); // it answered: reachable
            }

            throw new AbdmGatewayException(path, requestId, response.StatusCode, code, message, transient);
        }
    }

    /// <summary>The <c>abdm.operation</c> tag of a gateway path.</summary>
    private static string OperationName(string path) => path switch
    {
        GatewayEndpoints.OnShareV05 or GatewayEndpoints.OnShareV10 or GatewayEndpoints.OnShareV3 => "on_share",
        GatewayEndpoints.AuthInit => "auth_init",
        GatewayEndpoints.AuthConfirm => "auth_confirm",
        GatewayEndpoints.GenerateTokenV3 => "generate_token",
        GatewayEndpoints.Certs or GatewayEndpoints.CertsV3 => "certs",
        _ => "other",
    };
}
