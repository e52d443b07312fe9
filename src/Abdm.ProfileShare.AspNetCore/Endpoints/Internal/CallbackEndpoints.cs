using Abdm.ProfileShare.AspNetCore.Diagnostics.Internal;
using Abdm.ProfileShare.AspNetCore.Internal;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Abdm.ProfileShare.AspNetCore.Security;
using Abdm.ProfileShare.AspNetCore.Security.Internal;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Abdm.ProfileShare.Workflow;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.AspNetCore.Endpoints.Internal;

/// <summary>
/// The HIP callback handlers, over HTTP: authenticate the gateway, check <c>X-HIP-ID</c> names a HIP this host serves,
/// read the body within its size limit, and hand it to the <see cref="IProfileShareInbox"/>, which reads the JSON,
/// persists or applies it; then answer. Nothing slow happens here: the host's decision, the directory lookup and every
/// gateway call run later in the outbox processor.
/// </summary>
internal sealed class CallbackEndpoints
{
    private readonly IProfileShareInbox _inbox;
    private readonly IProfileShareStore _store;
    private readonly IGatewayCallbackAuthenticator _authenticator;
    private readonly IOptionsMonitor<AbdmProfileShareOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<CallbackEndpoints> _logger;
    private readonly CallbackMetrics _metrics;

    public CallbackEndpoints(IProfileShareInbox inbox, IProfileShareStore store, IGatewayCallbackAuthenticator authenticator, IOptionsMonitor<AbdmProfileShareOptions> options,
        TimeProvider timeProvider, ILogger<CallbackEndpoints> logger, IMeterFactory meterFactory)
    {
        _inbox = inbox;
        _store = store;
        _authenticator = authenticator;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _metrics = CallbackMetrics.For(meterFactory);
    }

    /// <summary>v0.5 <c>POST /v0.5/patients/profile/share</c>; answered 202.</summary>
    public Task ShareV05Async(HttpContext context) => ShareAsync(context, WireVersion.V05);

    /// <summary>v1.0 <c>POST /v1.0/patients/profile/share</c> (the token number goes back on the v1.0 on-share); answered 202.</summary>
    public Task ShareV10Async(HttpContext context) => ShareAsync(context, WireVersion.V10);

    /// <summary>
    /// v3 share (<c>POST /api/v3/hip/patient/share</c>): the <c>REQUEST-ID</c> header is the idempotency key and the
    /// on-share's <c>response.requestId</c>; answered 200 (the status NHA's spec declares), errors in the v3 shape.
    /// </summary>
    public Task ShareV3Async(HttpContext context) => ShareAsync(context, WireVersion.V3);

    /// <summary>v0.5 <c>POST /v0.5/users/auth/on-init</c>: the transaction id (or error) for an auth init; answered 202.</summary>
    public Task AuthOnInitAsync(HttpContext context) => LinkingCallbackAsync(context, LinkingCallbackKind.AuthOnInit);

    /// <summary>v0.5 <c>POST /v0.5/users/auth/on-confirm</c>: the linking token (or error) for an auth confirm; answered 202.</summary>
    public Task AuthOnConfirmAsync(HttpContext context) => LinkingCallbackAsync(context, LinkingCallbackKind.AuthOnConfirm);

    /// <summary>v3 <c>POST /api/v3/hip/token/on-generate-token</c>: the link token (or error) for a generate-token call; answered 200.</summary>
    public Task OnGenerateTokenAsync(HttpContext context) => LinkingCallbackAsync(context, LinkingCallbackKind.OnGenerateToken);

