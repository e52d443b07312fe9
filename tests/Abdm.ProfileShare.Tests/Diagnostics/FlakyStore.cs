using System.Runtime.CompilerServices;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;

namespace Abdm.ProfileShare.Tests.Diagnostics;

/// <summary>An in-memory store that can be taken down: while <see cref="Down"/>, every call throws.</summary>
internal sealed class FlakyStore : IProfileShareStore
{
    private readonly InMemoryProfileShareStore _inner = new();
    private readonly Lock _gate = new();
    private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = [];
    private int _failures;

    public volatile bool Down;

    public InMemoryProfileShareStore Inner => _inner;

    public int Failures => Volatile.Read(ref _failures);

    /// <summary>Completes once <paramref name="count"/> calls in all have failed.</summary>
    public Task WaitForFailuresAsync(int count)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_failures >= count)
            {
                return Task.CompletedTask;
            }

            _waiters.Add((count, signal));
        }

        return signal.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public Task<ShareIntakeResult> AcceptShareAsync(ShareIntake intake, CancellationToken cancellationToken = default) => Guard(() => _inner.AcceptShareAsync(intake, cancellationToken));

    public Task<QueueEntry?> GetEntryAsync(Guid entryId, CancellationToken cancellationToken = default) => Guard(() => _inner.GetEntryAsync(entryId, cancellationToken));

    public Task<IReadOnlyList<QueueEntry>> ListEntriesAsync(string hipId, string? counterCode, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Guard(() => _inner.ListEntriesAsync(hipId, counterCode, now, cancellationToken));

    public Task<bool> TryUpdateEntryAsync(EntryUpdate update, CancellationToken cancellationToken = default) => Guard(() => _inner.TryUpdateEntryAsync(update, cancellationToken));

    public Task<Correlation?> GetCorrelationAsync(Guid requestId, CancellationToken cancellationToken = default) => Guard(() => _inner.GetCorrelationAsync(requestId, cancellationToken));

    public Task<IReadOnlyList<OutboxItem>> LeaseOutboxItemsAsync(string owner, DateTimeOffset now, TimeSpan leaseDuration, int maxItems, CancellationToken cancellationToken = default) =>
        Guard(() => _inner.LeaseOutboxItemsAsync(owner, now, leaseDuration, maxItems, cancellationToken));

    public Task<bool> RescheduleOutboxItemAsync(Guid itemId, string owner, DateTimeOffset dueAt, int attempts, string? lastError, CancellationToken cancellationToken = default) =>
        Guard(() => _inner.RescheduleOutboxItemAsync(itemId, owner, dueAt, attempts, lastError, cancellationToken));

    public Task<bool> CompleteOutboxItemAsync(Guid itemId, CancellationToken cancellationToken = default) => Guard(() => _inner.CompleteOutboxItemAsync(itemId, cancellationToken));

    public Task<OutboxStatistics> GetOutboxStatisticsAsync(CancellationToken cancellationToken = default) => Guard(() => _inner.GetOutboxStatisticsAsync(cancellationToken));

    public Task<LinkingTokenRecord?> GetLinkingTokenAsync(string hipId, string healthId, CancellationToken cancellationToken = default) =>
        Guard(() => _inner.GetLinkingTokenAsync(hipId, healthId, cancellationToken));

    public Task<bool> MarkLinkingTokenUsedAsync(string hipId, string healthId, DateTimeOffset usedAt, CancellationToken cancellationToken = default) =>
        Guard(() => _inner.MarkLinkingTokenUsedAsync(hipId, healthId, usedAt, cancellationToken));

    public Task<LinkingRequestGuard> TryBeginLinkingRequestAsync(string hipId, string healthId, Guid requestId, DateTimeOffset now, TimeSpan window, CancellationToken cancellationToken = default) =>
        Guard(() => _inner.TryBeginLinkingRequestAsync(hipId, healthId, requestId, now, window, cancellationToken));

    public Task BlockLinkingRequestsAsync(string hipId, string healthId, string errorCode, DateTimeOffset until, CancellationToken cancellationToken = default) =>
        Guard(() => _inner.BlockLinkingRequestsAsync(hipId, healthId, errorCode, until, cancellationToken));

    public Task RecordCounterServiceAsync(CounterServiceEvent serviceEvent, CancellationToken cancellationToken = default) =>
        Guard(() => _inner.RecordCounterServiceAsync(serviceEvent, cancellationToken));

    public Task<CounterServiceDay?> GetCounterServiceDayAsync(string hipId, string counterCode, DateOnly serviceDay, CancellationToken cancellationToken = default) =>
        Guard(() => _inner.GetCounterServiceDayAsync(hipId, counterCode, serviceDay, cancellationToken));

    public Task<int> PurgeAsync(DateTimeOffset cutoff, DateTimeOffset linkingTokenCutoff, CancellationToken cancellationToken = default) => Guard(() => _inner.PurgeAsync(cutoff, linkingTokenCutoff, cancellationToken));

    public async IAsyncEnumerable<QueueChange> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var change in _inner.WatchAsync(cancellationToken))
        {
            yield return change;
        }
    }

    public Task PingAsync(CancellationToken cancellationToken = default) => Guard(() => _inner.PingAsync(cancellationToken));

    private Task<T> Guard<T>(Func<Task<T>> call) => Down ? Task.FromException<T>(Fail()) : call();

    private Task Guard(Func<Task> call) => Down ? Task.FromException(Fail()) : call();

    private InvalidOperationException Fail()
    {
        List<TaskCompletionSource> reached = [];
        lock (_gate)
        {
            _failures++;
            foreach (var waiter in _waiters.ToList())
            {
                if (_failures >= waiter.Count)
                {
                    reached.Add(waiter.Signal);
                    _waiters.Remove(waiter);
                }
            }
        }

        foreach (var signal in reached)
        {
            signal.TrySetResult();
        }

        return new InvalidOperationException("synthetic: the store is down");
    }
}
