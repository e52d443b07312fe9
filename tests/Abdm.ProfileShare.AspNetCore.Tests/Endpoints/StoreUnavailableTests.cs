using System.Net;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Abdm.ProfileShare.Workflow;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Abdm.ProfileShare.AspNetCore.Tests.Endpoints;

/// <summary>
/// A share is answered 2xx only when its row committed: when the store fails (down, timed out, its commit's outcome
/// unknown), the endpoint answers 503 with Retry-After, so the gateway delivers the share again; once the store is back,
/// the same share is stored once.
/// </summary>
public sealed class StoreUnavailableTests
{
    [Theory]
    [InlineData("/v0.5/patients/profile/share", HttpStatusCode.Accepted)]
    [InlineData("/v1.0/patients/profile/share", HttpStatusCode.Accepted)]
    public async Task Share_StoreFails_503WithRetryAfterThenStoredOnceWhenBack(string path, HttpStatusCode stored)
    {
        var store = new SwitchableStore(new InMemoryProfileShareStore()) { Down = true };
        await using var host = await ProfileShareTestHost.StartAsync(
            o => o.Linking.Start = LinkingStart.Manual,
            b => b.Services.Replace(ServiceDescriptor.Singleton<IProfileShareStore>(store)));
        var share = ProfileShareTestHost.SeedShare();

        using var refused = await host.ShareAsync(share, path);
        store.Down = false;
        using var again = await host.ShareAsync(share, path);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), refused.Headers.RetryAfter?.Delta);
        Assert.Equal(stored, again.StatusCode);
        Assert.Single(await host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
    }

    /// <summary>The in-memory store, with AcceptShareAsync failing as an unreachable database does while <see cref="Down"/>.</summary>
    private sealed class SwitchableStore(IProfileShareStore inner) : IProfileShareStore
    {
        public volatile bool Down;

        public Task<ShareIntakeResult> AcceptShareAsync(ShareIntake intake, CancellationToken cancellationToken = default) =>
            Down ? Task.FromException<ShareIntakeResult>(new TimeoutException("The database did not answer.")) : inner.AcceptShareAsync(intake, cancellationToken);

        public Task<QueueEntry?> GetEntryAsync(Guid entryId, CancellationToken cancellationToken = default) => inner.GetEntryAsync(entryId, cancellationToken);

        public Task<IReadOnlyList<QueueEntry>> ListEntriesAsync(string hipId, string? counterCode, DateTimeOffset now, CancellationToken cancellationToken = default) =>
            inner.ListEntriesAsync(hipId, counterCode, now, cancellationToken);

        public Task<bool> TryUpdateEntryAsync(EntryUpdate update, CancellationToken cancellationToken = default) => inner.TryUpdateEntryAsync(update, cancellationToken);

        public Task<Correlation?> GetCorrelationAsync(Guid requestId, CancellationToken cancellationToken = default) => inner.GetCorrelationAsync(requestId, cancellationToken);

        public Task<IReadOnlyList<OutboxItem>> LeaseOutboxItemsAsync(string owner, DateTimeOffset now, TimeSpan leaseDuration, int maxItems, CancellationToken cancellationToken = default) =>
            inner.LeaseOutboxItemsAsync(owner, now, leaseDuration, maxItems, cancellationToken);

        public Task<bool> RescheduleOutboxItemAsync(Guid itemId, string owner, DateTimeOffset dueAt, int attempts, string? lastError, CancellationToken cancellationToken = default) =>
            inner.RescheduleOutboxItemAsync(itemId, owner, dueAt, attempts, lastError, cancellationToken);

        public Task<bool> CompleteOutboxItemAsync(Guid itemId, CancellationToken cancellationToken = default) => inner.CompleteOutboxItemAsync(itemId, cancellationToken);

        public Task<OutboxStatistics> GetOutboxStatisticsAsync(CancellationToken cancellationToken = default) => inner.GetOutboxStatisticsAsync(cancellationToken);

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

        public Task<int> PurgeAsync(DateTimeOffset cutoff, DateTimeOffset linkingTokenCutoff, CancellationToken cancellationToken = default) =>
            inner.PurgeAsync(cutoff, linkingTokenCutoff, cancellationToken);

        public IAsyncEnumerable<QueueChange> WatchAsync(CancellationToken cancellationToken = default) => inner.WatchAsync(cancellationToken);

        public Task PingAsync(CancellationToken cancellationToken = default) => inner.PingAsync(cancellationToken);
    }
}