    /// <summary>
    /// v3 <c>POST /api/v3/hip/patient/running-token/status</c>: the gateway asks which token a counter serves now; answered
    /// 202 and, in the background, on <c>running-token/on-status</c> (<see cref="IRunningTokenStatusRequests"/>).
    /// </summary>
    public async Task RunningTokenStatusAsync(HttpContext context)
    {
        var (hipId, refusal, _) = await AuthenticateAndCheckHipAsync(context, v3: true).ConfigureAwait(false);
        if (hipId is null)
        {
            _metrics.CallbackReceived("running_token_status", refusal);
            return;
        }

        var requests = context.RequestServices.GetRequiredService<IRunningTokenStatusRequests>();
        var requestId = context.Request.Headers[CallbackHeaders.RequestId].ToString();
        var body = await CallbackBodyReader.ReadAsync(context.Request, _options.CurrentValue.Callbacks, (Requests: requests, HipId: hipId, RequestId: requestId),
            static (s, bytes) => s.Requests.Read(s.HipId, s.RequestId, bytes), context.RequestAborted).ConfigureAwait(false);
        if (!body.Succeeded)
        {
            _metrics.CallbackReceived("running_token_status", "invalid");
            await WriteErrorAsync(context, body.StatusCode, body.Error, v3: true, body.ErrorCode).ConfigureAwait(false);
            return;
        }

        _metrics.CallbackReceived("running_token_status", requests.Accept(body.Value!) ? "applied" : "ignored");
        context.Response.StatusCode = StatusCodes.Status202Accepted;
    }

    public async Task HeartbeatAsync(HttpContext context)
    {
        string? down = null;
        try
        {
            await _store.PingAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            AspNetCoreLog.HeartbeatStoreDown(_logger, ex.GetType().Name);
            down = "The store is unreachable.";
        }

        await CallbackResponses.WriteHeartbeatAsync(context, _timeProvider.GetUtcNow(), down).ConfigureAwait(false);
    }

