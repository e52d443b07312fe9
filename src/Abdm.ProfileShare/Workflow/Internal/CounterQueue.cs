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
    private readonly WorkflowClock _clock;
    private readonly EntryTransitions _transitions;
    private readonly ILogger<CounterQueue> _logger;
    private readonly LinkingTokenProtector _linkingTokens;

    public CounterQueue(IProfileShareStore store, WorkflowClock clock, EntryTransitions transitions, ILogger<CounterQueue> logger, LinkingTokenProtector linkingTokens)
    {
        _linkingTokens = linkingTokens;
        _store = store;
        _clock = clock;
        _transitions = transitions;
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
        return ActAsync(entryId, new OperatorClaimed(operatorId), cancellationToken);
    }

    public Task<QueueActionResult> ReleaseAsync(Guid entryId, string operatorId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operatorId);
        return ActAsync(entryId, new OperatorReleased(operatorId), cancellationToken);
    }

    public Task<QueueActionResult> CompleteAsync(Guid entryId, string operatorId, string patientId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operatorId);
        ArgumentException.ThrowIfNullOrWhiteSpace(patientId);
        return ActAsync(entryId, new OperatorCompleted(operatorId, patientId), cancellationToken);
    }

    public Task<QueueActionResult> DismissAsync(Guid entryId, string operatorId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operatorId);
        return ActAsync(entryId, new OperatorDismissed(operatorId), cancellationToken);
    }

    public Task<QueueActionResult> StartLinkingAsync(Guid entryId, CancellationToken cancellationToken = default) =>
        ActAsync(entryId, new LinkingRequested(), cancellationToken);

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

    /// <summary>An operator's (or the host's) action, decided by <see cref="EntryLifecycle"/> and written by <see cref="EntryTransitions"/>.</summary>
    private async Task<QueueActionResult> ActAsync(Guid entryId, EntryEvent action, CancellationToken cancellationToken)
    {
        var applied = await _transitions.ApplyAsync(entryId, null, action, cancellationToken).ConfigureAwait(false);
        if (applied.Entry is not { } entry)
        {
            return new QueueActionResult(QueueActionOutcome.NotFound, null);
        }

        var outcome = applied.Result switch
        {
            TransitionResult.Applied or TransitionResult.AlreadyDone => QueueActionOutcome.Done,
            TransitionResult.HeldByOther => QueueActionOutcome.HeldByOther,
            _ => QueueActionOutcome.NotAllowed,
        };
        Log.QueueAction(_logger, entryId, action.Step, outcome, entry.Status);
        return new QueueActionResult(outcome, entry);
    }
}
