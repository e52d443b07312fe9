using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Storage.Conformance;

public abstract partial class ProfileShareStoreConformanceTests
{
    [Fact]
    public async Task AcceptShareAsync_NewShare_CreatesEntryWithFirstTokenAndAcknowledgement()
    {
        var now = Clock.GetUtcNow();
        var intake = NewIntake();

        var result = await Store.AcceptShareAsync(intake);

        Assert.Equal(ShareIntakeOutcome.Created, result.Outcome);
        var entry = result.Entry;
        Assert.Equal(intake.NewEntryId, entry.Id);
        Assert.Equal(Hip, entry.HipId);
        Assert.Equal("C1", entry.CounterCode);
        Assert.Equal(1, entry.TokenNumber);
        Assert.Equal(intake.ServiceDay, entry.ServiceDay);
        Assert.Equal(intake.ShareRequestId, entry.LatestShareRequestId);
        Assert.Equal(WireVersion.V10, entry.WireVersion);
        Assert.Equal(1, entry.ScanCount);
        Assert.Equal(now, entry.FirstScannedAt);
        Assert.Equal(now, entry.LastScannedAt);
        Assert.Equal(now + EntryLifetime, entry.ExpiresAt);
        Assert.Equal(QueueEntryStatus.Received, entry.Status);
        Assert.Equal(AcknowledgementState.Pending, entry.Acknowledgement);
        Assert.Equal(LinkingState.NotStarted, entry.Linking.State);
        Assert.Equal(MatchKind.NotChecked, entry.Match.Kind);
        Assert.Equal(1, entry.Version);
        Assert.Equal(intake.Profile with { Identifiers = entry.Profile.Identifiers }, entry.Profile);
        Assert.Equal(intake.Profile.Identifiers, entry.Profile.Identifiers);
        AssertSameEntry(entry, await Store.GetEntryAsync(entry.Id));

        var item = Assert.Single(await LeaseAllAsync());
        Assert.Equal(intake.AcknowledgementItemId, item.Id);
        Assert.Equal(OutboxItemKind.ShareAcknowledgement, item.Kind);
        Assert.Equal(entry.Id, item.EntryId);
        Assert.Equal(intake.AcknowledgementRequestId, item.RequestId);
        Assert.Equal(intake.ShareRequestId, item.CorrelatesTo);
        Assert.Equal(now, item.CreatedAt);
        Assert.Equal(now, item.DueAt);
        Assert.Equal(0, item.Attempts);
        Assert.Null(item.LastError);
    }

    [Fact]
    public async Task GetEntryAsync_UnknownId_ReturnsNull()
    {
        Assert.Null(await Store.GetEntryAsync(Guid.NewGuid()));
    }

    [Fact]
    public async Task AcceptShareAsync_200ConcurrentSharesAtOneCounter_AllocatesTokens1To200ExactlyOnce()
    {
        var intakes = Enumerable.Range(0, 200).Select(i => NewIntake($"patient-{i}@sbx")).ToList();

        var results = await Task.WhenAll(intakes.Select(intake => Task.Run(() => Store.AcceptShareAsync(intake)))).WaitAsync(Timeout * 3);

        Assert.All(results, r => Assert.Equal(ShareIntakeOutcome.Created, r.Outcome));
        Assert.Equal(Enumerable.Range(1, 200), results.Select(r => r.Entry.TokenNumber).Order());
        var listed = await Store.ListEntriesAsync(Hip, "C1", Clock.GetUtcNow());
        Assert.Equal(Enumerable.Range(1, 200), listed.Select(e => e.TokenNumber).Order());
    }

    [Fact]
    public async Task AcceptShareAsync_TwoCountersAndTwoHips_CountSeparately()
    {
        Assert.Equal(1, (await CreateEntryAsync(NewIntake("patient-a@sbx", counter: "C1"))).TokenNumber);
        Assert.Equal(2, (await CreateEntryAsync(NewIntake("patient-b@sbx", counter: "C1"))).TokenNumber);
        Assert.Equal(1, (await CreateEntryAsync(NewIntake("patient-c@sbx", counter: "C2"))).TokenNumber);
        Assert.Equal(1, (await CreateEntryAsync(NewIntake("patient-d@sbx", hip: OtherHip, counter: "C1"))).TokenNumber);
        Assert.Equal(2, (await CreateEntryAsync(NewIntake("patient-e@sbx", counter: "C2"))).TokenNumber);
        Assert.Equal(3, (await CreateEntryAsync(NewIntake("patient-f@sbx", counter: "C1"))).TokenNumber);
        Assert.Equal(2, (await CreateEntryAsync(NewIntake("patient-g@sbx", hip: OtherHip, counter: "C1"))).TokenNumber);
    }

