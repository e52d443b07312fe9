using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Abdm.ProfileShare.Workflow;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Abdm.ProfileShare.AspNetCore.Tests.Endpoints;

/// <summary>
/// The outbox's store round trips per share: every durable store pays each of them over the network or the disk, so
/// the acknowledgement reads its entry once and the write that finishes an item also removes it.
/// </summary>
public sealed class OutboxRoundTripTests
{
    [Fact]
    public async Task Acknowledgement_NewShare_ReadsEntryOnceAndCompletesInTheEntryUpdate()
    {
        var store = new CountingStore(new InMemoryProfileShareStore());
        await using var host = await ProfileShareTestHost.StartAsync(
            o => o.Linking.Start = LinkingStart.Manual,
            b => b.Services.Replace(ServiceDescriptor.Singleton<IProfileShareStore>(store)));

        using var response = await host.ShareAsync(ProfileShareTestHost.SeedShare());

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await store.SecondUpdate.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await host.App.StopAsync();
        var entry = Assert.Single(await host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
        Assert.Equal(AcknowledgementState.Delivered, entry.Acknowledgement);

        Assert.Equal(1, store.Count(nameof(IProfileShareStore.AcceptShareAsync)));
        Assert.Equal(2, store.Count(nameof(IProfileShareStore.TryUpdateEntryAsync)));
        Assert.Equal(0, store.Count(nameof(IProfileShareStore.CompleteOutboxItemAsync)));

        Assert.Equal(1, store.Count(nameof(IProfileShareStore.GetEntryAsync)));
    }

    private sealed class CountingStore(IProfileShareStore inner) : IProfileShareStore
    {
        private readonly ConcurrentDictionary<string, int> _calls = new();

        /// <summary>Completes when the second entry write (the acknowledgement's) has been made.</summary>
        public TaskCompletionSource SecondUpdate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Count(string method) => _calls.GetValueOrDefault(method);

        private void Hit([CallerMemberName] string method = "") => _calls.AddOrUpdate(method, 1, (_, n) => n + 1);

        public Task<ShareIntakeResult> AcceptShareAsync(ShareIntake intake, CancellationToken cancellationToken = default)
        {
            Hit();
            return inner.AcceptShareAsync(intake, cancellationToken);
        }

        public Task<QueueEntry?> GetEntryAsync(Guid entryId, CancellationToken cancellationToken = default)
        {
            Hit();
            return inner.GetEntryAsync(entryId, cancellationToken);
        }

        public Task<IReadOnlyList<QueueEntry>> ListEntriesAsync(string hipId, string? counterCode, DateTimeOffset now, CancellationToken cancellationToken = default)
        {
            Hit();
            return inner.ListEntriesAsync(hipId, counterCode, now, cancellationToken);
        }

        public async Task<bool> TryUpdateEntryAsync(EntryUpdate update, CancellationToken cancellationToken = default)
        {
            Hit();
            var written = await inner.TryUpdateEntryAsync(update, cancellationToken);
            if (Count(nameof(TryUpdateEntryAsync)) == 2)
            {
                SecondUpdate.TrySetResult();
            }

            return written;
        }

        public Task<Correlation?> GetCorrelationAsync(Guid requestId, CancellationToken cancellationToken = default)
        {
            Hit();
            return inner.GetCorrelationAsync(requestId, cancellationToken);
        }

        public Task<IReadOnlyList<OutboxItem>> LeaseOutboxItemsAsync(string owner, DateTimeOffset now, TimeSpan leaseDuration, int maxItems, CancellationToken cancellationToken = default)
        {
            Hit();
            return inner.LeaseOutboxItemsAsync(owner, now, leaseDuration, maxItems, cancellationToken);
        }

        public Task<bool> RescheduleOutboxItemAsync(Guid itemId, string owner, DateTimeOffset dueAt, int attempts, string? lastError, CancellationToken cancellationToken = default)
        {
            Hit();
            return inner.RescheduleOutboxItemAsync(itemId, owner, dueAt, attempts, lastError, cancellationToken);
        }

        public Task<bool> CompleteOutboxItemAsync(Guid itemId, CancellationToken cancellationToken = default)
        {
            Hit();
            return inner.CompleteOutboxItemAsync(itemId, cancellationToken);
        }

        public Task<OutboxStatistics> GetOutboxStatisticsAsync(CancellationToken cancellationToken = default)
        {
            Hit();
            return inner.GetOutboxStatisticsAsync(cancellationToken);
        }

        public Task<LinkingTokenRecord?> GetLinkingTokenAsync(string hipId, string healthId, CancellationToken cancellationToken = default) =>
            inner.GetLinkingTokenAsync(hipId, healthId, cancellationToken);

        public Task<bool> MarkLinkingTokenUsedAsync(string hipId, string healthId, DateTimeOffset usedAt, CancellationToken cancellationToken = default) =>
            inner.MarkLinkingTokenUsedAsync(hipId, healthId, usedAt, cancellationToken);

        public Task<LinkingRequestGuard> TryBeginLinkingRequestAsync(string hipId, string healthId, Guid requestId, DateTimeOffset now, TimeSpan window, CancellationToken cancellationToken = default) =>
            inner.TryBeginLinkingRequestAsync(hipId, healthId, requestId, now, window, cancellationToken);

        public Task BlockLinkingRequestsAsync(string hipId, string healthId, string errorCode, DateTimeOffset until, CancellationToken cancellationToken = default) =>
            inner.BlockLinkingRequestsAsync(hipId, healthId, errorCode, until, cancellationToken);

        public Task RecordCounterServiceAsync(CounterServiceEvent serviceEvent, CancellationToken cancellationToken = default) =>
            inner.RecordCounterServiceAsync(serviceEvent, cancellationToken);

        public Task<CounterServiceDay?> GetCounterServiceDayAsync(string hipId, string counterCode, DateOnly serviceDay, CancellationToken cancellationToken = default) =>
            inner.GetCounterServiceDayAsync(hipId, counterCode, serviceDay, cancellationToken);

        public Task<int> PurgeAsync(DateTimeOffset cutoff, DateTimeOffset linkingTokenCutoff, CancellationToken cancellationToken = default) => inner.PurgeAsync(cutoff, linkingTokenCutoff, cancellationToken);

        public IAsyncEnumerable<QueueChange> WatchAsync(CancellationToken cancellationToken = default) => inner.WatchAsync(cancellationToken);

        public Task PingAsync(CancellationToken cancellationToken = default) => inner.PingAsync(cancellationToken);
    }
}
