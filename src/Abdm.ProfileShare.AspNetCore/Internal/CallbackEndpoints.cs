using Abdm.ProfileShare.AspNetCore.Security;
using Abdm.ProfileShare.AspNetCore.Security.Internal;
using Abdm.ProfileShare.Diagnostics.Internal;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Abdm.ProfileShare.Gateway.Internal;
using Abdm.ProfileShare.Wire;
using Abdm.ProfileShare.Wire.V3;
using Abdm.ProfileShare.Workflow.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.AspNetCore.Internal;

/// <summary>
/// The HIP callback handlers. Each is small: authenticate, check the facility, read the body within limits,
/// persist through the workflow, answer. Nothing slow happens here: the host's decision, the directory lookup and
/// every gateway call run later in the outbox processor.
/// </summary>
internal sealed class CallbackEndpoints
{
    private readonly ProfileShareWorkflow _workflow;
    private readonly IProfileShareStore _store;
    private readonly IGatewayCallbackAuthenticator _authenticator;
    private readonly IOptionsMonitor<AbdmProfileShareOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<CallbackEndpoints> _logger;
    private readonly AbdmMetrics _metrics;

    public CallbackEndpoints(ProfileShareWorkflow workflow, IProfileShareStore store, IGatewayCallbackAuthenticator authenticator, IOptionsMonitor<AbdmProfileShareOptions> options, TimeProvider timeProvider, ILogger<CallbackEndpoints> logger, AbdmMetrics metrics)
    {
        _workflow = workflow;
        _store = store;
        _authenticator = authenticator;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _metrics = metrics;
    }

    public Task ShareV05Async(HttpContext context) =>
        ShareAsync(context, WireVersion.V05, AbdmJsonContext.Default.ShareProfileRequest, (share, hip, ct) => _workflow.AcceptShareAsync(share, hip, ct));

    public Task ShareV10Async(HttpContext context) =>
        ShareAsync(context, WireVersion.V10, AbdmJsonContext.Default.ShareProfileRequestV1, (share, hip, ct) => _workflow.AcceptShareAsync(share, hip, ct));

    /// <summary>
    /// v3 share (<c>POST /api/v3/hip/patient/share</c>): the <c>REQUEST-ID</c> header is the idempotency key and the
    /// on-share's <c>response.requestId</c>; answered 200 (the status NHA's spec declares), errors in the v3 shape.
    /// </summary>
    public Task ShareV3Async(HttpContext context) =>
        ShareAsync(context, WireVersion.V3, AbdmV3JsonContext.Default.ShareProfileV3Request,
            (share, hip, ct) => _workflow.AcceptShareAsync(share, RequestIdOf(context), hip, ct));

