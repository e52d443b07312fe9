using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;

namespace Abdm.ProfileShare.PostgreSql.Tests;

/// <summary>Intakes and feed reading for the PostgreSQL-specific facts (the conformance suite has its own).</summary>
internal static class StoreTestSupport
{
    public const string Hip = "HIP-PG-1";
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    public static readonly DateTimeOffset T0 = new(2026, 3, 2, 3, 30, 0, TimeSpan.Zero);

    public static ShareIntake NewIntake(string healthId, string counter = "C1", DateTimeOffset? at = null)
    {
        var receivedAt = at ?? T0;
        return new ShareIntake
        {
            ShareRequestId = Guid.NewGuid(),
            HipId = Hip,
            CounterCode = counter,
            Profile = new SharedPatientProfile { HealthId = healthId, Name = "Test Patient", Gender = Gender.Female, YearOfBirth = 1990 },
            WireVersion = WireVersion.V10,
            ReceivedAt = receivedAt,
            ServiceDay = DateOnly.FromDateTime(receivedAt.ToOffset(TimeSpan.FromHours(5.5)).DateTime),
            RescanWindow = TimeSpan.FromMinutes(30),
            EntryLifetime = TimeSpan.FromHours(4),
            NewEntryId = Guid.NewGuid(),
            AcknowledgementItemId = Guid.NewGuid(),
            AcknowledgementRequestId = Guid.NewGuid(),
        };
    }

    /// <summary>Collects a store's change feed in the background; <see cref="WaitForAsync"/> awaits a condition with a timeout.</summary>
    public sealed class FeedCollector : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly List<QueueChange> _changes = [];
        private readonly Task _reading;
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private FeedCollector(IProfileShareStore store)
        {
            var feed = store.WatchAsync(_stop.Token).GetAsyncEnumerator(_stop.Token);
            _reading = ReadAsync(feed, feed.MoveNextAsync().AsTask());
        }

        /// <summary>Subscribes (the first MoveNextAsync is called before this returns).</summary>
        public static FeedCollector Start(IProfileShareStore store) => new(store);

        public IReadOnlyList<QueueChange> Changes
        {
            get
            {
                lock (_changes)
                {
                    return [.. _changes];
                }
            }
        }

        public async Task WaitForAsync(Func<IReadOnlyList<QueueChange>, bool> condition, TimeSpan timeout)
        {
            using var deadline = new CancellationTokenSource(timeout);
            while (true)
            {
                Task changed;
                lock (_changes)
                {
                    if (condition(_changes))
                    {
                        return;
                    }

                    changed = _changed.Task;
                }

                try
                {
                    await changed.WaitAsync(deadline.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"The change feed did not reach the expected state within {timeout} ({Changes.Count} changes seen).");
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await _reading.WaitAsync(Wait);
            }
            catch (OperationCanceledException)
            {
            }
        }

        private async Task ReadAsync(IAsyncEnumerator<QueueChange> feed, Task<bool> first)
        {
            await using var _ = feed;
            try
            {
                for (var next = first; await next; next = feed.MoveNextAsync().AsTask())
                {
                    lock (_changes)
                    {
                        _changes.Add(feed.Current);
                        _changed.TrySetResult();
                        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    }

                    if (_stop.IsCancellationRequested)
                    {
                        return;
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
