using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Storage.Conformance;

public abstract partial class ProfileShareStoreConformanceTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    /// <summary>Creates an entry whose acknowledgement is already done, and enqueues items.</summary>
    private async Task<QueueEntry> CreateEntryWithItemsAsync(params OutboxItem[] items)
    {
        var intake = NewIntake($"patient-{Guid.NewGuid():N}@sbx");
        var created = await CreateEntryAsync(intake);
        var fixedItems = items.Select(i => i with { EntryId = created.Id }).ToArray();
        var stored = await UpdateAsync(new EntryUpdate { Entry = created, Enqueue = fixedItems, CompleteOutboxItemId = intake.AcknowledgementItemId });
        return stored;
    }

    [Fact]
    public async Task LeaseOutboxItemsAsync_MixedDueTimes_LeasesOnlyDueItemsEarliestFirstUpToMax()
    {
        var t0 = Clock.GetUtcNow();
        var i1 = NewItem(Guid.Empty, t0 + TimeSpan.FromMinutes(3));
        var i2 = NewItem(Guid.Empty, t0 + TimeSpan.FromMinutes(1));
        var i3 = NewItem(Guid.Empty, t0 + TimeSpan.FromMinutes(2));
        var i4 = NewItem(Guid.Empty, t0 + TimeSpan.FromMinutes(10));
        var entry = await CreateEntryWithItemsAsync(i1, i2, i3, i4);
        var now = t0 + TimeSpan.FromMinutes(5);

        var firstBatch = await Store.LeaseOutboxItemsAsync("owner-a", now, Lease, 2);
        var secondBatch = await Store.LeaseOutboxItemsAsync("owner-a", now, Lease, 10);
        var thirdBatch = await Store.LeaseOutboxItemsAsync("owner-a", now, Lease, 10);

        Assert.Equal([i2.Id, i3.Id], firstBatch.Select(i => i.Id));
        Assert.Equal([i1.Id], secondBatch.Select(i => i.Id));
        Assert.Empty(thirdBatch);
        var leased = firstBatch[0];
        Assert.Equal("owner-a", leased.LeaseOwner);
        Assert.Equal(now + Lease, leased.LeaseExpiresAt);
        Assert.Equal(i2.RequestId, leased.RequestId);
        Assert.Equal(i2.Kind, leased.Kind);
        Assert.Equal(entry.Id, leased.EntryId);
        Assert.Equal(i2.CreatedAt, leased.CreatedAt);
        Assert.Equal(i2.DueAt, leased.DueAt);
        Assert.Null(leased.CorrelatesTo);
        Assert.Equal(0, leased.Attempts);
    }

    [Fact]
    public async Task LeaseOutboxItemsAsync_TwoOwnersConcurrently_LeaseDisjointSets()
    {
        var now = Clock.GetUtcNow();
        var items = Enumerable.Range(0, 30).Select(i => NewItem(Guid.Empty, now - TimeSpan.FromSeconds(i))).ToArray();
        await CreateEntryWithItemsAsync(items);

        var batches = await Task.WhenAll(
            Task.Run(() => Store.LeaseOutboxItemsAsync("owner-a", now, Lease, 20)),
            Task.Run(() => Store.LeaseOutboxItemsAsync("owner-b", now, Lease, 20))).WaitAsync(Timeout);

        var a = batches[0].Select(i => i.Id).ToHashSet();
        var b = batches[1].Select(i => i.Id).ToHashSet();
        Assert.Empty(a.Intersect(b));
        Assert.Equal(30, a.Count + b.Count);
        Assert.All(batches[0], i => Assert.Equal("owner-a", i.LeaseOwner));
        Assert.All(batches[1], i => Assert.Equal("owner-b", i.LeaseOwner));
        Assert.Empty(await Store.LeaseOutboxItemsAsync("owner-c", now, Lease, 100));
    }

    [Fact]
    public async Task LeaseOutboxItemsAsync_ExpiredLease_IsTakenOverByAnotherOwner()
    {
        var now = Clock.GetUtcNow();
        var item = NewItem(Guid.Empty, now);
        await CreateEntryWithItemsAsync(item);
        Assert.Single(await Store.LeaseOutboxItemsAsync("owner-a", now, Lease, 10));

        var whileHeld = await Store.LeaseOutboxItemsAsync("owner-b", now + Lease - TimeSpan.FromSeconds(1), Lease, 10);
        var afterExpiry = await Store.LeaseOutboxItemsAsync("owner-b", now + Lease, Lease, 10);

        Assert.Empty(whileHeld);
        var takenOver = Assert.Single(afterExpiry);
        Assert.Equal(item.Id, takenOver.Id);
        Assert.Equal("owner-b", takenOver.LeaseOwner);
        Assert.Equal(now + Lease + Lease, takenOver.LeaseExpiresAt);
        Assert.False(await Store.RescheduleOutboxItemAsync(item.Id, "owner-a", now + TimeSpan.FromHours(1), 1, "stale owner"));
        Assert.True(await Store.RescheduleOutboxItemAsync(item.Id, "owner-b", now + TimeSpan.FromHours(1), 1, "current owner"));
    }

    [Fact]
    public async Task RescheduleOutboxItemAsync_NonOwnerOrMissingItem_ReturnsFalseAndKeepsLease()
    {
        var now = Clock.GetUtcNow();
        var item = NewItem(Guid.Empty, now);
        await CreateEntryWithItemsAsync(item);
        await Store.LeaseOutboxItemsAsync("owner-a", now, Lease, 10);

        var byOther = await Store.RescheduleOutboxItemAsync(item.Id, "owner-b", now, 1, "not mine");
        var missing = await Store.RescheduleOutboxItemAsync(Guid.NewGuid(), "owner-a", now, 1, "gone");

        Assert.False(byOther);
        Assert.False(missing);
        Assert.Empty(await Store.LeaseOutboxItemsAsync("owner-b", now + TimeSpan.FromSeconds(1), Lease, 10));
    }

    [Fact]
    public async Task RescheduleOutboxItemAsync_Owner_SetsDueAttemptsErrorAndClearsLease()
    {
        var now = Clock.GetUtcNow();
        var item = NewItem(Guid.Empty, now);
        await CreateEntryWithItemsAsync(item);
        await Store.LeaseOutboxItemsAsync("owner-a", now, TimeSpan.FromMinutes(10), 10);
        var retryAt = now + TimeSpan.FromMinutes(1);

        var rescheduled = await Store.RescheduleOutboxItemAsync(item.Id, "owner-a", retryAt, 3, "gateway unreachable (test)");

        Assert.True(rescheduled);
        Assert.Empty(await Store.LeaseOutboxItemsAsync("owner-b", retryAt - TimeSpan.FromSeconds(1), Lease, 10));
        var again = Assert.Single(await Store.LeaseOutboxItemsAsync("owner-b", retryAt, Lease, 10));
        Assert.Equal(item.Id, again.Id);
        Assert.Equal(retryAt, again.DueAt);
        Assert.Equal(3, again.Attempts);
        Assert.Equal("gateway unreachable (test)", again.LastError);
        Assert.Equal("owner-b", again.LeaseOwner);
        Assert.Equal(item.CreatedAt, again.CreatedAt);
        Assert.True(await Store.RescheduleOutboxItemAsync(item.Id, "owner-b", retryAt, 4, null));
        var cleared = Assert.Single(await LeaseAllAsync(retryAt));
        Assert.Null(cleared.LastError);
        Assert.Equal(4, cleared.Attempts);
    }

    [Fact]
    public async Task CompleteOutboxItemAsync_ExistingItem_RemovesItOnce()
    {
        var now = Clock.GetUtcNow();
        var item = NewItem(Guid.Empty, now);
        await CreateEntryWithItemsAsync(item);
        await Store.LeaseOutboxItemsAsync("owner-a", now, Lease, 10);

        var first = await Store.CompleteOutboxItemAsync(item.Id);
        var second = await Store.CompleteOutboxItemAsync(item.Id);

        Assert.True(first);
        Assert.False(second);
        Assert.Empty(await LeaseAllAsync(now + TimeSpan.FromHours(1)));
        Assert.False(await Store.RescheduleOutboxItemAsync(item.Id, "owner-a", now, 1, null));
        Assert.Equal(new OutboxStatistics(0, null, null), await Store.GetOutboxStatisticsAsync());
    }

    [Fact]
    public async Task GetOutboxStatisticsAsync_EmptyAndPending_ReportsCountOldestAndNextLeasable()
    {
        Assert.Equal(new OutboxStatistics(0, null, null), await Store.GetOutboxStatisticsAsync());
        var t0 = Clock.GetUtcNow();
        var oldest = NewItem(Guid.Empty, t0 + TimeSpan.FromMinutes(5), createdAt: t0 - TimeSpan.FromMinutes(3));
        var soonest = NewItem(Guid.Empty, t0 - TimeSpan.FromMinutes(1), createdAt: t0 - TimeSpan.FromMinutes(1));
        var other = NewItem(Guid.Empty, t0 + TimeSpan.FromMinutes(1), createdAt: t0);
        await CreateEntryWithItemsAsync(oldest, soonest, other);
        await Store.LeaseOutboxItemsAsync("owner-a", t0, Lease, 10);

        var statistics = await Store.GetOutboxStatisticsAsync();

        // The leased item can next be leased when its lease expires (t0 + 30 s), before the others are due.
        Assert.Equal(new OutboxStatistics(3, t0 - TimeSpan.FromMinutes(3), t0 + Lease), statistics);
    }
}