    [Fact]
    public async Task AcceptShareAsync_NewServiceDay_RestartsAtOne()
    {
        await CreateEntryAsync(NewIntake("patient-a@sbx"));
        Assert.Equal(2, (await CreateEntryAsync(NewIntake("patient-b@sbx"))).TokenNumber);

        Clock.Advance(TimeSpan.FromDays(1));
        var nextDay = await CreateEntryAsync(NewIntake("patient-a@sbx"));

        Assert.Equal(1, nextDay.TokenNumber);
        Assert.Equal(ServiceDayOf(Clock.GetUtcNow()), nextDay.ServiceDay);
        Assert.Equal(2, (await CreateEntryAsync(NewIntake("patient-c@sbx"))).TokenNumber);
    }

    [Fact]
    public async Task AcceptShareAsync_DuplicateRequestId_ReturnsSameEntryAsItIsNowWithoutSecondAcknowledgement()
    {
        var intake = NewIntake();
        var created = await CreateEntryAsync(intake);
        var waiting = await SetStatusAsync(created, QueueEntryStatus.Waiting);
        Clock.Advance(TimeSpan.FromMinutes(1));

        var retry = intake with
        {
            ReceivedAt = Clock.GetUtcNow(),
            NewEntryId = Guid.NewGuid(),
            AcknowledgementItemId = Guid.NewGuid(),
            AcknowledgementRequestId = Guid.NewGuid(),
        };
        var result = await Store.AcceptShareAsync(retry);

        Assert.Equal(ShareIntakeOutcome.Duplicate, result.Outcome);
        AssertSameEntry(waiting, result.Entry);
        AssertSameEntry(waiting, await Store.GetEntryAsync(created.Id));
        var item = Assert.Single(await LeaseAllAsync());
        Assert.Equal(intake.AcknowledgementItemId, item.Id);
        Assert.Null(await Store.GetEntryAsync(retry.NewEntryId));
    }

    [Fact]
    public async Task AcceptShareAsync_20ConcurrentDuplicates_ExactlyOneCreated()
    {
        var requestId = Guid.NewGuid();
        var intakes = Enumerable.Range(0, 20).Select(_ => NewIntake(requestId: requestId)).ToList();

        var results = await Task.WhenAll(intakes.Select(intake => Task.Run(() => Store.AcceptShareAsync(intake)))).WaitAsync(Timeout);

        var created = Assert.Single(results, r => r.Outcome == ShareIntakeOutcome.Created);
        Assert.Equal(19, results.Count(r => r.Outcome == ShareIntakeOutcome.Duplicate));
        Assert.All(results, r => Assert.Equal(created.Entry.Id, r.Entry.Id));
        Assert.All(results, r => Assert.Equal(1, r.Entry.TokenNumber));
        Assert.Single(await LeaseAllAsync());
        Assert.Single(await Store.ListEntriesAsync(Hip, null, Clock.GetUtcNow()));
    }

