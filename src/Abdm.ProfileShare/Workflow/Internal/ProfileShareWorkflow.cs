using System.Diagnostics;
using Abdm.ProfileShare.Diagnostics.Internal;
using Abdm.ProfileShare.Internal;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Abdm.ProfileShare.Gateway.Internal;
using Abdm.ProfileShare.Wire;
using Abdm.ProfileShare.Wire.V3;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Workflow.Internal;

/// <summary>What became of an inbound share.</summary>
internal enum ShareAcceptStatus
{
    Accepted,
    UnknownHip,
    Invalid,
}

/// <summary>The result of accepting an inbound share.</summary>
/// <param name="Status">What became of it.</param>
/// <param name="Error">Why it was refused, naming the field or header.</param>
/// <param name="Intake">The store's result when accepted.</param>
/// <param name="ErrorCode">v3: the ABDM error code of a refusal (<c>ABDM-1006</c>, or <c>ABDM-1149</c> for an unsupported intent).</param>
internal readonly record struct ShareAcceptResult(ShareAcceptStatus Status, string? Error, ShareIntakeResult? Intake, string? ErrorCode = null);

/// <summary>What an auth callback did.</summary>
internal enum CallbackOutcome
{
    /// <summary>It advanced the linking chain.</summary>
    Applied,

    /// <summary>A duplicate or late callback: nothing changed.</summary>
    Ignored,

    /// <summary>No request of ours has that requestId (or it was for another HIP): recorded and ignored.</summary>
    Unmatched,
}

/// <summary>
/// The request-path side of the workflow: persists shares and applies auth callbacks. Everything slow (the host's
/// decision, the directory lookup, gateway calls) happens later in the outbox processor.
/// </summary>
internal sealed class ProfileShareWorkflow
{
    private readonly IProfileShareStore _store;
    private readonly IOptionsMonitor<AbdmProfileShareOptions> _options;
    private readonly WorkflowClock _clock;
    private readonly OutboxSignal _signal;
    private readonly ILogger<ProfileShareWorkflow> _logger;
    private readonly AbdmMetrics _metrics;
    private readonly LinkingTokenProtector _linkingTokens;

    public ProfileShareWorkflow(IProfileShareStore store, IOptionsMonitor<AbdmProfileShareOptions> options, WorkflowClock clock, OutboxSignal signal, ILogger<ProfileShareWorkflow> logger, AbdmMetrics metrics,
        LinkingTokenProtector linkingTokens)
    {
        _linkingTokens = linkingTokens;
        _store = store;
        _options = options;
        _clock = clock;
        _signal = signal;
        _logger = logger;
        _metrics = metrics;
    }

    public bool IsServedHip(string? hipId)
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

    public Task<ShareAcceptResult> AcceptShareAsync(ShareProfileRequest share, string? hipId, CancellationToken cancellationToken) =>
        AcceptAsync(share.RequestId, share.Profile, WireVersion.V05, hipId, cancellationToken);

    public Task<ShareAcceptResult> AcceptShareAsync(ShareProfileRequestV1 share, string? hipId, CancellationToken cancellationToken) =>
        AcceptAsync(share.RequestId, share.Profile, WireVersion.V10, hipId, cancellationToken);

    /// <summary>
    /// Accepts a v3 share: the requestId is the <c>REQUEST-ID</c> header (the idempotency key, and the on-share's
    /// <c>response.requestId</c>), the counter is <c>metaData.context</c>.
    /// </summary>
    public Task<ShareAcceptResult> AcceptShareAsync(ShareProfileV3Request share, Guid requestId, string? hipId, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (!IsServedHip(hipId))
        {
            return Task.FromResult(RefuseUnknownHip(requestId, hipId));
        }

        var (invalid, code) = ShareMapper.ValidateV3(requestId, share);
        if (invalid is not null)
        {
            Log.ShareRefusedInvalid(_logger, requestId, hipId!);
            return Task.FromResult(new ShareAcceptResult(ShareAcceptStatus.Invalid, invalid, null, code));
        }

        var counter = share.MetaData.Context.Trim();
        return PersistAndWrapAsync(requestId, hipId!, counter, ShareMapper.ToProfile(share.Profile!.Patient), WireVersion.V3, started, cancellationToken);
    }