    private async Task ShareAsync(HttpContext context, WireVersion version)
    {
        _metrics.ShareReceived(version);
        var v3 = version == WireVersion.V3;
        var (hipId, refusal, _) = await AuthenticateAndCheckHipAsync(context, v3).ConfigureAwait(false);
        if (hipId is null)
        {
            _metrics.ShareRejected(refusal, version, null);
            return;
        }

        var requestId = v3 ? context.Request.Headers[CallbackHeaders.RequestId].ToString() : null;
        var body = await CallbackBodyReader.ReadAsync(context.Request, _options.CurrentValue.Callbacks, (Inbox: _inbox, Version: version, HipId: hipId, RequestId: requestId),
            static (s, bytes) => s.Inbox.ReadShare(s.Version, s.HipId, s.RequestId, bytes), context.RequestAborted).ConfigureAwait(false);
        if (!body.Succeeded)
        {
            _metrics.ShareRejected("invalid", version, hipId);
            await WriteErrorAsync(context, body.StatusCode, body.Error, v3, body.ErrorCode).ConfigureAwait(false);
            return;
        }

        if (body.Value!.Intent != ShareIntent.ProfileShare)
        {
            await ShareIntentAsync(context, body.Value).ConfigureAwait(false);
            return;
        }

        // Persist before answering: a 202 for a share that is then lost would be a silent failure. The write is not
        // cancelled by a client disconnect: it is atomic, and a gateway retry is deduplicated by requestId.
        try
        {
            await _inbox.AcceptShareAsync(body.Value, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            // The store failed (unreachable, timed out, or its commit's outcome is unknown): never a 2xx. 503 with
            // Retry-After asks the gateway to deliver the share again; a share that did commit is then a duplicate.
            AspNetCoreLog.ShareNotStored(_logger, body.Value.RequestId, exception.GetType().Name);
            _metrics.ShareRejected("store_unavailable", version, hipId);
            context.Response.Headers.RetryAfter = StoreRetryAfterSeconds;
            await WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "Service Unavailable", v3, v3 ? "ABDM-9999" : null).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = v3 ? StatusCodes.Status200OK : StatusCodes.Status202Accepted;
    }

    /// <summary>
    /// A v3 <c>RECORD_SHARE</c> or <c>PAYMENT_SHARE</c> (read only when the host registered an
    /// <see cref="IShareIntentHandler"/>): the handler's outcome is the answer, 200 as any v3 share when accepted, 400 with
    /// its code and message when refused. A handler that throws is answered 503 with <c>ABDM-1024</c> and nothing is
    /// remembered, so the gateway's redelivery reaches it again: nothing was answered 2xx, so nothing accepted is lost.
    /// A disconnect cancels the handler (nobody waits for the answer; the gateway delivers again).
    /// </summary>
    private async Task ShareIntentAsync(HttpContext context, ReceivedShare share)
    {
        ShareIntentOutcome outcome;
        try
        {
            outcome = await _inbox.HandleShareIntentAsync(share, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            // The inbox logged the exception's type (never its message: a host's exception may carry patient data).
            _metrics.ShareRejected("intent_failed", share.WireVersion, share.HipId);
            await WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "The HIP could not handle the share now; deliver it again later.", v3: true, "ABDM-1024")
                .ConfigureAwait(false);
            return;
        }

        if (!outcome.Accepted)
        {
            _metrics.ShareRejected("intent_refused", share.WireVersion, share.HipId);
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, outcome.ErrorMessage, v3: true, outcome.ErrorCode).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>
    /// A linking-chain callback (on-init, on-confirm, on-generate-token). A late token is accepted only for the answer to
    /// a request this host awaits (<see cref="AcceptLateAsync"/>), which the body names; the callback is then applied.
    /// </summary>
    private async Task LinkingCallbackAsync(HttpContext context, LinkingCallbackKind kind)
    {
        var (name, tag, v3) = Describe(kind);
        var (hipId, refusal, authentication) = await AuthenticateAndCheckHipAsync(context, v3, lateAllowed: true).ConfigureAwait(false);
        if (hipId is null)
        {
            _metrics.CallbackReceived(tag, refusal);
            return;
        }

        var body = await CallbackBodyReader.ReadAsync(context.Request, _options.CurrentValue.Callbacks, (Inbox: _inbox, Kind: kind, HipId: hipId),
            static (s, bytes) => s.Inbox.ReadLinkingCallback(s.Kind, s.HipId, bytes), context.RequestAborted).ConfigureAwait(false);
        if (!await AcceptLateAsync(context, authentication, body.Value, name, v3).ConfigureAwait(false))
        {
            _metrics.CallbackReceived(tag, "unauthorized");
            return;
        }

        if (!body.Succeeded)
        {
            _metrics.CallbackReceived(tag, "invalid");
            await WriteErrorAsync(context, body.StatusCode, body.Error, v3, body.ErrorCode).ConfigureAwait(false);
            return;
        }

        var outcome = await _inbox.ApplyLinkingCallbackAsync(body.Value!, CancellationToken.None).ConfigureAwait(false);
        _metrics.CallbackReceived(tag, outcome switch
        {
            LinkingCallbackOutcome.Applied => "applied",
            LinkingCallbackOutcome.Ignored => "ignored",
            _ => "unmatched",
        });
        context.Response.StatusCode = v3 ? StatusCodes.Status200OK : StatusCodes.Status202Accepted;
    }

    /// <summary>The callback's name in logs, its <c>abdm.callback</c> tag, and whether it is a v3 route.</summary>
    private static (string Name, string Tag, bool V3) Describe(LinkingCallbackKind kind) => kind switch
    {
        LinkingCallbackKind.AuthOnInit => ("on-init", "on_init", false),
        LinkingCallbackKind.AuthOnConfirm => ("on-confirm", "on_confirm", false),
        _ => ("on-generate-token", "on_generate_token", true),
    };

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
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(string? HipId, string Refusal, CallbackAuthenticationResult Authentication)> AuthenticateAndCheckHipAsync(HttpContext context, bool v3 = false, bool lateAllowed = false)
    {
        var authentication = await _authenticator.AuthenticateAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        if (!authentication.Succeeded && !(lateAllowed && authentication.IsLate))
        {
            await RefuseAsync(context, authentication, v3, _logger).ConfigureAwait(false);
            return (null, authentication.IsUnavailable ? "keys_unavailable" : "unauthorized", authentication);
        }

        var hipId = context.Request.Headers[CallbackHeaders.HipId].ToString();
        if (!authentication.Succeeded && !IsServedHip(hipId))
        {
            // A late token is trusted only for an answer this host awaits, which names a HIP it serves.
            SecurityLog.CallbackRejected(_logger, "token expired (a late delivery for a HIP this host does not serve)");
            await WriteUnauthorizedAsync(context, v3).ConfigureAwait(false);
            return (null, "unauthorized", authentication);
        }

        if (string.IsNullOrEmpty(hipId))
        {
            var hiu = context.Request.Headers.ContainsKey(CallbackHeaders.HiuId);
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, hiu
                ? "This host is a HIP: the X-HIP-ID header is required (X-HIU-ID callbacks are not handled here)."
                : "The X-HIP-ID header is required.", v3, "ABDM-1035").ConfigureAwait(false);
            return (null, "unknown_hip", authentication);
        }

        if (!IsServedHip(hipId))
        {
            AspNetCoreLog.UnknownHip(_logger, context.Request.Path);
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "X-HIP-ID names a HIP this host does not serve.", v3, "ABDM-1035").ConfigureAwait(false);
            return (null, "unknown_hip", authentication);
        }

        return (hipId, "", authentication);
    }

