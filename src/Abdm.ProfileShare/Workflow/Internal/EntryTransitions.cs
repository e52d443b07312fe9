using Abdm.ProfileShare.Diagnostics.Internal;
using Abdm.ProfileShare.Internal;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Workflow.Internal;

/// <summary>What applying an event to a stored entry did.</summary>
/// <param name="Result">The lifecycle's verdict on the entry as last read.</param>
/// <param name="Written">Whether the change was written.</param>
/// <param name="Entry">The entry as written (or as last read when nothing was written); null when it is gone.</param>
/// <param name="CompletedItem">Whether the write also removed the outbox item the event came from.</param>
internal readonly record struct AppliedEvent(TransitionResult Result, bool Written, QueueEntry? Entry, bool CompletedItem);

/// <summary>
/// Applies <see cref="EntryLifecycle"/> to a stored entry: reads it (or starts from one just read), asks the lifecycle,
/// encrypts a linking token the change stores, writes with optimistic concurrency (retried on a conflict), and reports
/// what changed in one place: the linking state's log line and metric, and a wake-up of the outbox when items were
/// enqueued.
/// </summary>
internal sealed class EntryTransitions
{
    private readonly IProfileShareStore _store;
    private readonly IOptionsMonitor<AbdmProfileShareOptions> _options;
    private readonly WorkflowClock _clock;
    private readonly OutboxSignal _signal;
    private readonly LinkingTokenProtector _linkingTokens;
    private readonly AbdmMetrics _metrics;
    private readonly ILogger<EntryTransitions> _logger;

    public EntryTransitions(IProfileShareStore store, IOptionsMonitor<AbdmProfileShareOptions> options, WorkflowClock clock, OutboxSignal signal,
        LinkingTokenProtector linkingTokens, AbdmMetrics metrics, ILogger<EntryTransitions> logger)
    {
        _store = store;
        _options = options;
        _clock = clock;
        _signal = signal;
        _linkingTokens = linkingTokens;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Applies <paramref name="event"/> to entry <paramref name="entryId"/>, starting from <paramref name="known"/> when given.</summary>
    public async Task<AppliedEvent> ApplyAsync(Guid entryId, QueueEntry? known, EntryEvent @event, CancellationToken cancellationToken)
    {
        var transition = Transition.Refused;
        QueueEntry? before = null;
        var (written, entry) = await EntryUpdater.UpdateAsync(_store, entryId, known, current =>
        {
            before = current;
            var options = _options.CurrentValue;
            var now = _clock.Now;
            transition = EntryLifecycle.Apply(current, @event, now, new LifecycleSettings(options.WireVersion, options.Linking.Start, options.Linking.BlockedErrorCodes));
            return transition is { Update: { } update, TokenToStore: { } token }
                ? update with
                {
                    LinkingToken = _linkingTokens.Protect(new LinkingTokenRecord
                    {
                        HipId = current.HipId,
                        HealthId = current.Profile.HealthId,
                        Token = token,
                        EntryId = current.Id,
                        ReceivedAt = now,
                    }),
                }
                : transition.Update;
        }, cancellationToken).ConfigureAwait(false);

        if (written && entry is not null)
        {
            Report(before!, entry, @event, transition.Update!);
            if (transition.BlockCode is { } code)
            {
                await BlockAsync(entry, code, cancellationToken).ConfigureAwait(false);
            }
        }

        // Only an event that comes from an outbox item completes one, and always its own.
        var completed = written && transition.Update?.CompleteOutboxItemId is not null;
        return new AppliedEvent(transition.Result, written, entry, completed);
    }

    /// <summary>
    /// Records the gateway's block of the patient's address (<c>Linking:BlockedErrorCodes</c>) for every instance. The
    /// entry's failure is already written; if this write fails, the gateway still refuses the next request with the same
    /// code, and that refusal records the block then.
    /// </summary>
    private async Task BlockAsync(QueueEntry entry, string code, CancellationToken cancellationToken)
    {
        var until = _clock.Now + _options.CurrentValue.Linking.BlockDuration;
        try
        {
            await _store.BlockLinkingRequestsAsync(entry.HipId, entry.Profile.HealthId, code, until, cancellationToken).ConfigureAwait(false);
            Log.LinkingBlocked(_logger, entry.Id, entry.HipId, code, until);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.LinkingBlockNotStored(_logger, entry.Id, entry.HipId, code, ex);
        }
    }

    private void Report(QueueEntry before, QueueEntry after, EntryEvent @event, EntryUpdate update)
    {
        var linking = after.Linking;
        if (linking.State != before.Linking.State)
        {
            Log.LinkingStateChanged(_logger, after.Id, @event.Step, linking.State, linking.ErrorCode);
            if (linking.State is LinkingState.Linked or LinkingState.Failed or LinkingState.TimedOut)
            {
                _metrics.LinkingChainEnded(after.HipId, linking.State, linking.ErrorCode);
            }
        }

        if (update.Enqueue.Count > 0)
        {
            _signal.Notify();
        }
    }
}
