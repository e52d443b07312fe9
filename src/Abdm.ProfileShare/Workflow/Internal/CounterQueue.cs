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

    public async Task<QueueActionResult> CallNextAsync(string hipId, string counterCode, string operatorId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(hipId);
        ArgumentException.ThrowIfNullOrEmpty(counterCode);
        ArgumentException.ThrowIfNullOrWhiteSpace(operatorId);
        var today = _clock.ServiceDay(_clock.Now);
        var candidates = (await _store.ListEntriesAsync(hipId, counterCode, _clock.Now, cancellationToken).ConfigureAwait(false))
            .Where(e => e.Status == QueueEntryStatus.Waiting && e.CalledAt is null && e.ServiceDay == today)
            .OrderBy(e => e.TokenNumber);
        foreach (var candidate in candidates)
        {
            // Another desk may call the same token at once: the first write wins, the other moves to the next token.
            var applied = await _transitions.ApplyAsync(candidate.Id, candidate, new OperatorCalled(operatorId), cancellationToken).ConfigureAwait(false);
            if (applied.Written && applied.Entry is { } called)
            {
                await RecordAsync(called, new OperatorCalled(operatorId), cancellationToken).ConfigureAwait(false);
                Log.QueueAction(_logger, called.Id, "call", QueueActionOutcome.Done, called.Status);
                return new QueueActionResult(QueueActionOutcome.Done, called);
            }
        }

        return new QueueActionResult(QueueActionOutcome.NotFound, null);
    }

    public async Task<CounterRunningToken> GetRunningTokenAsync(string hipId, string counterCode, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(hipId);
        ArgumentException.ThrowIfNullOrEmpty(counterCode);
        var now = _clock.Now;
        var today = _clock.ServiceDay(now);
        var day = await _store.GetCounterServiceDayAsync(hipId, counterCode, today, cancellationToken).ConfigureAwait(false);
        var running = new CounterRunningToken { HipId = hipId, CounterCode = counterCode, ServiceDay = today };
        if (day?.RunningTokenNumber is not { } token)
        {
            return running with { ServedToday = day?.ServedCount ?? 0 };
        }

        var average = day.ServedCount > 0 ? day.TotalServiceTime / day.ServedCount : now - (day.CalledAt ?? now);
        return running with
        {
            TokenNumber = token,
            CalledAt = day.CalledAt,
            ServedToday = day.ServedCount,
            AverageServiceMinutes = Math.Max(1, (int)Math.Ceiling(average.TotalMinutes)),
        };
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

    /// <summary>
    /// Feeds the counter's service record: a claim or call-next that called the token, a registration with its time from
    /// call to registration. A failure here is logged and does not undo the action (the figures are for display).
    /// </summary>
    private async Task RecordAsync(QueueEntry entry, EntryEvent action, CancellationToken cancellationToken)
    {
        // Written: a call-next called the token; a claim or registration did when it set the call time to its own.
        var called = action switch
        {
            OperatorCalled => true,
            OperatorClaimed => entry.CalledAt is not null && entry.CalledAt == entry.ClaimedAt,
            OperatorCompleted => entry.CalledAt is not null && entry.CalledAt == entry.CompletedAt,
            _ => false,
        };
        var served = action is OperatorCompleted && entry.CompletedAt is { } completedAt && entry.CalledAt is { } start
            ? completedAt - start
            : (TimeSpan?)null;
        if (!called && served is null)
        {
            return;
        }

        try
        {
            await _store.RecordCounterServiceAsync(new CounterServiceEvent
            {
                HipId = entry.HipId,
                CounterCode = entry.CounterCode,
                ServiceDay = entry.ServiceDay,
                At = entry.CalledAt ?? _clock.Now,
                CalledTokenNumber = called ? entry.TokenNumber : null,
                ServiceTime = served,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.CounterServiceNotRecorded(_logger, entry.Id, ex);
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

        if (applied.Written)
        {
            await RecordAsync(entry, action, cancellationToken).ConfigureAwait(false);
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