    private ShareAcceptResult RefuseUnknownHip(Guid requestId, string? hipId)
    {
        Log.ShareRefusedUnknownHip(_logger, requestId);
        return new ShareAcceptResult(ShareAcceptStatus.UnknownHip, string.IsNullOrEmpty(hipId)
            ? "The X-HIP-ID header is required."
            : "X-HIP-ID names a HIP this host does not serve.", null);
    }

    private Task<ShareAcceptResult> AcceptAsync(Guid requestId, SharedProfile? profile, WireVersion version, string? hipId, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (!IsServedHip(hipId))
        {
            return Task.FromResult(RefuseUnknownHip(requestId, hipId));
        }

        var invalid = ShareMapper.Validate(requestId, profile);
        if (invalid is not null)
        {
            Log.ShareRefusedInvalid(_logger, requestId, hipId!);
            return Task.FromResult(new ShareAcceptResult(ShareAcceptStatus.Invalid, invalid, null));
        }

        var counter = ShareMapper.CounterCode(profile!.HipCode, _options.CurrentValue.Queue.DefaultCounterCode);
        return PersistAndWrapAsync(requestId, hipId!, counter, ShareMapper.ToProfile(profile.Patient), version, started, cancellationToken);
    }

    /// <summary>Persists a share read and checked by the transport (<see cref="IProfileShareInbox.AcceptShareAsync"/>).</summary>
    public Task<ShareIntakeResult> AcceptAsync(ReceivedShare share, CancellationToken cancellationToken) =>
        PersistAsync(share.RequestId, share.HipId, share.CounterCode, share.Profile, share.WireVersion, Stopwatch.GetTimestamp(), cancellationToken);

    private async Task<ShareAcceptResult> PersistAndWrapAsync(Guid requestId, string hipId, string counter, SharedPatientProfile profile, WireVersion version, long started, CancellationToken cancellationToken) =>
        new(ShareAcceptStatus.Accepted, null, await PersistAsync(requestId, hipId, counter, profile, version, started, cancellationToken).ConfigureAwait(false));

    private async Task<ShareIntakeResult> PersistAsync(Guid requestId, string hipId, string counter, SharedPatientProfile profile, WireVersion version, long started, CancellationToken cancellationToken)
    {
        var options = _options.CurrentValue;
        var now = _clock.Now;
        var intake = new ShareIntake
        {
            ShareRequestId = requestId,
            HipId = hipId,
            CounterCode = counter,
            Profile = profile,
            WireVersion = version,
            ReceivedAt = now,
            ServiceDay = _clock.ServiceDay(now),
            RescanWindow = options.Queue.RescanWindow,
            EntryLifetime = options.Queue.EntryLifetime,
            NewEntryId = Guid.CreateVersion7(now),
            AcknowledgementItemId = Guid.CreateVersion7(now),
            AcknowledgementRequestId = Guid.NewGuid(),
            ContentHash = ShareContentHash.Compute(hipId, counter, profile),
        };

        var persisting = Stopwatch.GetTimestamp();
        var result = await _store.AcceptShareAsync(intake, cancellationToken).ConfigureAwait(false);
        var persisted = Stopwatch.GetTimestamp();

        // The entry id is known only now (a re-scan or a repeat names an existing entry): the span starts late, dated back.
        var outcome = result.Outcome switch { ShareIntakeOutcome.Created => "created", ShareIntakeOutcome.Rescanned => "rescanned", _ => "duplicate" };
        using var span = EntrySpan.Start("abdm.share.receive", result.Entry.Id, started)
            .Tag(AbdmTags.RequestId, requestId.ToString())
            .Tag(AbdmTags.HipId, intake.HipId)
            .Tag(AbdmTags.Counter, result.Entry.CounterCode)
            .Tag(AbdmTags.WireVersion, AbdmTags.Of(version))
            .Tag(AbdmTags.Outcome, outcome);
        span.Step("abdm.share.persist", persisting, persisted, outcome);
        Log.ShareAccepted(_logger, requestId, intake.HipId, intake.CounterCode, result.Outcome, result.Entry.Id, result.Entry.TokenNumber, version);
        if (result is { Outcome: ShareIntakeOutcome.Duplicate, ContentConflict: true })
        {
            // Answered as the duplicate it is (the first body stands), but a reused requestId with another body is
            // either a gateway bug or someone replaying requestIds: worth a warning and a count.
            Log.ShareRequestIdConflict(_logger, requestId);
            _metrics.ShareConflict(intake.HipId, version);
        }

        if (result.Outcome != ShareIntakeOutcome.Duplicate)
        {
            _signal.Notify();
        }

        return result;
    }

