using Abdm.ProfileShare.AspNetCore.Security;
using Abdm.ProfileShare.Diagnostics.Internal;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Abdm.ProfileShare.Wire;
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

    public async Task AuthOnInitAsync(HttpContext context)
    {
        var (hipId, refusal) = await AuthenticateAndCheckHipAsync(context).ConfigureAwait(false);
        if (hipId is null)
        {
            _metrics.CallbackReceived("on_init", refusal);
            return;
        }

        var body = await CallbackBodyReader.ReadAsync(context.Request, AbdmJsonContext.Default.PatientAuthInitResponse, _options.CurrentValue.Callbacks, context.RequestAborted).ConfigureAwait(false);
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
        var (hipId, refusal) = await AuthenticateAndCheckHipAsync(context).ConfigureAwait(false);
        if (hipId is null)
        {
            _metrics.CallbackReceived("on_confirm", refusal);
            return;
        }

        var body = await CallbackBodyReader.ReadAsync(context.Request, AbdmJsonContext.Default.PatientAuthConfirmResponse, _options.CurrentValue.Callbacks, context.RequestAborted).ConfigureAwait(false);
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
        var (hipId, refusal) = await AuthenticateAndCheckHipAsync(context).ConfigureAwait(false);
        if (hipId is null)
        {
            _metrics.ShareRejected(refusal, version, null);
            return;
        }

        var body = await CallbackBodyReader.ReadAsync(context.Request, typeInfo, _options.CurrentValue.Callbacks, context.RequestAborted).ConfigureAwait(false);
        if (body.StatusCode != 0)
        {
            _metrics.ShareRejected("invalid", version, hipId);
            await WriteErrorAsync(context, body.StatusCode, body.Error).ConfigureAwait(false);
            return;
        }

        // Persist before answering: a 202 for a share that is then lost would be a silent failure. The write is not
        // cancelled by a client disconnect: it is atomic, and a gateway retry is deduplicated by requestId.
        var result = await accept(body.Value!, hipId, CancellationToken.None).ConfigureAwait(false);
        if (result.Status != ShareAcceptStatus.Accepted)
        {
            var served = result.Status == ShareAcceptStatus.UnknownHip ? null : hipId;
            _metrics.ShareRejected(result.Status == ShareAcceptStatus.UnknownHip ? "unknown_hip" : "invalid", version, served);
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, result.Error).ConfigureAwait(false);
            return;
        }

        _metrics.ShareAccepted(hipId, version, result.Intake!.Outcome);

        context.Response.StatusCode = StatusCodes.Status202Accepted;
    }

    /// <summary>Authenticates the gateway and checks X-HIP-ID names a HIP this host serves; answers the failure itself.</summary>
    /// <returns>The HIP id, or null and why (the <c>abdm.reason</c>: unauthorized or unknown_hip) when the request was answered with an error.</returns>
    private async Task<(string? HipId, string Refusal)> AuthenticateAndCheckHipAsync(HttpContext context)
    {
        var authentication = await _authenticator.AuthenticateAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        if (!authentication.Succeeded)
        {
            await WriteErrorAsync(context, StatusCodes.Status401Unauthorized, authentication.Failure ?? "The gateway token is missing or invalid.").ConfigureAwait(false);
            return (null, "unauthorized");
        }

        var hipId = context.Request.Headers["X-HIP-ID"].ToString();
        if (string.IsNullOrEmpty(hipId))
        {
            var hiu = context.Request.Headers.ContainsKey("X-HIU-ID");
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, hiu
                ? "This host is a HIP: the X-HIP-ID header is required (X-HIU-ID callbacks are not handled here)."
                : "The X-HIP-ID header is required.").ConfigureAwait(false);
            return (null, "unknown_hip");
        }

        if (!_workflow.IsServedHip(hipId))
        {
            AspNetCoreLog.UnknownHip(_logger, context.Request.Path);
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "X-HIP-ID names a HIP this host does not serve.").ConfigureAwait(false);
            return (null, "unknown_hip");
        }

        return (hipId, "");
    }

    private static Task WriteErrorAsync(HttpContext context, int statusCode, string? message) =>
        CallbackBodyReader.Error(statusCode, message ?? "The request is invalid.").ExecuteAsync(context);
}