    /// <summary>v3 <c>POST /api/v3/hip/token/on-generate-token</c>: the link token (or error) for a generate-token call; answered 200.</summary>
    public async Task OnGenerateTokenAsync(HttpContext context)
    {
        var (hipId, refusal, authentication) = await AuthenticateAndCheckHipAsync(context, v3: true, lateAllowed: true).ConfigureAwait(false);
        if (hipId is null)
        {
            _metrics.CallbackReceived("on_generate_token", refusal);
            return;
        }

        var body = await CallbackBodyReader.ReadAsync(context.Request, AbdmV3JsonContext.Default.OnGenerateLinkTokenV3Request, _options.CurrentValue.Callbacks, context.RequestAborted).ConfigureAwait(false);
        if (!await AcceptLateAsync(context, authentication, body.StatusCode == 0 ? body.Value!.Response?.RequestId : null, CorrelationKind.LinkToken, hipId, "on-generate-token", v3: true).ConfigureAwait(false))
        {
            _metrics.CallbackReceived("on_generate_token", "unauthorized");
            return;
        }

        if (body.StatusCode != 0)
        {
            _metrics.CallbackReceived("on_generate_token", "invalid");
            await WriteErrorAsync(context, body.StatusCode, body.Error, v3: true).ConfigureAwait(false);
            return;
        }

        var outcome = await _workflow.HandleOnGenerateTokenAsync(body.Value!, hipId, CancellationToken.None).ConfigureAwait(false);
        _metrics.CallbackReceived("on_generate_token", OutcomeName(outcome));
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>The v3 <c>REQUEST-ID</c> header as a UUID; <see cref="Guid.Empty"/> when missing or not a UUID (refused, naming the header).</summary>
    private static Guid RequestIdOf(HttpContext context) =>
        Guid.TryParse(context.Request.Headers[GatewayV3Headers.RequestId].ToString(), out var id) ? id : Guid.Empty;

    public async Task AuthOnInitAsync(HttpContext context)
    {
        var (hipId, refusal, authentication) = await AuthenticateAndCheckHipAsync(context, lateAllowed: true).ConfigureAwait(false);
        if (hipId is null)
        {
            _metrics.CallbackReceived("on_init", refusal);
            return;
        }

        var body = await CallbackBodyReader.ReadAsync(context.Request, AbdmJsonContext.Default.PatientAuthInitResponse, _options.CurrentValue.Callbacks, context.RequestAborted).ConfigureAwait(false);
        if (!await AcceptLateAsync(context, authentication, body.StatusCode == 0 ? body.Value!.Resp?.RequestId : null, CorrelationKind.AuthInit, hipId, "on-init").ConfigureAwait(false))
        {
            _metrics.CallbackReceived("on_init", "unauthorized");
            return;
        }

        if (body.StatusCode != 0)
        {
            _metrics.CallbackReceived("on_init", "invalid");
            await WriteErrorAsync(context, body.StatusCode, body.Error).ConfigureAwait(false);
            return;
        }

        var outcome = await _workflow.HandleAuthOnInitAsync(body.Value!, hipId, CancellationToken.None).ConfigureAwait(false);
        _metrics.CallbackReceived("on_init", OutcomeName(outcome));
        context.Response.StatusCode = StatusCodes.Status202Accepted;
    }

    public async Task AuthOnConfirmAsync(HttpContext context)
    {
        var (hipId, refusal, authentication) = await AuthenticateAndCheckHipAsync(context, lateAllowed: true).ConfigureAwait(false);
        if (hipId is null)
        {
            _metrics.CallbackReceived("on_confirm", refusal);
            return;
        }

        var body = await CallbackBodyReader.ReadAsync(context.Request, AbdmJsonContext.Default.PatientAuthConfirmResponse, _options.CurrentValue.Callbacks, context.RequestAborted).ConfigureAwait(false);
        if (!await AcceptLateAsync(context, authentication, body.StatusCode == 0 ? body.Value!.Resp?.RequestId : null, CorrelationKind.AuthConfirm, hipId, "on-confirm").ConfigureAwait(false))
        {
            _metrics.CallbackReceived("on_confirm", "unauthorized");
            return;
        }

        if (body.StatusCode != 0)
        {
            _metrics.CallbackReceived("on_confirm", "invalid");
            await WriteErrorAsync(context, body.StatusCode, body.Error).ConfigureAwait(false);
            return;
        }

        var outcome = await _workflow.HandleAuthOnConfirmAsync(body.Value!, hipId, CancellationToken.None).ConfigureAwait(false);
        _metrics.CallbackReceived("on_confirm", OutcomeName(outcome));
        context.Response.StatusCode = StatusCodes.Status202Accepted;
    }

    private static string OutcomeName(CallbackOutcome outcome) => outcome switch
    {
        CallbackOutcome.Applied => "applied",
        CallbackOutcome.Ignored => "ignored",
        _ => "unmatched",
    };

    public async Task HeartbeatAsync(HttpContext context)
    {
        HeartbeatResponse response;
        try
        {
            await _store.PingAsync(context.RequestAborted).ConfigureAwait(false);
            response = new HeartbeatResponse { Timestamp = _timeProvider.GetUtcNow(), Status = HeartbeatStatus.UP };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            AspNetCoreLog.HeartbeatStoreDown(_logger, ex.GetType().Name);
            response = new HeartbeatResponse
            {
                Timestamp = _timeProvider.GetUtcNow(),
                Status = HeartbeatStatus.DOWN,
                Error = new Error { Code = 500, Message = "The store is unreachable." },
            };
        }

        await Results.Json(response, AbdmJsonContext.Default.HeartbeatResponse).ExecuteAsync(context).ConfigureAwait(false);
    }

    private async Task ShareAsync<T>(HttpContext context, WireVersion version, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, Func<T, string, CancellationToken, Task<ShareAcceptResult>> accept)
    {
        _metrics.ShareReceived(version);
        var v3 = version == WireVersion.V3;
        var (hipId, refusal, _) = await AuthenticateAndCheckHipAsync(context, v3).ConfigureAwait(false);
        if (hipId is null)
        {
            _metrics.ShareRejected(refusal, version, null);
            return;
        }

        var body = await CallbackBodyReader.ReadAsync(context.Request, typeInfo, _options.CurrentValue.Callbacks, context.RequestAborted).ConfigureAwait(false);
        if (body.StatusCode != 0)
        {
            _metrics.ShareRejected("invalid", version, hipId);
            await WriteErrorAsync(context, body.StatusCode, body.Error, v3).ConfigureAwait(false);
            return;
        }

        // Persist before answering: a 202 for a share that is then lost would be a silent failure. The write is not
        // cancelled by a client disconnect: it is atomic, and a gateway retry is deduplicated by requestId.
        var result = await accept(body.Value!, hipId, CancellationToken.None).ConfigureAwait(false);
        if (result.Status != ShareAcceptStatus.Accepted)
        {
            var served = result.Status == ShareAcceptStatus.UnknownHip ? null : hipId;
            _metrics.ShareRejected(result.Status == ShareAcceptStatus.UnknownHip ? "unknown_hip" : "invalid", version, served);
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, result.Error, v3, result.ErrorCode).ConfigureAwait(false);
            return;
        }

        _metrics.ShareAccepted(hipId, version, result.Intake!.Outcome);

        context.Response.StatusCode = v3 ? StatusCodes.Status200OK : StatusCodes.Status202Accepted;
    }