    public Task<CallbackOutcome> HandleAuthOnInitAsync(PatientAuthInitResponse callback, string hipId, CancellationToken cancellationToken) =>
        ApplyAsync(new LinkingCallback
        {
            Kind = LinkingCallbackKind.AuthOnInit,
            HipId = hipId,
            RequestId = callback.Resp.RequestId,
            TransactionId = callback.Auth?.TransactionId,
            IsError = callback.Error is not null,
            ErrorCode = CodeOf(callback.Error),
            ErrorMessage = callback.Error?.Message,
        }, cancellationToken);

    public Task<CallbackOutcome> HandleAuthOnConfirmAsync(PatientAuthConfirmResponse callback, string hipId, CancellationToken cancellationToken) =>
        ApplyAsync(new LinkingCallback
        {
            Kind = LinkingCallbackKind.AuthOnConfirm,
            HipId = hipId,
            RequestId = callback.Resp.RequestId,
            LinkingToken = callback.Auth?.AccessToken,
            IsError = callback.Error is not null,
            ErrorCode = CodeOf(callback.Error),
            ErrorMessage = callback.Error?.Message,
        }, cancellationToken);

    public Task<CallbackOutcome> HandleOnGenerateTokenAsync(OnGenerateLinkTokenV3Request callback, string hipId, CancellationToken cancellationToken) =>
        ApplyAsync(new LinkingCallback
        {
            Kind = LinkingCallbackKind.OnGenerateToken,
            HipId = hipId,
            RequestId = callback.Response.RequestId,
            LinkingToken = callback.LinkToken,
            IsError = callback.Error is not null,
            ErrorCode = GatewayErrorParser.NormalizeCode(callback.Error?.Code),
            ErrorMessage = callback.Error?.Message,
        }, cancellationToken);