    /// <summary>Whether <paramref name="hipId"/> is one of <c>AbdmProfileShare:HipIds</c> (ordinal).</summary>
    private bool IsServedHip(string? hipId)
    {
        if (string.IsNullOrEmpty(hipId))
        {
            return false;
        }

        var hips = _options.CurrentValue.HipIds;
        for (var i = 0; i < hips.Count; i++)
        {
            if (string.Equals(hips[i], hipId, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// For a callback authenticated with a late token: accepted (logged at Warning, counted) only when its body was read
    /// and answers a request this host sent for its HIP and still awaits (or timed out awaiting); else answered 401.
    /// Any other authentication passes unchanged.
    /// </summary>
    /// <returns>Whether to go on; when not, the request was answered.</returns>
    private async Task<bool> AcceptLateAsync(HttpContext context, CallbackAuthenticationResult authentication, LinkingCallback? callback, string name, bool v3)
    {
        if (authentication.Succeeded)
        {
            return true;
        }

        var lateBy = authentication.LateBy!.Value;
        if (callback is null || !await _inbox.IsAwaitedAsync(callback, CancellationToken.None).ConfigureAwait(false))
        {
            SecurityLog.CallbackRejected(_logger, $"token expired (a late {name} that answers no request this host awaits)");
            await WriteUnauthorizedAsync(context, v3).ConfigureAwait(false);
            return false;
        }

        SecurityLog.LateDeliveryAccepted(_logger, name, callback.RequestId, Math.Round(lateBy.TotalSeconds));
        _metrics.LateDeliveryAccepted(name.Replace('-', '_'), lateBy);
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

    /// <summary>The <c>Retry-After</c> of a share answered 503 because the store failed.</summary>
    private const string StoreRetryAfterSeconds = "5";

    /// <summary>The message of every 401 (the reason is only logged).</summary>
    internal const string UnauthorizedMessage = "Unauthorized";

    /// <summary>
    /// Answers an error: v0.5/v1.0 <c>{"error":{"code":&lt;HTTP status&gt;,"message"}}</c>; v3
    /// <c>{"error":{"code":"ABDM-1006","message"}}</c> with a string code (<c>900901</c> for a refused token).
    /// </summary>
    internal static Task WriteErrorAsync(HttpContext context, int statusCode, string? message, bool v3 = false, string? code = null)
    {
        message ??= "The request is invalid.";
        if (!v3)
        {
            return CallbackResponses.WriteErrorAsync(context, statusCode, message);
        }

        code ??= statusCode == StatusCodes.Status401Unauthorized ? "900901" : "ABDM-1006";
        return CallbackResponses.WriteErrorAsync(context, statusCode, message, code);
    }
}