    [Fact]
    public async Task AcceptShareAsync_RescanInsideWindowCaseInsensitive_RefreshesEntryKeepingToken()
    {
        var first = NewIntake("patient-1@sbx");
        var created = await CreateEntryAsync(first);
        var firstAck = Assert.Single(await LeaseAllAsync());
        Assert.True(await Store.CompleteOutboxItemAsync(firstAck.Id));
        var delivered = await UpdateAsync(new EntryUpdate
        {
            Entry = created with { Status = QueueEntryStatus.Waiting, Acknowledgement = AcknowledgementState.Delivered },
        });
        await CreateEntryAsync(NewIntake("patient-2@sbx"));
        Clock.Advance(TimeSpan.FromMinutes(10));

        var rescan = NewIntake("PATIENT-1@SBX") with { WireVersion = WireVersion.V05 };
        var result = await Store.AcceptShareAsync(rescan);

        Assert.Equal(ShareIntakeOutcome.Rescanned, result.Outcome);
        var entry = result.Entry;
        Assert.Equal(created.Id, entry.Id);
        Assert.Equal(1, entry.TokenNumber);
        Assert.Equal(2, entry.ScanCount);
        Assert.Equal(created.FirstScannedAt, entry.FirstScannedAt);
        Assert.Equal(rescan.ReceivedAt, entry.LastScannedAt);
        Assert.Equal(rescan.ReceivedAt + EntryLifetime, entry.ExpiresAt);
        Assert.Equal(rescan.ShareRequestId, entry.LatestShareRequestId);
        Assert.Equal("PATIENT-1@SBX", entry.Profile.HealthId);
        Assert.Equal(WireVersion.V05, entry.WireVersion);
        Assert.Equal(AcknowledgementState.Pending, entry.Acknowledgement);
        Assert.Equal(QueueEntryStatus.Waiting, entry.Status);
        Assert.Equal(delivered.Version + 1, entry.Version);
        AssertSameEntry(entry, await Store.GetEntryAsync(created.Id));

        var acks = await LeaseAllAsync();
        var ack = Assert.Single(acks, i => i.EntryId == created.Id);
        Assert.Equal(rescan.AcknowledgementItemId, ack.Id);
        Assert.Equal(rescan.AcknowledgementRequestId, ack.RequestId);
        Assert.Equal(rescan.ShareRequestId, ack.CorrelatesTo);
        Assert.Equal(rescan.ReceivedAt, ack.DueAt);
        Assert.Equal(2, acks.Count);
    }

    [Fact]
    public async Task AcceptShareAsync_RetryOfFirstShareAfterRescan_ReturnsDuplicateWithCurrentEntry()
    {
        var first = NewIntake();
        var created = await CreateEntryAsync(first);
        Clock.Advance(TimeSpan.FromMinutes(5));
        var rescanned = await Store.AcceptShareAsync(NewIntake());

        var retry = await Store.AcceptShareAsync(first with { NewEntryId = Guid.NewGuid(), AcknowledgementItemId = Guid.NewGuid() });

        Assert.Equal(ShareIntakeOutcome.Rescanned, rescanned.Outcome);
        Assert.Equal(ShareIntakeOutcome.Duplicate, retry.Outcome);
        Assert.Equal(created.Id, retry.Entry.Id);
        Assert.Equal(2, retry.Entry.ScanCount);
        Assert.Equal(2, retry.Entry.Version);
        Assert.Equal(2, (await LeaseAllAsync()).Count);
    }

    [Fact]
    public async Task AcceptShareAsync_RescanOutsideWindow_AllocatesNewToken()
    {
        var created = await CreateEntryAsync(NewIntake());
        Clock.Advance(RescanWindow + TimeSpan.FromMinutes(1));

        var result = await Store.AcceptShareAsync(NewIntake());

        Assert.Equal(ShareIntakeOutcome.Created, result.Outcome);
        Assert.NotEqual(created.Id, result.Entry.Id);
        Assert.Equal(2, result.Entry.TokenNumber);
        Assert.Equal(1, (await GetRequiredEntryAsync(created.Id)).ScanCount);
    }

    [Fact]
    public async Task AcceptShareAsync_RescanAt20MinutesThenScanAt35Minutes_KeepsTokenThenIssuesNext()
    {
        var t0 = Clock.GetUtcNow();
        var created = await CreateEntryAsync(NewIntake());
        Clock.Advance(TimeSpan.FromMinutes(20));

        var rescan = await Store.AcceptShareAsync(NewIntake());
        Clock.Advance(TimeSpan.FromMinutes(15));
        var late = await Store.AcceptShareAsync(NewIntake());

        Assert.Equal(ShareIntakeOutcome.Rescanned, rescan.Outcome);
        Assert.Equal(created.Id, rescan.Entry.Id);
        Assert.Equal(1, rescan.Entry.TokenNumber);
        Assert.Equal(t0, rescan.Entry.FirstScannedAt);
        Assert.Equal(t0 + TimeSpan.FromMinutes(20), rescan.Entry.LastScannedAt);
        Assert.Equal(ShareIntakeOutcome.Created, late.Outcome);
        Assert.NotEqual(created.Id, late.Entry.Id);
        Assert.Equal(2, late.Entry.TokenNumber);
        Assert.Equal(t0 + TimeSpan.FromMinutes(35), late.Entry.FirstScannedAt);
        var old = await GetRequiredEntryAsync(created.Id);
        Assert.Equal(2, old.ScanCount);
        Assert.Equal(t0, old.FirstScannedAt);
    }