    /// <summary>Authenticates the gateway and checks X-HIP-ID names a HIP this host serves; answers the failure itself.</summary>
    /// <param name="context">The request.</param>
    /// <param name="v3">Whether errors take the v3 shape.</param>
    /// <param name="lateAllowed">
    /// Whether a late token (valid but for its expiry, within <c>Callbacks:LateDeliveryGrace</c>) may pass, to be
    /// checked by <see cref="AcceptLateAsync"/> once the body names the request it answers.
    /// </param>
    /// <returns>
    /// The HIP id, or null and why (the <c>abdm.reason</c>: unauthorized, keys_unavailable or unknown_hip) when the
    /// request was answered with an error; and the authentication result.
    /// </returns>
    private async Task<(string? HipId, string Refusal, CallbackAuthenticationResult Authentication)> AuthenticateAndCheckHipAsync(HttpContext context, bool v3 = false, bool lateAllowed = false)
    {
        var authentication = await _authenticator.AuthenticateAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        if (!authentication.Succeeded && !(lateAllowed && authentication.IsLate))
        {
            await RefuseAsync(context, authentication, v3, _logger).ConfigureAwait(false);
            return (null, authentication.IsUnavailable ? "keys_unavailable" : "unauthorized", authentication);
        }

        if (!authentication.Succeeded && !_workflow.IsServedHip(context.Request.Headers["X-HIP-ID"].ToString()))
        {
            // A late token is trusted only for an answer this host awaits, which names a HIP it serves.
            SecurityLog.CallbackRejected(_logger, "token expired (a late delivery for a HIP this host does not serve)");
            await WriteUnauthorizedAsync(context, v3).ConfigureAwait(false);
            return (null, "unauthorized", authentication);
        }

        var hipId = context.Request.Headers["X-HIP-ID"].ToString();
        if (string.IsNullOrEmpty(hipId))
        {
            var hiu = context.Request.Headers.ContainsKey("X-HIU-ID");
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, hiu
                ? "This host is a HIP: the X-HIP-ID header is required (X-HIU-ID callbacks are not handled here)."
                : "The X-HIP-ID header is required.", v3, "ABDM-1035").ConfigureAwait(false);
            return (null, "unknown_hip", authentication);
        }