    /// <summary>
    /// Applies a linking callback: on-init (the transaction id: confirm next), on-confirm or v3 on-generate-token (the
    /// token: stored, the chain Linked), or the gateway's error (Failed with its code), matched by the requestId the
    /// callback answers.
    /// </summary>
    public Task<CallbackOutcome> ApplyAsync(LinkingCallback callback, CancellationToken cancellationToken) => callback.Kind switch
    {
        LinkingCallbackKind.AuthOnInit => ApplyCallbackAsync(callback.RequestId, CorrelationKind.AuthInit, LinkingState.AwaitingTransaction, callback.HipId, "on-init", (current, now) =>
        {
            if (callback.IsError || string.IsNullOrWhiteSpace(callback.TransactionId))
            {
                return LinkingFailure(current, callback.ErrorCode, callback.ErrorMessage, "The gateway's on-init carried no transactionId.", now);
            }

            var confirmRequestId = Guid.NewGuid();
            return new EntryUpdate
            {
                Entry = current with
                {
                    Linking = current.Linking with
                    {
                        State = LinkingState.AwaitingToken,
                        TransactionId = callback.TransactionId,
                        ConfirmRequestId = confirmRequestId,
                        ErrorMessage = null, // a late on-init revives a timed-out chain
                        UpdatedAt = now,
                    },
                },
                Enqueue = [NewItem(OutboxItemKind.AuthConfirm, current.Id, confirmRequestId, now)],
                Correlations = [new Correlation(confirmRequestId, CorrelationKind.AuthConfirm, current.Id, current.HipId, now)],
            };
        }, cancellationToken),
        LinkingCallbackKind.AuthOnConfirm => ApplyCallbackAsync(callback.RequestId, CorrelationKind.AuthConfirm, LinkingState.AwaitingToken, callback.HipId, "on-confirm", (current, now) =>
            callback.IsError || string.IsNullOrWhiteSpace(callback.LinkingToken)
                ? LinkingFailure(current, callback.ErrorCode, callback.ErrorMessage, "The gateway's on-confirm carried no linking token.", now)
                : Linked(current, callback.LinkingToken, callback.RequestId, now), cancellationToken),
        LinkingCallbackKind.OnGenerateToken => ApplyCallbackAsync(callback.RequestId, CorrelationKind.LinkToken, LinkingState.AwaitingToken, callback.HipId, OnGenerateToken, (current, now) =>
            callback.IsError || string.IsNullOrWhiteSpace(callback.LinkingToken)
                ? LinkingFailure(current, callback.ErrorCode, callback.ErrorMessage, "The gateway's on-generate-token carried no link token.", now)
                : Linked(current, callback.LinkingToken, callback.RequestId, now), cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(callback), callback.Kind, "Unknown linking callback kind."),
    };

    /// <summary>Whether the request the callback answers is awaited (<see cref="IsAwaitedAsync(Guid, CorrelationKind, string, CancellationToken)"/>).</summary>
    public Task<bool> IsAwaitedAsync(LinkingCallback callback, CancellationToken cancellationToken) =>
        IsAwaitedAsync(callback.RequestId, CorrelationOf(callback.Kind), callback.HipId, cancellationToken);

    internal static CorrelationKind CorrelationOf(LinkingCallbackKind kind) => kind switch
    {
        LinkingCallbackKind.AuthOnInit => CorrelationKind.AuthInit,
        LinkingCallbackKind.AuthOnConfirm => CorrelationKind.AuthConfirm,
        _ => CorrelationKind.LinkToken,
    };

    /// <summary>
    /// Whether this host sent the request <paramref name="requestId"/> names (a correlation of
    /// <paramref name="kind"/>, for <paramref name="hipId"/>) and its entry's chain still waits for the answer: the
    /// callback endpoints ask it before accepting a late delivery with an expired token.
    /// </summary>
    public async Task<bool> IsAwaitedAsync(Guid requestId, CorrelationKind kind, string hipId, CancellationToken cancellationToken)
    {
        var correlation = await _store.GetCorrelationAsync(requestId, cancellationToken).ConfigureAwait(false);
        if (correlation is null || correlation.Kind != kind || !string.Equals(correlation.HipId, hipId, StringComparison.Ordinal))
        {
            return false;
        }

        var entry = await _store.GetEntryAsync(correlation.EntryId, cancellationToken).ConfigureAwait(false);
        if (entry is null)
        {
            return false;
        }

        var awaiting = kind == CorrelationKind.AuthInit ? LinkingState.AwaitingTransaction : LinkingState.AwaitingToken;
        return (entry.Linking.State == awaiting && entry.Linking.AwaitedRequestId == requestId) || TimedOutAwaiting(entry.Linking, kind, requestId);
    }

