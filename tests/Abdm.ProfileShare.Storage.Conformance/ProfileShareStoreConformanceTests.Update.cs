using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Storage.Conformance;

public abstract partial class ProfileShareStoreConformanceTests
{
    [Fact]
    public async Task TryUpdateEntryAsync_CurrentVersion_WritesEntryWithNextVersion()
    {
        var created = await CreateEntryAsync(NewIntake());
        var changed = created with
        {
            Status = QueueEntryStatus.Waiting,
            Acknowledgement = AcknowledgementState.Delivered,
            RejectionReason = "synthetic reason",
            Match = new PatientMatch
            {
                Kind = MatchKind.Candidates,
                Candidates = [new MatchCandidate("MRN-TEST-1", 80, ["mobile", "yearOfBirth"], "Test Patient One"), new MatchCandidate("MRN-TEST-2", 40, ["name"], null)],
            },
            Linking = new LinkingStatus
            {
                State = LinkingState.Failed,
                InitRequestId = Guid.NewGuid(),
                TransactionId = "txn-test-1",
                ConfirmRequestId = Guid.NewGuid(),
                ErrorCode = "1441",
                ErrorMessage = "synthetic mismatch",
                UpdatedAt = Clock.GetUtcNow(),
            },
        };

        var stored = await UpdateAsync(new EntryUpdate { Entry = changed });

        AssertSameEntry(changed with { Version = 2 }, stored);
        var claimed = await UpdateAsync(new EntryUpdate { Entry = stored with { Status = QueueEntryStatus.Claimed, ClaimedBy = "operator-1", ClaimedAt = Clock.GetUtcNow() } });
        Assert.Equal(3, claimed.Version);
        Assert.Equal("operator-1", claimed.ClaimedBy);
        Assert.Equal(Clock.GetUtcNow(), claimed.ClaimedAt);
    }

    [Fact]
    public async Task TryUpdateEntryAsync_StaleVersion_ReturnsFalseAndWritesNothing()
    {
        var created = await CreateEntryAsync(NewIntake());
        var waiting = await SetStatusAsync(created, QueueEntryStatus.Waiting);

        var stale = await Store.TryUpdateEntryAsync(new EntryUpdate { Entry = created with { Status = QueueEntryStatus.Dismissed } });

        Assert.False(stale);
        AssertSameEntry(waiting, await Store.GetEntryAsync(created.Id));
    }

    [Fact]
    public async Task TryUpdateEntryAsync_MissingEntry_ReturnsFalse()
    {
        var created = await CreateEntryAsync(NewIntake());

        var result = await Store.TryUpdateEntryAsync(new EntryUpdate { Entry = created with { Id = Guid.NewGuid() } });

        Assert.False(result);
    }

    [Fact]
    public async Task TryUpdateEntryAsync_TwoWritersOfSameVersion_ExactlyOneWins()
    {
        var created = await CreateEntryAsync(NewIntake());
        var first = new EntryUpdate { Entry = created with { Status = QueueEntryStatus.Waiting } };
        var second = new EntryUpdate { Entry = created with { Status = QueueEntryStatus.Dismissed } };

        var results = await Task.WhenAll(Task.Run(() => Store.TryUpdateEntryAsync(first)), Task.Run(() => Store.TryUpdateEntryAsync(second))).WaitAsync(Timeout);

        Assert.Single(results, r => r);
        var stored = await GetRequiredEntryAsync(created.Id);
        Assert.Equal(2, stored.Version);
        Assert.Equal(results[0] ? QueueEntryStatus.Waiting : QueueEntryStatus.Dismissed, stored.Status);
    }