    [Fact]
    public async Task AcceptShareAsync_RescanExactlyAtWindowEndFromFirstScan_Rescanned()
    {
        var t0 = Clock.GetUtcNow();
        var created = await CreateEntryAsync(NewIntake());
        Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(ShareIntakeOutcome.Rescanned, (await Store.AcceptShareAsync(NewIntake())).Outcome);
        Clock.Advance(RescanWindow - TimeSpan.FromMinutes(10));

        var result = await Store.AcceptShareAsync(NewIntake());

        Assert.Equal(ShareIntakeOutcome.Rescanned, result.Outcome);
        Assert.Equal(created.Id, result.Entry.Id);
        Assert.Equal(1, result.Entry.TokenNumber);
        Assert.Equal(3, result.Entry.ScanCount);
        Assert.Equal(t0, result.Entry.FirstScannedAt);
        Assert.Equal(t0 + RescanWindow, result.Entry.LastScannedAt);
    }

    [Fact]
    public async Task AcceptShareAsync_TwoActiveEntriesInsideWindow_RefreshesTheOneFirstScannedLatest()
    {
        var t0 = Clock.GetUtcNow();
        var older = await CreateEntryAsync(NewIntake());
        var dismissed = await SetStatusAsync(older, QueueEntryStatus.Dismissed);
        Clock.Advance(TimeSpan.FromMinutes(5));
        var newer = await CreateEntryAsync(NewIntake());

        // The older entry comes back to the queue with a later last scan than the newer one's: the token rule goes by
        // the first scan (when the token was issued), not by the latest scan.
        await UpdateAsync(new EntryUpdate
        {
            Entry = dismissed with { Status = QueueEntryStatus.Waiting, LastScannedAt = t0 + TimeSpan.FromMinutes(8) },
        });
        Clock.Advance(TimeSpan.FromMinutes(5));

        var result = await Store.AcceptShareAsync(NewIntake());

        Assert.Equal(ShareIntakeOutcome.Rescanned, result.Outcome);
        Assert.Equal(newer.Id, result.Entry.Id);
        Assert.Equal(2, result.Entry.TokenNumber);
        Assert.Equal(1, (await GetRequiredEntryAsync(older.Id)).ScanCount);
    }

    [Fact]
    public async Task AcceptShareAsync_RescanOfExpiredEntryInsideWindow_AllocatesNewToken()
    {
        await CreateEntryAsync(NewIntake(lifetime: TimeSpan.FromMinutes(5)));
        Clock.Advance(TimeSpan.FromMinutes(10));

        var result = await Store.AcceptShareAsync(NewIntake());

        Assert.Equal(ShareIntakeOutcome.Created, result.Outcome);
        Assert.Equal(2, result.Entry.TokenNumber);
    }

    [Theory]
    [InlineData(QueueEntryStatus.Completed)]
    [InlineData(QueueEntryStatus.Dismissed)]
    [InlineData(QueueEntryStatus.Rejected)]
    public async Task AcceptShareAsync_RescanAfterEntryLeftQueue_AllocatesNewToken(QueueEntryStatus status)
    {
        var created = await CreateEntryAsync(NewIntake());
        await SetStatusAsync(created, status);
        Clock.Advance(TimeSpan.FromMinutes(2));

        var result = await Store.AcceptShareAsync(NewIntake());

        Assert.Equal(ShareIntakeOutcome.Created, result.Outcome);
        Assert.Equal(2, result.Entry.TokenNumber);
        Assert.Equal(status, (await GetRequiredEntryAsync(created.Id)).Status);
    }

    [Theory]
    [InlineData(QueueEntryStatus.Waiting)]
    [InlineData(QueueEntryStatus.Claimed)]
    public async Task AcceptShareAsync_RescanOfWaitingOrClaimedEntry_Refreshes(QueueEntryStatus status)
    {
        var created = await CreateEntryAsync(NewIntake());
        await SetStatusAsync(created, status);
        Clock.Advance(TimeSpan.FromMinutes(2));

        var result = await Store.AcceptShareAsync(NewIntake());

        Assert.Equal(ShareIntakeOutcome.Rescanned, result.Outcome);
        Assert.Equal(created.Id, result.Entry.Id);
        Assert.Equal(status, result.Entry.Status);
    }

