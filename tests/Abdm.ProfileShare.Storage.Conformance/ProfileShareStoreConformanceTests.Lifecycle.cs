using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Storage.Conformance;

public abstract partial class ProfileShareStoreConformanceTests
{
    [Fact]
    public async Task PurgeAsync_ExpiredEntry_RemovesItWithDedupeKeysCorrelationsAndOutboxButKeepsUnexpiredLinkingToken()
    {
        var t0 = Clock.GetUtcNow();
        var shortIntake = NewIntake("patient-a@sbx", lifetime: TimeSpan.FromHours(1));
        var expiring = await CreateEntryAsync(shortIntake);
        var init = NewItem(expiring.Id, t0);
        var correlation = new Correlation(init.RequestId, CorrelationKind.AuthInit, expiring.Id, Hip, t0);
        var token = new LinkingTokenRecord { HipId = Hip, HealthId = "patient-a@sbx", Token = "linking-token-test-1", EntryId = expiring.Id, ReceivedAt = t0, ExpiresAt = t0 + TimeSpan.FromDays(182.5) };
        await UpdateAsync(new EntryUpdate { Entry = expiring, Enqueue = [init], Correlations = [correlation], LinkingToken = token });
        var keptIntake = NewIntake("patient-b@sbx");
        var kept = await CreateEntryAsync(keptIntake);
        var keptCorrelation = new Correlation(Guid.NewGuid(), CorrelationKind.AuthInit, kept.Id, Hip, t0);
        await UpdateAsync(new EntryUpdate { Entry = kept, Correlations = [keptCorrelation] });
        Clock.Advance(TimeSpan.FromHours(2));

        var purged = await Store.PurgeAsync(Clock.GetUtcNow(), Clock.GetUtcNow());

        Assert.Equal(1, purged);
        Assert.Null(await Store.GetEntryAsync(expiring.Id));
        Assert.NotNull(await Store.GetEntryAsync(kept.Id));
        Assert.Null(await Store.GetCorrelationAsync(correlation.RequestId));
        Assert.Equal(keptCorrelation, await Store.GetCorrelationAsync(keptCorrelation.RequestId));
        Assert.Equal(token, await Store.GetLinkingTokenAsync(Hip, "patient-a@sbx"));
        var remaining = await LeaseAllAsync();
        Assert.Equal([keptIntake.AcknowledgementItemId], remaining.Select(i => i.Id));
        Assert.Equal(1, (await Store.GetOutboxStatisticsAsync()).Pending);

        var again = await Store.AcceptShareAsync(shortIntake with { ReceivedAt = Clock.GetUtcNow(), NewEntryId = Guid.NewGuid() });
        Assert.Equal(ShareIntakeOutcome.Created, again.Outcome);
        Assert.NotEqual(expiring.Id, again.Entry.Id);
        Assert.Equal(3, again.Entry.TokenNumber);
    }

    [Fact]
    public async Task PurgeAsync_CutoffBeforeExpiry_KeepsEverything()
    {
        var created = await CreateEntryAsync(NewIntake());

        var purged = await Store.PurgeAsync(created.ExpiresAt, created.ExpiresAt);

        Assert.Equal(0, purged);
        Assert.NotNull(await Store.GetEntryAsync(created.Id));
        Assert.Single(await LeaseAllAsync());
        Assert.Equal(ShareIntakeOutcome.Duplicate, (await Store.AcceptShareAsync(NewIntake(requestId: created.LatestShareRequestId))).Outcome);
    }

    [Fact]
    public async Task PurgeAsync_TokenCountersOfEarlierDays_AreRemoved()
    {
        var dayOne = NewIntake("patient-a@sbx");
        await CreateEntryAsync(dayOne);
        await CreateEntryAsync(NewIntake("patient-b@sbx"));
        Clock.Advance(TimeSpan.FromDays(2));
        var today = await CreateEntryAsync(NewIntake("patient-c@sbx"));

        await Store.PurgeAsync(Clock.GetUtcNow(), Clock.GetUtcNow());
        var replayedDayOne = await CreateEntryAsync(NewIntake("patient-d@sbx") with { ServiceDay = dayOne.ServiceDay });
        var nextToday = await CreateEntryAsync(NewIntake("patient-e@sbx"));

        Assert.Equal(1, replayedDayOne.TokenNumber);
        Assert.Equal(1, today.TokenNumber);
        Assert.Equal(2, nextToday.TokenNumber);
    }