        if (!_workflow.IsServedHip(hipId))
        {
            AspNetCoreLog.UnknownHip(_logger, context.Request.Path);
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "X-HIP-ID names a HIP this host does not serve.", v3, "ABDM-1035").ConfigureAwait(false);
            return (null, "unknown_hip", authentication);
        }

        return (hipId, "", authentication);
    }

    /// <summary>
    /// For a callback authenticated with a late token: accepted (logged at Warning, counted) only when it answers
    /// <paramref name="requestId"/>, a request of <paramref name="kind"/> this host sent for <paramref name="hipId"/>
    /// and still awaits (or timed out awaiting); else answered 401. Any other authentication passes unchanged.
    /// </summary>
    /// <returns>Whether to go on; when not, the request was answered.</returns>
    private async Task<bool> AcceptLateAsync(HttpContext context, CallbackAuthenticationResult authentication, Guid? requestId, CorrelationKind kind, string hipId, string callback, bool v3 = false)
    {
        if (authentication.Succeeded)
        {
            return true;
        }

        var lateBy = authentication.LateBy!.Value;
        if (requestId is not { } id || id == Guid.Empty
            || !await _workflow.IsAwaitedAsync(id, kind, hipId, CancellationToken.None).ConfigureAwait(false))
        {
            SecurityLog.CallbackRejected(_logger, $"token expired (a late {callback} that answers no request this host awaits)");
            await WriteUnauthorizedAsync(context, v3).ConfigureAwait(false);
            return false;
        }

        SecurityLog.LateDeliveryAccepted(_logger, callback, id, Math.Round(lateBy.TotalSeconds));
        _metrics.LateDeliveryAccepted(callback.Replace('-', '_'), lateBy);
        return true;
    }

    /// <summary>
    /// Answers a failed authentication: 503 with <c>Retry-After</c> when the callback could not be verified for now
    /// (the gateway's keys are unavailable), else 401 with a generic body. The reason is logged (a late token's here;
    /// other reasons by the authenticator), never returned: it would tell a forger which check failed.
    /// </summary>
    internal static Task RefuseAsync(HttpContext context, CallbackAuthenticationResult authentication, bool v3, ILogger logger)
    {
        if (authentication.RetryAfter is { } retryAfter)
        {
            var seconds = (long)Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds));
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "Service Unavailable", v3, v3 ? "ABDM-9999" : null);
        }

        if (authentication.IsLate)
        {
            SecurityLog.CallbackRejected(logger, authentication.Failure ?? "token expired");
        }

        return WriteUnauthorizedAsync(context, v3);
    }

    /// <summary>
    /// The generic 401: v0.5/v1.0 <c>{"error":{"code":401,"message":"Unauthorized"}}</c>, v3
    /// <c>{"error":{"code":"900901","message":"Unauthorized"}}</c>.
    /// </summary>
    internal static Task WriteUnauthorizedAsync(HttpContext context, bool v3) =>
        WriteErrorAsync(context, StatusCodes.Status401Unauthorized, UnauthorizedMessage, v3);

    /// <summary>The message of every 401 (the reason is only logged).</summary>
    internal const string UnauthorizedMessage = "Unauthorized";

    /// <summary>
    /// Answers an error: v0.5/v1.0 <c>{"error":{"code":&lt;HTTP status&gt;,"message"}}</c>; v3
    /// <c>{"error":{"code":"ABDM-1006","message"}}</c> with a string code (<c>900901</c> for a refused token).
    /// </summary>
    private static Task WriteErrorAsync(HttpContext context, int statusCode, string? message, bool v3 = false, string? code = null)
    {
        message ??= "The request is invalid.";
        if (!v3)
        {
            return CallbackBodyReader.Error(statusCode, message).ExecuteAsync(context);
        }

        code ??= statusCode == StatusCodes.Status401Unauthorized ? "900901" : "ABDM-1006";
        return TypedResults.Json(new ErrorResponseV3 { Error = new ErrorV3 { Code = code, Message = message } }, AbdmV3JsonContext.Default.ErrorResponseV3,
            contentType: "application/json", statusCode: statusCode).ExecuteAsync(context);
    }
}