    [Fact]
    public async Task AcceptShareAsync_SameAddressAtOtherCounterOrHip_AllocatesNewToken()
    {
        var created = await CreateEntryAsync(NewIntake(counter: "C1"));
        Clock.Advance(TimeSpan.FromMinutes(1));

        var otherCounter = await Store.AcceptShareAsync(NewIntake(counter: "C2"));
        var otherHip = await Store.AcceptShareAsync(NewIntake(hip: OtherHip, counter: "C1"));

        Assert.Equal(ShareIntakeOutcome.Created, otherCounter.Outcome);
        Assert.Equal(1, otherCounter.Entry.TokenNumber);
        Assert.Equal(ShareIntakeOutcome.Created, otherHip.Outcome);
        Assert.Equal(1, otherHip.Entry.TokenNumber);
        Assert.Equal(1, (await GetRequiredEntryAsync(created.Id)).ScanCount);
    }

    [Fact]
    public async Task AcceptShareAsync_OtherPatientAtSameCounter_AllocatesNextToken()
    {
        await CreateEntryAsync(NewIntake("patient-1@sbx"));

        var result = await Store.AcceptShareAsync(NewIntake("patient-2@sbx"));

        Assert.Equal(ShareIntakeOutcome.Created, result.Outcome);
        Assert.Equal(2, result.Entry.TokenNumber);
    }

    [Fact]
    public async Task ListEntriesAsync_MixedEntries_FiltersByHipCounterActiveAndExpiryNewestScanFirst()
    {
        var start = Clock.GetUtcNow();
        var a = await CreateEntryAsync(NewIntake("patient-a@sbx", counter: "C1"));
        Clock.Advance(TimeSpan.FromMinutes(1));
        var b = await CreateEntryAsync(NewIntake("patient-b@sbx", counter: "C1"));
        await SetStatusAsync(b, QueueEntryStatus.Claimed);
        Clock.Advance(TimeSpan.FromMinutes(1));
        var c = await CreateEntryAsync(NewIntake("patient-c@sbx", counter: "C2"));
        await SetStatusAsync(c, QueueEntryStatus.Waiting);
        Clock.Advance(TimeSpan.FromMinutes(1));
        var completed = await CreateEntryAsync(NewIntake("patient-d@sbx", counter: "C1"));
        await SetStatusAsync(completed, QueueEntryStatus.Completed);
        var dismissed = await CreateEntryAsync(NewIntake("patient-e@sbx", counter: "C2"));
        await SetStatusAsync(dismissed, QueueEntryStatus.Dismissed);
        Clock.Advance(TimeSpan.FromMinutes(1));
        await CreateEntryAsync(NewIntake("patient-f@sbx", counter: "C1", lifetime: TimeSpan.FromMinutes(1)));
        var otherHip = await CreateEntryAsync(NewIntake("patient-g@sbx", hip: OtherHip, counter: "C1"));
        Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(ShareIntakeOutcome.Rescanned, (await Store.AcceptShareAsync(NewIntake("patient-a@sbx", counter: "C1"))).Outcome);
        var now = start + TimeSpan.FromMinutes(10);

        var all = await Store.ListEntriesAsync(Hip, null, now);
        var counter1 = await Store.ListEntriesAsync(Hip, "C1", now);
        var counter2 = await Store.ListEntriesAsync(Hip, "C2", now);
        var other = await Store.ListEntriesAsync(OtherHip, null, now);
        var later = await Store.ListEntriesAsync(Hip, null, start + TimeSpan.FromHours(5));

        Assert.Equal([a.Id, c.Id, b.Id], all.Select(e => e.Id));
        Assert.Equal([a.Id, b.Id], counter1.Select(e => e.Id));
        Assert.Equal([c.Id], counter2.Select(e => e.Id));
        Assert.Equal([otherHip.Id], other.Select(e => e.Id));
        Assert.Empty(later);
        Assert.Empty(await Store.ListEntriesAsync("HIP-TEST-UNKNOWN", null, now));
        Assert.Equal(2, all[0].ScanCount);
        Assert.Equal(QueueEntryStatus.Claimed, all[2].Status);
    }
}