    /// <summary>
    /// Whether the chain timed out waiting for exactly the answer to <paramref name="requestId"/>: the gateway
    /// redelivers an answer about 16 minutes late, long after <c>Linking:CallbackTimeout</c>, and that answer (a link
    /// token, an error) is genuine. A chain restarted since has new request ids, so an older answer never matches.
    /// </summary>
    internal static bool TimedOutAwaiting(LinkingStatus linking, CorrelationKind kind, Guid requestId) =>
        linking.State == LinkingState.TimedOut && kind switch
        {
            CorrelationKind.AuthInit => linking.InitRequestId == requestId && linking.TransactionId is null && linking.ConfirmRequestId is null && linking.TokenRequestId is null,
            CorrelationKind.AuthConfirm => linking.ConfirmRequestId == requestId && linking.TokenRequestId is null,
            CorrelationKind.LinkToken => linking.TokenRequestId == requestId,
            _ => false,
        };

    /// <summary>
    /// The skeleton of every linking callback: find the correlation its requestId names (of the expected kind, for the
    /// same HIP), then change the entry only if its chain still waits for exactly that request in
    /// <paramref name="awaiting"/>, or timed out waiting for exactly it (<see cref="TimedOutAwaiting"/>); a duplicate
    /// callback, or one for a chain that moved on, changes nothing.
    /// </summary>
    private async Task<CallbackOutcome> ApplyCallbackAsync(Guid requestId, CorrelationKind kind, LinkingState awaiting, string hipId, string callback,
        Func<QueueEntry, DateTimeOffset, EntryUpdate> apply, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var correlation = await FindCorrelationAsync(requestId, kind, hipId, callback, cancellationToken).ConfigureAwait(false);
        if (correlation is null)
        {
            return CallbackOutcome.Unmatched;
        }

        var persisting = Stopwatch.GetTimestamp();
        var now = _clock.Now;
        var (written, entry) = await EntryUpdater.UpdateAsync(_store, correlation.EntryId, current =>
            (current.Linking.State == awaiting && current.Linking.AwaitedRequestId == requestId) || TimedOutAwaiting(current.Linking, kind, requestId)
                ? apply(current, now)
                : null, cancellationToken).ConfigureAwait(false);

        return Finish(written, entry, requestId, callback, correlation.EntryId, started, persisting);
    }

    private const string OnGenerateToken = "on-generate-token";

    private static string? CodeOf(Error? error) => error?.Code?.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The chain Linked, with the token as it is stored: its expiry read, the token encrypted.</summary>
    private EntryUpdate Linked(QueueEntry current, string token, Guid requestId, DateTimeOffset now) => new()
    {
        Entry = current with
        {
            Linking = current.Linking with { State = LinkingState.Linked, ErrorCode = null, ErrorMessage = null, UpdatedAt = now },
        },
        LinkingToken = _linkingTokens.Protect(new LinkingTokenRecord
        {
            HipId = current.HipId,
            HealthId = current.Profile.HealthId,
            Token = token,
            EntryId = current.Id,
            ReceivedAt = now,
        }),
        Enqueue = [NewItem(OutboxItemKind.LinkingNotification, current.Id, requestId, now)],
    };

    /// <summary>
    /// Builds the change that starts (or restarts) the linking chain of an entry: <c>users/auth/init</c> on the v0.5
    /// gateway, <c>generate-token</c> when the deployment is on v3 (<paramref name="deployment"/>).
    /// </summary>
    internal static EntryUpdate StartLinking(QueueEntry entry, DateTimeOffset now, WireVersion deployment, Guid? completeOutboxItemId = null, QueueEntry? with = null)
    {
        var current = with ?? entry;
        var requestId = Guid.NewGuid();
        var v3 = deployment == WireVersion.V3;
        var linking = v3
            ? new LinkingStatus { State = LinkingState.AwaitingToken, TokenRequestId = requestId, UpdatedAt = now }
            : new LinkingStatus { State = LinkingState.AwaitingTransaction, InitRequestId = requestId, UpdatedAt = now };
        return new EntryUpdate
        {
            Entry = current with { Linking = linking },
            Enqueue = [NewItem(v3 ? OutboxItemKind.GenerateLinkToken : OutboxItemKind.AuthInit, entry.Id, requestId, now)],
            Correlations = [new Correlation(requestId, v3 ? CorrelationKind.LinkToken : CorrelationKind.AuthInit, entry.Id, entry.HipId, now)],
            CompleteOutboxItemId = completeOutboxItemId,
        };
    }

