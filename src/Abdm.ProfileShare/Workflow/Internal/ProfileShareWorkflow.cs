using System.Diagnostics;
using Abdm.ProfileShare.Diagnostics.Internal;
using Abdm.ProfileShare.Internal;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Abdm.ProfileShare.Wire;
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
internal readonly record struct ShareAcceptResult(ShareAcceptStatus Status, string? Error, ShareIntakeResult? Intake);

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

    public ProfileShareWorkflow(IProfileShareStore store, IOptionsMonitor<AbdmProfileShareOptions> options, WorkflowClock clock, OutboxSignal signal, ILogger<ProfileShareWorkflow> logger, AbdmMetrics metrics)
    {
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

    private async Task<ShareAcceptResult> AcceptAsync(Guid requestId, SharedProfile? profile, WireVersion version, string? hipId, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (!IsServedHip(hipId))
        {
            Log.ShareRefusedUnknownHip(_logger, requestId);
            return new ShareAcceptResult(ShareAcceptStatus.UnknownHip, string.IsNullOrEmpty(hipId)
                ? "The X-HIP-ID header is required."
                : "X-HIP-ID names a HIP this host does not serve.", null);
        }

        var invalid = ShareMapper.Validate(requestId, profile);
        if (invalid is not null)
        {
            Log.ShareRefusedInvalid(_logger, requestId, hipId!);
            return new ShareAcceptResult(ShareAcceptStatus.Invalid, invalid, null);
        }

        var options = _options.CurrentValue;
        var now = _clock.Now;
        var intake = new ShareIntake
        {
            ShareRequestId = requestId,
            HipId = hipId!,
            CounterCode = ShareMapper.CounterCode(profile!.HipCode, options.Queue.DefaultCounterCode),
            Profile = ShareMapper.ToProfile(profile.Patient),
            WireVersion = version,
            ReceivedAt = now,
            ServiceDay = _clock.ServiceDay(now),
            RescanWindow = options.Queue.RescanWindow,
            EntryLifetime = options.Queue.EntryLifetime,
            NewEntryId = Guid.CreateVersion7(now),
            AcknowledgementItemId = Guid.CreateVersion7(now),
            AcknowledgementRequestId = Guid.NewGuid(),
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
        if (result.Outcome != ShareIntakeOutcome.Duplicate)
        {
            _signal.Notify();
        }

        return new ShareAcceptResult(ShareAcceptStatus.Accepted, null, result);
    }

    public async Task<CallbackOutcome> HandleAuthOnInitAsync(PatientAuthInitResponse callback, string hipId, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var requestId = callback.Resp.RequestId;
        var correlation = await FindCorrelationAsync(requestId, CorrelationKind.AuthInit, hipId, "on-init", cancellationToken).ConfigureAwait(false);
        if (correlation is null)
        {
            return CallbackOutcome.Unmatched;
        }

        var persisting = Stopwatch.GetTimestamp();

        var now = _clock.Now;
        var (written, entry) = await EntryUpdater.UpdateAsync(_store, correlation.EntryId, current =>
        {
            var linking = current.Linking;
            if (linking.State != LinkingState.AwaitingTransaction || linking.InitRequestId != requestId)
            {
                return null;
            }

            if (callback.Error is not null || string.IsNullOrWhiteSpace(callback.Auth?.TransactionId))
            {
                return LinkingFailure(current, callback.Error, "The gateway's on-init carried no transactionId.", now);
            }

            var confirmRequestId = Guid.NewGuid();
            return new EntryUpdate
            {
                Entry = current with
                {
                    Linking = linking with
                    {
                        State = LinkingState.AwaitingToken,
                        TransactionId = callback.Auth.TransactionId,
                        ConfirmRequestId = confirmRequestId,
                        UpdatedAt = now,
                    },
                },
                Enqueue = [NewItem(OutboxItemKind.AuthConfirm, current.Id, confirmRequestId, now)],
                Correlations = [new Correlation(confirmRequestId, CorrelationKind.AuthConfirm, current.Id, current.HipId, now)],
            };
        }, cancellationToken).ConfigureAwait(false);

        return Finish(written, entry, requestId, "on-init", correlation.EntryId, started, persisting);
    }

    public async Task<CallbackOutcome> HandleAuthOnConfirmAsync(PatientAuthConfirmResponse callback, string hipId, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var requestId = callback.Resp.RequestId;
        var correlation = await FindCorrelationAsync(requestId, CorrelationKind.AuthConfirm, hipId, "on-confirm", cancellationToken).ConfigureAwait(false);
        if (correlation is null)
        {
            return CallbackOutcome.Unmatched;
        }

        var persisting = Stopwatch.GetTimestamp();

        var now = _clock.Now;
        var (written, entry) = await EntryUpdater.UpdateAsync(_store, correlation.EntryId, current =>
        {
            var linking = current.Linking;
            if (linking.State != LinkingState.AwaitingToken || linking.ConfirmRequestId != requestId)
            {
                return null;
            }

            var token = callback.Auth?.AccessToken;
            if (callback.Error is not null || string.IsNullOrWhiteSpace(token))
            {
                return LinkingFailure(current, callback.Error, "The gateway's on-confirm carried no linking token.", now);
            }

            return new EntryUpdate
            {
                Entry = current with
                {
                    Linking = linking with { State = LinkingState.Linked, ErrorCode = null, ErrorMessage = null, UpdatedAt = now },
                },
                LinkingToken = new LinkingTokenRecord
                {
                    HipId = current.HipId,
                    HealthId = current.Profile.HealthId,
                    Token = token,
                    EntryId = current.Id,
                    ReceivedAt = now,
                },
                Enqueue = [NewItem(OutboxItemKind.LinkingNotification, current.Id, requestId, now)],
            };
        }, cancellationToken).ConfigureAwait(false);

        return Finish(written, entry, requestId, "on-confirm", correlation.EntryId, started, persisting);
    }

    /// <summary>Builds the change that starts (or restarts) the linking chain of an entry.</summary>
    internal static EntryUpdate StartLinking(QueueEntry entry, DateTimeOffset now, Guid? completeOutboxItemId = null, QueueEntry? with = null)
    {
        var current = with ?? entry;
        var initRequestId = Guid.NewGuid();
        return new EntryUpdate
        {
            Entry = current with
            {
                Linking = new LinkingStatus { State = LinkingState.AwaitingTransaction, InitRequestId = initRequestId, UpdatedAt = now },
            },
            Enqueue = [NewItem(OutboxItemKind.AuthInit, entry.Id, initRequestId, now)],
            Correlations = [new Correlation(initRequestId, CorrelationKind.AuthInit, entry.Id, entry.HipId, now)],
            CompleteOutboxItemId = completeOutboxItemId,
        };
    }

    internal static EntryUpdate LinkingFailure(QueueEntry current, Error? error, string fallbackMessage, DateTimeOffset now, Guid? completeOutboxItemId = null) => new()
    {
        Entry = current with
        {
            Linking = current.Linking with
            {
                State = LinkingState.Failed,
                ErrorCode = error?.Code,
                ErrorMessage = string.IsNullOrWhiteSpace(error?.Message) ? fallbackMessage : error.Message,
                UpdatedAt = now,
            },
        },
        Enqueue = [NewItem(OutboxItemKind.LinkingNotification, current.Id, current.Linking.ConfirmRequestId ?? current.Linking.InitRequestId ?? Guid.NewGuid(), now)],
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
        var name = callback == "on-init" ? "on_init" : "on_confirm";
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
            span.Tag(AbdmTags.ErrorCode, code.ToString(System.Globalization.CultureInfo.InvariantCulture));
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