    [Fact]
    public async Task TryUpdateEntryAsync_20OperatorsClaimFromSameRead_ExactlyOneSucceeds()
    {
        var created = await CreateEntryAsync(NewIntake());
        var waiting = await SetStatusAsync(created, QueueEntryStatus.Waiting);
        var now = Clock.GetUtcNow();

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
            (Operator: $"operator-{i}", Won: await Store.TryUpdateEntryAsync(new EntryUpdate
            {
                Entry = waiting with { Status = QueueEntryStatus.Claimed, ClaimedBy = $"operator-{i}", ClaimedAt = now },
            }))))).WaitAsync(Timeout);

        var winner = Assert.Single(results, r => r.Won);
        var stored = await GetRequiredEntryAsync(created.Id);
        Assert.Equal(QueueEntryStatus.Claimed, stored.Status);
        Assert.Equal(winner.Operator, stored.ClaimedBy);
        Assert.Equal(waiting.Version + 1, stored.Version);
    }

    [Fact]
    public async Task TryUpdateEntryAsync_WithSideEffects_WritesThemAllTogether()
    {
        var intake = NewIntake();
        var created = await CreateEntryAsync(intake);
        var init = NewItem(created.Id, Clock.GetUtcNow(), OutboxItemKind.AuthInit);
        var timeout = NewItem(created.Id, Clock.GetUtcNow() + TimeSpan.FromMinutes(2), OutboxItemKind.LinkingTimeout);
        var correlation = new Correlation(init.RequestId, CorrelationKind.AuthInit, created.Id, Hip, Clock.GetUtcNow());
        var token = new LinkingTokenRecord { HipId = Hip, HealthId = "patient-1@sbx", Token = "linking-token-test-1", EntryId = created.Id, ReceivedAt = Clock.GetUtcNow() };

        var stored = await UpdateAsync(new EntryUpdate
        {
            Entry = created with { Linking = new LinkingStatus { State = LinkingState.AwaitingTransaction, InitRequestId = init.RequestId } },
            Enqueue = [init, timeout],
            Correlations = [correlation],
            CompleteOutboxItemId = intake.AcknowledgementItemId,
            LinkingToken = token,
        });

        Assert.Equal(LinkingState.AwaitingTransaction, stored.Linking.State);
        Assert.Equal(init.RequestId, stored.Linking.InitRequestId);
        Assert.Equal(correlation, await Store.GetCorrelationAsync(init.RequestId));
        Assert.Equal(token, await Store.GetLinkingTokenAsync(Hip, "patient-1@sbx"));
        var due = Assert.Single(await LeaseAllAsync());
        Assert.Equal(init.Id, due.Id);
        Assert.Equal(OutboxItemKind.AuthInit, due.Kind);
        Assert.Equal(init.RequestId, due.RequestId);
        Assert.Equal(2, (await Store.GetOutboxStatisticsAsync()).Pending);
        Assert.True(await Store.CompleteOutboxItemAsync(init.Id));
        var later = Assert.Single(await LeaseAllAsync(Clock.GetUtcNow() + TimeSpan.FromMinutes(2)));
        Assert.Equal(timeout.Id, later.Id);
        Assert.Equal(OutboxItemKind.LinkingTimeout, later.Kind);
    }

    [Fact]
    public async Task TryUpdateEntryAsync_StaleVersionWithSideEffects_WritesNoneOfThem()
    {
        var intake = NewIntake();
        var created = await CreateEntryAsync(intake);
        await SetStatusAsync(created, QueueEntryStatus.Waiting);
        var init = NewItem(created.Id, Clock.GetUtcNow());
        var correlation = new Correlation(init.RequestId, CorrelationKind.AuthInit, created.Id, Hip, Clock.GetUtcNow());

        var result = await Store.TryUpdateEntryAsync(new EntryUpdate
        {
            Entry = created with { Status = QueueEntryStatus.Claimed },
            Enqueue = [init],
            Correlations = [correlation],
            CompleteOutboxItemId = intake.AcknowledgementItemId,
            LinkingToken = new LinkingTokenRecord { HipId = Hip, HealthId = "patient-1@sbx", Token = "linking-token-test-1", EntryId = created.Id, ReceivedAt = Clock.GetUtcNow() },
        });

        Assert.False(result);
        Assert.Null(await Store.GetCorrelationAsync(init.RequestId));
        Assert.Null(await Store.GetLinkingTokenAsync(Hip, "patient-1@sbx"));
        var item = Assert.Single(await LeaseAllAsync());
        Assert.Equal(intake.AcknowledgementItemId, item.Id);
        Assert.Equal(QueueEntryStatus.Waiting, (await GetRequiredEntryAsync(created.Id)).Status);
    }

    [Fact]
    public async Task GetCorrelationAsync_RecordedCorrelations_RoundTripByRequestId()
    {
        var created = await CreateEntryAsync(NewIntake());
        var init = new Correlation(Guid.NewGuid(), CorrelationKind.AuthInit, created.Id, Hip, Clock.GetUtcNow());
        var confirm = new Correlation(Guid.NewGuid(), CorrelationKind.AuthConfirm, created.Id, Hip, Clock.GetUtcNow() + TimeSpan.FromSeconds(3));

        await UpdateAsync(new EntryUpdate { Entry = created, Correlations = [init, confirm] });

        Assert.Equal(init, await Store.GetCorrelationAsync(init.RequestId));
        Assert.Equal(confirm, await Store.GetCorrelationAsync(confirm.RequestId));
        Assert.Null(await Store.GetCorrelationAsync(Guid.NewGuid()));
        Assert.Null(await Store.GetCorrelationAsync(created.LatestShareRequestId));
    }

    [Fact]
    public async Task GetLinkingTokenAsync_StoredToken_ReadsCaseInsensitivelyPerHip()
    {
        var created = await CreateEntryAsync(NewIntake("Patient-1@sbx"));
        var token = new LinkingTokenRecord { HipId = Hip, HealthId = "Patient-1@sbx", Token = "linking-token-test-1", EntryId = created.Id, ReceivedAt = Clock.GetUtcNow() };

        await UpdateAsync(new EntryUpdate { Entry = created, LinkingToken = token });

        Assert.Equal(token, await Store.GetLinkingTokenAsync(Hip, "patient-1@SBX"));
        Assert.Equal(token, await Store.GetLinkingTokenAsync(Hip, "Patient-1@sbx"));
        Assert.Null(await Store.GetLinkingTokenAsync(OtherHip, "patient-1@sbx"));
        Assert.Null(await Store.GetLinkingTokenAsync(Hip, "patient-2@sbx"));
    }

    [Fact]
    public async Task GetLinkingTokenAsync_ExpiresAt_RoundTripsThroughWriteAndMarkUsed()
    {
        var created = await CreateEntryAsync(NewIntake());
        var receivedAt = new DateTimeOffset(2026, 3, 2, 9, 0, 0, LocalOffset).AddTicks(1234567);
        var token = new LinkingTokenRecord
        {
            HipId = Hip, HealthId = "patient-1@sbx", Token = "linking-token-test-1", EntryId = created.Id, ReceivedAt = receivedAt,
            ExpiresAt = receivedAt + TimeSpan.FromDays(182.5) + TimeSpan.FromTicks(7),
        };
        await UpdateAsync(new EntryUpdate { Entry = created, LinkingToken = token });
        var written = await Store.GetLinkingTokenAsync(Hip, "patient-1@sbx");
        var usedAt = Clock.GetUtcNow();
        Assert.True(await Store.MarkLinkingTokenUsedAsync(Hip, "patient-1@sbx", usedAt));

        Assert.Equal(token, written);
        Assert.Equal(token.ExpiresAt, written!.ExpiresAt);
        Assert.Equal(token.ExpiresAt.Value.Offset, written.ExpiresAt!.Value.Offset);
        Assert.Equal(token with { UsedAt = usedAt }, await Store.GetLinkingTokenAsync(Hip, "patient-1@sbx"));
    }

    [Fact]
    public async Task GetLinkingTokenAsync_NewerToken_ReplacesEarlierOne()
    {
        var created = await CreateEntryAsync(NewIntake());
        var first = new LinkingTokenRecord { HipId = Hip, HealthId = "patient-1@sbx", Token = "linking-token-test-1", EntryId = created.Id, ReceivedAt = Clock.GetUtcNow() };
        var stored = await UpdateAsync(new EntryUpdate { Entry = created, LinkingToken = first });
        Assert.True(await Store.MarkLinkingTokenUsedAsync(Hip, "patient-1@sbx", Clock.GetUtcNow()));
        Clock.Advance(TimeSpan.FromHours(1));
        var second = first with { HealthId = "PATIENT-1@sbx", Token = "linking-token-test-2", ReceivedAt = Clock.GetUtcNow() };

        await UpdateAsync(new EntryUpdate { Entry = stored, LinkingToken = second });

        Assert.Equal(second, await Store.GetLinkingTokenAsync(Hip, "patient-1@sbx"));
        Assert.True(await Store.MarkLinkingTokenUsedAsync(Hip, "patient-1@sbx", Clock.GetUtcNow()));
    }

    [Fact]
    public async Task MarkLinkingTokenUsedAsync_UnusedToken_MarksItOnce()
    {
        var created = await CreateEntryAsync(NewIntake());
        var token = new LinkingTokenRecord { HipId = Hip, HealthId = "patient-1@sbx", Token = "linking-token-test-1", EntryId = created.Id, ReceivedAt = Clock.GetUtcNow() };
        await UpdateAsync(new EntryUpdate { Entry = created, LinkingToken = token });
        var usedAt = Clock.GetUtcNow() + TimeSpan.FromMinutes(5);

        var first = await Store.MarkLinkingTokenUsedAsync(Hip, "PATIENT-1@SBX", usedAt);
        var second = await Store.MarkLinkingTokenUsedAsync(Hip, "patient-1@sbx", usedAt + TimeSpan.FromMinutes(1));

        Assert.True(first);
        Assert.False(second);
        Assert.Equal(token with { UsedAt = usedAt }, await Store.GetLinkingTokenAsync(Hip, "patient-1@sbx"));
        Assert.False(await Store.MarkLinkingTokenUsedAsync(Hip, "patient-2@sbx", usedAt));
        Assert.False(await Store.MarkLinkingTokenUsedAsync(OtherHip, "patient-1@sbx", usedAt));
    }
}
