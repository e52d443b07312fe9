using Abdm.ProfileShare.Diagnostics.Internal;
using Abdm.ProfileShare.Internal;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Workflow.Internal;

/// <summary>
/// The request-path side of the workflow, behind <see cref="IProfileShareInbox"/>: persists a share (with its
/// acknowledgement item, in one store call) and applies a linking callback to the entry its requestId names. Everything
/// slow (the host's decision, the directory lookup, gateway calls) happens later in the outbox (<c>Steps/</c>).
/// </summary>
internal sealed class ProfileShareWorkflow
{
    private readonly IProfileShareStore _store;
    private readonly IOptionsMonitor<AbdmProfileShareOptions> _options;
    private readonly WorkflowClock _clock;
    private readonly OutboxSignal _signal;
    private readonly ILogger<ProfileShareWorkflow> _logger;
    private readonly AbdmMetrics _metrics;
    private readonly EntryTransitions _transitions;

    public ProfileShareWorkflow(IProfileShareStore store, IOptionsMonitor<AbdmProfileShareOptions> options, WorkflowClock clock, OutboxSignal signal, ILogger<ProfileShareWorkflow> logger, AbdmMetrics metrics,
        EntryTransitions transitions)
    {
        _transitions = transitions;
        _store = store;
        _options = options;
        _clock = clock;
        _signal = signal;
        _logger = logger;
        _metrics = metrics;
    }

    /// <summary>Persists a share read and checked by the transport (<see cref="IProfileShareInbox.AcceptShareAsync"/>).</summary>
    public async Task<ShareIntakeResult> AcceptAsync(ReceivedShare share, CancellationToken cancellationToken)
    {
        var started = EntrySpan.Timestamp();
        var (requestId, hipId, counter, profile, version) = (share.RequestId, share.HipId, share.CounterCode, share.Profile, share.WireVersion);
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

        var persisting = EntrySpan.Timestamp();
        var result = await _store.AcceptShareAsync(intake, cancellationToken).ConfigureAwait(false);
        var persisted = EntrySpan.Timestamp();

        // The entry id is known only now (a re-scan or a repeat names an existing entry): the span starts late, dated back.
        var outcome = result.Outcome switch { ShareIntakeOutcome.Created => "created", ShareIntakeOutcome.Rescanned => "rescanned", _ => "duplicate" };
        using var span = EntrySpan.Start("abdm.share.receive", result.Entry.Id, started)
            .Tag(AbdmTags.RequestId, requestId)
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

    /// <summary>
    /// Applies a linking callback (<see cref="EntryLifecycle"/>, <see cref="CallbackArrived"/>): the correlation its
    /// requestId names must be of the callback's kind and for the same HIP; the entry changes only if its chain still
    /// waits for exactly that request, or timed out waiting for it. A duplicate, or an answer for a chain that moved on,
    /// changes nothing.
    /// </summary>
    public async Task<LinkingCallbackOutcome> ApplyAsync(LinkingCallback callback, CancellationToken cancellationToken)
    {
        var started = EntrySpan.Timestamp();
        var name = new CallbackArrived(callback).Step;
        var correlation = await FindCorrelationAsync(callback.RequestId, CorrelationOf(callback.Kind), callback.HipId, name, cancellationToken).ConfigureAwait(false);
        if (correlation is null)
        {
            return LinkingCallbackOutcome.Unmatched;
        }

        var persisting = EntrySpan.Timestamp();
        var applied = await _transitions.ApplyAsync(correlation.EntryId, null, new CallbackArrived(callback), cancellationToken).ConfigureAwait(false);
        return Finish(applied.Written, applied.Entry, callback.RequestId, name, correlation.EntryId, started, persisting);
    }

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

        return EntryLifecycle.Awaits(entry.Linking, kind switch
        {
            CorrelationKind.AuthInit => LinkingCallbackKind.AuthOnInit,
            CorrelationKind.AuthConfirm => LinkingCallbackKind.AuthOnConfirm,
            _ => LinkingCallbackKind.OnGenerateToken,
        }, requestId);
    }

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

    private LinkingCallbackOutcome Finish(bool written, QueueEntry? entry, Guid requestId, string callback, Guid entryId, long started, long persisting)
    {
        var persisted = EntrySpan.Timestamp();
        var name = callback.Replace('-', '_');
        using var span = EntrySpan.Start($"abdm.{name}.receive", entryId, started)
            .Tag(AbdmTags.RequestId, requestId);
        if (!written || entry is null)
        {
            span.Tag(AbdmTags.Outcome, "ignored");
            if (entry?.Linking.State is { } current)
            {
                span.Tag(AbdmTags.LinkingState, AbdmTags.Of(current));
            }

            Log.CallbackIgnored(_logger, callback, requestId, entry?.Linking.State);
            return LinkingCallbackOutcome.Ignored;
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

        // The linking state's log line and metric, and the outbox's wake-up, come from EntryTransitions.
        return LinkingCallbackOutcome.Applied;
    }
}
