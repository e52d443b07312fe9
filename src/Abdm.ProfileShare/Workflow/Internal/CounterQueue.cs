using System.Runtime.CompilerServices;
using Abdm.ProfileShare.Internal;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Workflow.Internal;

/// <summary>The counter queue over the store (see <see cref="ICounterQueue"/>).</summary>
internal sealed class CounterQueue : ICounterQueue
{
    private readonly IProfileShareStore _store;
    private readonly IOptionsMonitor<AbdmProfileShareOptions> _options;
    private readonly WorkflowClock _clock;
    private readonly OutboxSignal _signal;
    private readonly ILogger<CounterQueue> _logger;
    private readonly LinkingTokenProtector _linkingTokens;

    public CounterQueue(IProfileShareStore store, IOptionsMonitor<AbdmProfileShareOptions> options, WorkflowClock clock, OutboxSignal signal, ILogger<CounterQueue> logger,
        LinkingTokenProtector linkingTokens)
    {
        _linkingTokens = linkingTokens;
        _store = store;
        _options = options;
        _clock = clock;
        _signal = signal;
        _logger = logger;
    }

    public Task<IReadOnlyList<QueueEntry>> ListAsync(string hipId, string? counterCode, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(hipId);
        return _store.ListEntriesAsync(hipId, counterCode, _clock.Now, cancellationToken);
    }

    public Task<QueueEntry?> GetAsync(Guid entryId, CancellationToken cancellationToken = default) =>
        _store.GetEntryAsync(entryId, cancellationToken);

    public Task<QueueActionResult> ClaimAsync(Guid entryId, string operatorId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operatorId);
        return ActAsync(entryId, "claim", current =>
        {
            if (!current.IsActive(_clock.Now))
            {
                return (QueueActionOutcome.NotAllowed, null);
            }

            if (current.Status == QueueEntryStatus.Claimed)
            {
                return current.ClaimedBy == operatorId ? (QueueActionOutcome.Done, null) : (QueueActionOutcome.HeldByOther, null);
            }

            if (current.Status != QueueEntryStatus.Waiting)
            {
                return (QueueActionOutcome.NotAllowed, null);
            }

            var now = _clock.Now;
            var claimed = current with { Status = QueueEntryStatus.Claimed, ClaimedBy = operatorId, ClaimedAt = now };
            var startLinking = _options.CurrentValue.Linking.Start == LinkingStart.OnClaim
                && current.Linking.State == LinkingState.NotStarted
                && current.Acknowledgement == AcknowledgementState.Delivered;
            return (QueueActionOutcome.Done, startLinking ? ProfileShareWorkflow.StartLinking(current, now, _options.CurrentValue.WireVersion, with: claimed) : new EntryUpdate { Entry = claimed });
        }, cancellationToken);
    }

    public Task<QueueActionResult> ReleaseAsync(Guid entryId, string operatorId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operatorId);
        return ActAsync(entryId, "release", current =>
        {
            if (current.Status != QueueEntryStatus.Claimed)
            {
                return (current.Status == QueueEntryStatus.Waiting ? QueueActionOutcome.Done : QueueActionOutcome.NotAllowed, null);
            }

            return current.ClaimedBy != operatorId
                ? (QueueActionOutcome.HeldByOther, null)
                : (QueueActionOutcome.Done, new EntryUpdate { Entry = current with { Status = QueueEntryStatus.Waiting, ClaimedBy = null, ClaimedAt = null } });
        }, cancellationToken);
    }

    public Task<QueueActionResult> CompleteAsync(Guid entryId, string operatorId, string patientId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operatorId);
        ArgumentException.ThrowIfNullOrWhiteSpace(patientId);
        return ActAsync(entryId, "complete", current =>
        {
            if (current.Status == QueueEntryStatus.Claimed && current.ClaimedBy != operatorId)
            {
                return (QueueActionOutcome.HeldByOther, null);
            }

            if (current.Status is not (QueueEntryStatus.Waiting or QueueEntryStatus.Claimed))
            {
                return (QueueActionOutcome.NotAllowed, null);
            }

            var now = _clock.Now;
            var completed = current with { Status = QueueEntryStatus.Completed, RegisteredPatientId = patientId, ClaimedBy = operatorId, ClaimedAt = current.ClaimedAt ?? now };
            var startLinking = _options.CurrentValue.Linking.Start == LinkingStart.OnClaim
                && current.Linking.State == LinkingState.NotStarted
                && current.Acknowledgement == AcknowledgementState.Delivered;
            return (QueueActionOutcome.Done, startLinking ? ProfileShareWorkflow.StartLinking(current, now, _options.CurrentValue.WireVersion, with: completed) : new EntryUpdate { Entry = completed });
        }, cancellationToken);
    }

    public Task<QueueActionResult> DismissAsync(Guid entryId, string operatorId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operatorId);
        return ActAsync(entryId, "dismiss", current =>
        {
            if (current.Status == QueueEntryStatus.Claimed && current.ClaimedBy != operatorId)
            {
                return (QueueActionOutcome.HeldByOther, null);
            }

            return current.Status is not (QueueEntryStatus.Waiting or QueueEntryStatus.Claimed or QueueEntryStatus.Received)
                ? (QueueActionOutcome.NotAllowed, null)
                : (QueueActionOutcome.Done, new EntryUpdate { Entry = current with { Status = QueueEntryStatus.Dismissed, ClaimedBy = operatorId } });
        }, cancellationToken);
    }

    public Task<QueueActionResult> StartLinkingAsync(Guid entryId, CancellationToken cancellationToken = default) =>
        ActAsync(entryId, "start-linking", current =>
        {
            if (current.Status == QueueEntryStatus.Rejected || current.Linking.State is LinkingState.Linked or LinkingState.AwaitingTransaction or LinkingState.AwaitingToken)
            {
                return (current.Linking.State == LinkingState.Linked || current.Linking.IsInFlight ? QueueActionOutcome.Done : QueueActionOutcome.NotAllowed, null);
            }

            return (QueueActionOutcome.Done, ProfileShareWorkflow.StartLinking(current, _clock.Now, _options.CurrentValue.WireVersion));
        }, cancellationToken);

    public async Task<LinkingTokenRecord?> GetLinkingTokenAsync(string hipId, string phrAddress, CancellationToken cancellationToken = default) =>
        _linkingTokens.Unprotect(await _store.GetLinkingTokenAsync(hipId, phrAddress, cancellationToken).ConfigureAwait(false), _clock.Now);

    public async IAsyncEnumerable<QueueChange> WatchAsync(string hipId, string? counterCode, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(hipId);
        await foreach (var change in _store.WatchAsync(cancellationToken).ConfigureAwait(false))
        {
            if (change.HipId == hipId && (counterCode is null || change.CounterCode == counterCode))
            {
                yield return change;
            }
        }
    }

    private async Task<QueueActionResult> ActAsync(Guid entryId, string action, Func<QueueEntry, (QueueActionOutcome Outcome, EntryUpdate? Update)> decide, CancellationToken cancellationToken)
    {
        var outcome = QueueActionOutcome.NotFound;
        var (written, entry) = await EntryUpdater.UpdateAsync(_store, entryId, current =>
        {
            (outcome, var update) = decide(current);
            return update;
        }, cancellationToken).ConfigureAwait(false);
        if (entry is null)
        {
            return new QueueActionResult(QueueActionOutcome.NotFound, null);
        }

        Log.QueueAction(_logger, entryId, action, outcome, entry.Status);
        if (written && entry.Linking.State == LinkingState.AwaitingTransaction)
        {
            _signal.Notify();
        }

        return new QueueActionResult(outcome, entry);
    }
}