    internal static EntryUpdate LinkingFailure(QueueEntry current, string? errorCode, string? errorMessage, string fallbackMessage, DateTimeOffset now, Guid? completeOutboxItemId = null) => new()
    {
        Entry = current with
        {
            Linking = current.Linking with
            {
                State = LinkingState.Failed,
                ErrorCode = errorCode,
                ErrorMessage = string.IsNullOrWhiteSpace(errorMessage) ? fallbackMessage : errorMessage,
                UpdatedAt = now,
            },
        },
        Enqueue = [NewItem(OutboxItemKind.LinkingNotification, current.Id, current.Linking.AwaitedRequestId ?? current.Linking.ConfirmRequestId ?? current.Linking.InitRequestId ?? Guid.NewGuid(), now)],
        CompleteOutboxItemId = completeOutboxItemId,
    };

    internal static OutboxItem NewItem(OutboxItemKind kind, Guid entryId, Guid requestId, DateTimeOffset now, DateTimeOffset? dueAt = null, Guid? correlatesTo = null) => new()
    {
        Id = Guid.CreateVersion7(now),
        Kind = kind,
        EntryId = entryId,
        RequestId = requestId,
        CorrelatesTo = correlatesTo,
        CreatedAt = now,
        DueAt = dueAt ?? now,
    };

    private async Task<Correlation?> FindCorrelationAsync(Guid requestId, CorrelationKind kind, string hipId, string callback, CancellationToken cancellationToken)
    {
        var correlation = await _store.GetCorrelationAsync(requestId, cancellationToken).ConfigureAwait(false);
        if (correlation is null || correlation.Kind != kind)
        {
            Log.CallbackUnmatched(_logger, callback, requestId);
            return null;
        }

        if (!string.Equals(correlation.HipId, hipId, StringComparison.Ordinal))
        {
            Log.CallbackHipMismatch(_logger, callback, requestId);
            return null;
        }

        return correlation;
    }

    private CallbackOutcome Finish(bool written, QueueEntry? entry, Guid requestId, string callback, Guid entryId, long started, long persisting)
    {
        var persisted = Stopwatch.GetTimestamp();
        var name = callback.Replace('-', '_');
        using var span = EntrySpan.Start($"abdm.{name}.receive", entryId, started)
            .Tag(AbdmTags.RequestId, requestId.ToString());
        if (!written || entry is null)
        {
            span.Tag(AbdmTags.Outcome, "ignored");
            if (entry?.Linking.State is { } current)
            {
                span.Tag(AbdmTags.LinkingState, AbdmTags.Of(current));
            }

            Log.CallbackIgnored(_logger, callback, requestId, entry?.Linking.State);
            return CallbackOutcome.Ignored;
        }

        // The outcome is the linking state the callback led to: awaiting_token after on-init, linked (the token is
        // stored) after on-confirm, or failed (with the gateway's error code).
        var state = AbdmTags.Of(entry.Linking.State);
        span.Tag(AbdmTags.HipId, entry.HipId).Tag(AbdmTags.Outcome, state).Tag(AbdmTags.LinkingState, state);
        if (entry.Linking.ErrorCode is { } code)
        {
            span.Tag(AbdmTags.ErrorCode, code);
        }

        span.Step($"abdm.{name}.persist", persisting, persisted, state);
        if (entry.Linking.State is LinkingState.Linked or LinkingState.Failed)
        {
            _metrics.LinkingChainEnded(entry.HipId, entry.Linking.State, entry.Linking.ErrorCode);
        }

        Log.LinkingStateChanged(_logger, entry.Id, callback, entry.Linking.State, entry.Linking.ErrorCode);
        _signal.Notify();
        return CallbackOutcome.Applied;
    }
}
