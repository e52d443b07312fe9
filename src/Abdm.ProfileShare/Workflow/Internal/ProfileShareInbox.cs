using System.Globalization;
using Abdm.ProfileShare.Diagnostics.Internal;
using Abdm.ProfileShare.Gateway.Internal;
using Abdm.ProfileShare.Internal;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Abdm.ProfileShare.Wire;
using Abdm.ProfileShare.Wire.Internal;
using Abdm.ProfileShare.Wire.V3;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Workflow.Internal;

/// <summary>
/// The inbound side of the workflow (<see cref="IProfileShareInbox"/>): reads a callback body with the wire version's
/// source-generated contract within the <c>Callbacks</c> limits (<see cref="CallbackJsonReader"/>), checks and maps a
/// share with <see cref="ShareMapper"/>, and hands the model to <see cref="ProfileShareWorkflow"/>.
/// </summary>
/// <remarks>
/// Reading has no side effect but a warning for a share refused by <see cref="ShareMapper"/> (its requestId and HIP
/// only). Accepting counts <c>abdm.shares.accepted</c>; the transport counts what it refuses itself.
/// </remarks>
internal sealed class ProfileShareInbox(
    ProfileShareWorkflow workflow,
    IOptionsMonitor<AbdmProfileShareOptions> options,
    AbdmMetrics metrics,
    ShareIntentDeduplicator intents,
    IServiceScopeFactory scopes,
    IServiceProviderIsService registered,
    ILogger<ProfileShareInbox> logger) : IProfileShareInbox
{
    /// <summary>The v3 code of a body that cannot be read (malformed, incomplete, over a limit).</summary>
    internal const string UnreadableBodyCodeV3 = "ABDM-1006";

    public CallbackReadResult<ReceivedShare> ReadShare(WireVersion version, string hipId, string? requestId, ReadOnlySpan<byte> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(hipId);
        var current = options.CurrentValue;
        switch (version)
        {
            case WireVersion.V05:
            {
                var read = CallbackJsonReader.Read(body, AbdmJsonContext.Default.ShareProfileRequest, current.Callbacks);
                return read.Value is { } share
                    ? Share(share.RequestId, share.Profile, version, hipId, current)
                    : new(null, read.Error, null);
            }

            case WireVersion.V10:
            {
                var read = CallbackJsonReader.Read(body, AbdmJsonContext.Default.ShareProfileRequestV1, current.Callbacks);
                return read.Value is { } share
                    ? Share(share.RequestId, share.Profile, version, hipId, current)
                    : new(null, read.Error, null);
            }

            case WireVersion.V3:
            {
                var read = CallbackJsonReader.Read(body, ShareV3Contract.ShareRequest, current.Callbacks);
                return read.Value is { } share
                    ? ShareV3(share, requestId, hipId)
                    : new(null, read.Error, UnreadableBodyCodeV3);
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(version), version, "Unknown wire version.");
        }
    }

    public CallbackReadResult<LinkingCallback> ReadLinkingCallback(LinkingCallbackKind kind, string hipId, ReadOnlySpan<byte> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(hipId);
        var limits = options.CurrentValue.Callbacks;
        switch (kind)
        {
            case LinkingCallbackKind.AuthOnInit:
            {
                var read = CallbackJsonReader.Read(body, AbdmJsonContext.Default.PatientAuthInitResponse, limits);
                return read.Value is { } callback
                    ? Read(new LinkingCallback
                    {
                        Kind = kind,
                        HipId = hipId,
                        RequestId = RequestIdOf(callback.Resp),
                        TransactionId = callback.Auth?.TransactionId,
                        IsError = callback.Error is not null,
                        ErrorCode = CodeOf(callback.Error),
                        ErrorMessage = callback.Error?.Message,
                    })
                    : new(null, read.Error, null);
            }

            case LinkingCallbackKind.AuthOnConfirm:
            {
                var read = CallbackJsonReader.Read(body, AbdmJsonContext.Default.PatientAuthConfirmResponse, limits);
                return read.Value is { } callback
                    ? Read(new LinkingCallback
                    {
                        Kind = kind,
                        HipId = hipId,
                        RequestId = RequestIdOf(callback.Resp),
                        LinkingToken = callback.Auth?.AccessToken,
                        IsError = callback.Error is not null,
                        ErrorCode = CodeOf(callback.Error),
                        ErrorMessage = callback.Error?.Message,
                    })
                    : new(null, read.Error, null);
            }

            case LinkingCallbackKind.OnGenerateToken:
            {
                var read = CallbackJsonReader.Read(body, AbdmV3JsonContext.Default.OnGenerateLinkTokenV3Request, limits);
                return read.Value is { } callback
                    ? Read(new LinkingCallback
                    {
                        Kind = kind,
                        HipId = hipId,
                        RequestId = callback.Response?.RequestId ?? Guid.Empty,
                        LinkingToken = callback.LinkToken,
                        IsError = callback.Error is not null,
                        ErrorCode = GatewayErrorParser.NormalizeCode(callback.Error?.Code),
                        ErrorMessage = callback.Error?.Message,
                    })
                    : new(null, read.Error, UnreadableBodyCodeV3);
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown linking callback kind.");
        }
    }

    public async Task<ShareIntakeResult> AcceptShareAsync(ReceivedShare share, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(share);
        if (share.Intent != ShareIntent.ProfileShare)
        {
            throw new ArgumentException($"A {ShareMapper.IntentName(share.Intent)} share is not a queue entry: hand it to HandleShareIntentAsync.", nameof(share));
        }

        var result = await workflow.AcceptAsync(share, cancellationToken).ConfigureAwait(false);
        metrics.ShareAccepted(share.HipId, share.WireVersion, result.Outcome);
        return result;
    }

    public async Task<ShareIntentOutcome> HandleShareIntentAsync(ReceivedShare share, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(share);
        if (share.Intent == ShareIntent.ProfileShare)
        {
            throw new ArgumentException("A PROFILE_SHARE is a queue entry: hand it to AcceptShareAsync.", nameof(share));
        }

        var request = new ShareIntentRequest
        {
            Intent = share.Intent,
            HipId = share.HipId,
            CounterCode = share.CounterCode,
            RequestId = share.RequestId,
            Profile = share.Profile,
            MetaData = share.MetaData,
        };
        var intent = ShareMapper.IntentName(share.Intent);
        try
        {
            var (outcome, repeat) = await intents.RunAsync(share.RequestId, () => HandleAsync(request, cancellationToken)).ConfigureAwait(false);
            Log.ShareIntentHandled(logger, share.RequestId, share.HipId, intent, outcome.Accepted, outcome.ErrorCode ?? "none", repeat);
            return outcome;
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            Log.ShareIntentHandlerFailed(logger, share.RequestId, share.HipId, intent, ex.GetType().Name);
            throw;
        }
    }

    /// <summary>Calls the host's handler in a scope of its own (it is registered scoped, as the other handlers).</summary>
    private async Task<ShareIntentOutcome> HandleAsync(ShareIntentRequest request, CancellationToken cancellationToken)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var handler = scope.ServiceProvider.GetService<IShareIntentHandler>()
                ?? throw new InvalidOperationException("No IShareIntentHandler is registered: call AddShareIntentHandler<T>() on the AddAbdmProfileShare builder.");
            return await handler.HandleAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<LinkingCallbackOutcome> ApplyLinkingCallbackAsync(LinkingCallback callback, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return await workflow.ApplyAsync(callback, cancellationToken).ConfigureAwait(false);
    }

    public Task<bool> IsAwaitedAsync(LinkingCallback callback, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callback);

        // No request this host sends has the empty id: a callback naming none answers nothing awaited.
        return callback.RequestId == Guid.Empty ? Task.FromResult(false) : workflow.IsAwaitedAsync(callback, cancellationToken);
    }

    /// <summary>A v0.5/v1.0 share: the requestId is in the body, the counter is <c>profile.hipCode</c> (or the default counter).</summary>
    private CallbackReadResult<ReceivedShare> Share(Guid requestId, SharedProfile? profile, WireVersion version, string hipId, AbdmProfileShareOptions current)
    {
        var invalid = ShareMapper.Validate(requestId, profile);
        if (invalid is not null)
        {
            Log.ShareRefusedInvalid(logger, requestId, hipId);
            return new(null, invalid, null);
        }

        return new(new ReceivedShare
        {
            RequestId = requestId,
            HipId = hipId,
            CounterCode = ShareMapper.CounterCode(profile!.HipCode, current.Queue.DefaultCounterCode),
            Profile = ShareMapper.ToProfile(profile.Patient),
            WireVersion = version,
        }, null, null);
    }

    /// <summary>
    /// A v3 share: the requestId is the <c>REQUEST-ID</c> header (empty or not a UUID: refused with <c>ABDM-2404</c>),
    /// the counter is <c>metaData.context</c>; a <c>RECORD_SHARE</c> or <c>PAYMENT_SHARE</c> is read only when an
    /// <see cref="IShareIntentHandler"/> is registered (else <c>ABDM-1149</c>).
    /// </summary>
    private CallbackReadResult<ReceivedShare> ShareV3(ShareProfileV3Request share, string? requestIdHeader, string hipId)
    {
        var requestId = Guid.TryParse(requestIdHeader, out var parsed) ? parsed : Guid.Empty;
        var (invalid, code, intent) = ShareMapper.ValidateV3(requestId, hipId, share, registered.IsService(typeof(IShareIntentHandler)));
        if (invalid is not null)
        {
            Log.ShareRefusedInvalid(logger, requestId, hipId);
            return new(null, invalid, code);
        }

        return new(new ReceivedShare
        {
            RequestId = requestId,
            HipId = hipId,
            CounterCode = share.MetaData.Context.Trim(),
            Profile = ShareMapper.ToProfile(share.Profile!.Patient),
            WireVersion = WireVersion.V3,
            Intent = intent,
            MetaData = ShareMapper.MetaDataOf(share.MetaData),
        }, null, null);
    }

    private static CallbackReadResult<LinkingCallback> Read(LinkingCallback callback) => new(callback, null, null);

    /// <summary>
    /// The requestId a v0.5 callback answers; the contract requires <c>resp.requestId</c>, so the empty id only when a
    /// sender wrote it as zeros (it then matches no request: unmatched, and never a late delivery).
    /// </summary>
    private static Guid RequestIdOf(RequestReference? resp) => resp?.RequestId ?? Guid.Empty;

    /// <summary>A v0.5 error code (an integer) as invariant text.</summary>
    private static string? CodeOf(Error? error) => error?.Code?.ToString(CultureInfo.InvariantCulture);
}