    [Fact]
    public async Task PurgeAsync_LinkingTokenCutoff_RemovesExpiredTokensAndKeepsUnexpiredOnes()
    {
        var t0 = Clock.GetUtcNow();
        var entry = await CreateEntryAsync(NewIntake("patient-a@sbx"));
        LinkingTokenRecord Token(string healthId, TimeSpan lifetime) => new()
        {
            HipId = Hip, HealthId = healthId, Token = "linking-token-" + healthId, EntryId = entry.Id, ReceivedAt = t0, ExpiresAt = t0 + lifetime,
        };
        var expired = Token("patient-a@sbx", TimeSpan.FromHours(1));
        var atCutoff = Token("patient-b@sbx", TimeSpan.FromHours(2));
        var valid = Token("patient-c@sbx", TimeSpan.FromDays(182.5));
        var stored = await UpdateAsync(new EntryUpdate { Entry = entry, LinkingToken = expired });
        stored = await UpdateAsync(new EntryUpdate { Entry = stored, LinkingToken = atCutoff });
        await UpdateAsync(new EntryUpdate { Entry = stored, LinkingToken = valid });
        Clock.Advance(TimeSpan.FromHours(2));

        // Entries are purged a retention period after they expire (none here); linking tokens as soon as they expire.
        var purged = await Store.PurgeAsync(t0 - TimeSpan.FromDays(1), Clock.GetUtcNow());

        Assert.Equal(0, purged);
        Assert.Null(await Store.GetLinkingTokenAsync(Hip, "patient-a@sbx"));
        Assert.Equal(atCutoff, await Store.GetLinkingTokenAsync(Hip, "patient-b@sbx"));
        Assert.Equal(valid, await Store.GetLinkingTokenAsync(Hip, "patient-c@sbx"));
        Assert.NotNull(await Store.GetEntryAsync(entry.Id));
    }

    [Fact]
    public async Task PurgeAsync_ReplacedLinkingToken_UsesTheNewExpiry()
    {
        var t0 = Clock.GetUtcNow();
        var entry = await CreateEntryAsync(NewIntake());
        var first = new LinkingTokenRecord { HipId = Hip, HealthId = "patient-1@sbx", Token = "linking-token-test-1", EntryId = entry.Id, ReceivedAt = t0, ExpiresAt = t0 + TimeSpan.FromHours(1) };
        var stored = await UpdateAsync(new EntryUpdate { Entry = entry, LinkingToken = first });
        var second = first with { Token = "linking-token-test-2", ExpiresAt = t0 + TimeSpan.FromDays(182.5) };
        await UpdateAsync(new EntryUpdate { Entry = stored, LinkingToken = second });
        Clock.Advance(TimeSpan.FromHours(2));

        await Store.PurgeAsync(Clock.GetUtcNow(), Clock.GetUtcNow());

        Assert.Equal(second, await Store.GetLinkingTokenAsync(Hip, "patient-1@sbx"));
    }

    [Fact]
    public async Task WatchAsync_EntryLifecycle_YieldsAddedUpdatedAndRemovedWithIds()
    {
        await using var feed = Watch();
        var intake = NewIntake();

        var created = await CreateEntryAsync(intake);
        var added = await feed.NextAsync();
        await Store.AcceptShareAsync(intake);
        Clock.Advance(TimeSpan.FromMinutes(1));
        var rescanned = (await Store.AcceptShareAsync(NewIntake())).Entry;
        var rescanChange = await feed.NextAsync();
        var waiting = await SetStatusAsync(rescanned, QueueEntryStatus.Waiting);
        var updated = await feed.NextAsync();
        await SetStatusAsync(waiting, QueueEntryStatus.Completed);
        var removed = await feed.NextAsync();

        Assert.Equal(new QueueChange(QueueChangeKind.Added, created.Id, Hip, "C1", 1), added);
        Assert.Equal(new QueueChange(QueueChangeKind.Updated, created.Id, Hip, "C1", 2), rescanChange);
        Assert.Equal(new QueueChange(QueueChangeKind.Updated, created.Id, Hip, "C1", 3), updated);
        Assert.Equal(new QueueChange(QueueChangeKind.Removed, created.Id, Hip, "C1", 4), removed);
    }

    [Theory]
    [InlineData(QueueEntryStatus.Completed)]
    [InlineData(QueueEntryStatus.Dismissed)]
    [InlineData(QueueEntryStatus.Rejected)]
    public async Task WatchAsync_EntryLeavesQueue_YieldsRemoved(QueueEntryStatus status)
    {
        // Subscribed before the entry exists: a store whose feed crosses processes (Redis pub/sub) may deliver the
        // creation's change after a later subscription began, so the creation is read first, then the removal.
        await using var feed = Watch();
        var created = await CreateEntryAsync(NewIntake(counter: "C7"));
        var added = await feed.NextAsync();

        await SetStatusAsync(created, status);
        var change = await feed.NextAsync();

        Assert.Equal(new QueueChange(QueueChangeKind.Added, created.Id, Hip, "C7", 1), added);
        Assert.Equal(new QueueChange(QueueChangeKind.Removed, created.Id, Hip, "C7", 2), change);
    }

    [Fact]
    public async Task WatchAsync_TwoSubscribers_BothSeeEveryChange()
    {
        await using var first = Watch();
        await using var second = Watch();

        var created = await CreateEntryAsync(NewIntake(hip: OtherHip));

        Assert.Equal(created.Id, (await first.NextAsync()).EntryId);
        var seen = await second.NextAsync();
        Assert.Equal(QueueChangeKind.Added, seen.Kind);
        Assert.Equal(OtherHip, seen.HipId);
    }

    [Fact]
    public async Task WatchAsync_Cancelled_EndsTheFeed()
    {
        var feed = Watch();

        Assert.True(await feed.CancelAndAwaitEndAsync());
        await feed.DisposeAsync();
        await CreateEntryAsync(NewIntake());
    }

    [Fact]
    public async Task PingAsync_ReachableStore_Completes()
    {
        await Store.PingAsync().WaitAsync(Timeout);
    }
}
