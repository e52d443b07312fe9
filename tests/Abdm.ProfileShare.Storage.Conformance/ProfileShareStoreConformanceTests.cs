using Abdm.ProfileShare.Model;
using Microsoft.Extensions.Time.Testing;

namespace Abdm.ProfileShare.Storage.Conformance;

/// <summary>
/// The conformance suite every <see cref="IProfileShareStore"/> implementation inherits unchanged. A store passes
/// when every fact here passes against it.
/// </summary>
/// <remarks>
/// <para>Each test gets a fresh, isolated, empty store from <see cref="CreateStoreAsync"/> (available as
/// <see cref="Store"/>); it is disposed after the test when it is <see cref="IAsyncDisposable"/> or
/// <see cref="IDisposable"/>. Override <see cref="DisposeAsync"/> to clean up more (call the base).</para>
/// <para>Times are passed explicitly and come from <see cref="Clock"/>, a <see cref="FakeTimeProvider"/> that
/// starts at 09:00 India Standard Time on a Monday.</para>
/// <para>Change feed: the suite requires that <see cref="IProfileShareStore.WatchAsync"/> subscribes when its
/// enumerator's first <c>MoveNextAsync</c> is called, before that call returns, so a change made afterwards
/// through the same store is observed.</para>
/// </remarks>
public abstract partial class ProfileShareStoreConformanceTests : IAsyncLifetime
{
    /// <summary>India Standard Time, the offset service days are counted in.</summary>
    protected static readonly TimeSpan LocalOffset = TimeSpan.FromHours(5.5);

    /// <summary>The re-scan window the suite uses.</summary>
    protected static readonly TimeSpan RescanWindow = TimeSpan.FromMinutes(30);

    /// <summary>The entry lifetime the suite uses.</summary>
    protected static readonly TimeSpan EntryLifetime = TimeSpan.FromHours(4);

    /// <summary>How long every asynchronous wait may take before the test fails.</summary>
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>The default HIP id.</summary>
    protected const string Hip = "HIP-TEST-1";

    /// <summary>A second HIP id.</summary>
    protected const string OtherHip = "HIP-TEST-2";

    private static readonly IReadOnlyList<ProfileIdentifier> NoIdentifiers = Array.Empty<ProfileIdentifier>();
    private static readonly IReadOnlyList<MatchCandidate> NoCandidates = Array.Empty<MatchCandidate>();
    private IProfileShareStore? _store;

    /// <summary>The clock: 2026-03-02 09:00 IST (03:30 UTC), a Monday.</summary>
    protected FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 3, 2, 3, 30, 0, TimeSpan.Zero));

    /// <summary>The store under test, created for this test.</summary>
    protected IProfileShareStore Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    /// <summary>Creates a fresh, isolated, empty store (called once per test).</summary>
    /// <returns>The store.</returns>
    protected abstract Task<IProfileShareStore> CreateStoreAsync();

    /// <inheritdoc />
    public virtual async Task InitializeAsync() => _store = await CreateStoreAsync();

    /// <inheritdoc />
    public virtual async Task DisposeAsync()
    {
        switch (_store)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    /// <summary>The local service day of a time.</summary>
    /// <param name="at">The time.</param>
    /// <returns>The day in India Standard Time.</returns>
    protected static DateOnly ServiceDayOf(DateTimeOffset at) => DateOnly.FromDateTime(at.ToOffset(LocalOffset).DateTime);

    /// <summary>A synthetic profile.</summary>
    /// <param name="healthId">The PHR address.</param>
    /// <returns>The profile.</returns>
    protected static SharedPatientProfile NewProfile(string healthId = "patient-1@sbx") => new()
    {
        HealthId = healthId,
        AbhaNumber = "91-0000-0000-0001",
        Name = "Test Patient One",
        Gender = Gender.Female,
        YearOfBirth = 1990,
        MonthOfBirth = 7,
        DayOfBirth = 15,
        Address = new PatientAddress("1 Test Street", "Test District", "Test State", "000001"),
        Mobile = "+91-9000000001",
        Identifiers = [new ProfileIdentifier("MOBILE", "+91-9000000001"), new ProfileIdentifier("HEALTH_ID", healthId), new ProfileIdentifier("MR", null)],
    };

    /// <summary>A share received now (or at <paramref name="at"/>) at a counter.</summary>
    /// <param name="healthId">The PHR address.</param>
    /// <param name="hip">The HIP id.</param>
    /// <param name="counter">The counter code.</param>
    /// <param name="requestId">The share's requestId (new when omitted).</param>
    /// <param name="at">When it was received (<see cref="Clock"/> when omitted).</param>
    /// <param name="lifetime">The entry lifetime.</param>
    /// <returns>The intake.</returns>
    protected ShareIntake NewIntake(string healthId = "patient-1@sbx", string hip = Hip, string counter = "C1", Guid? requestId = null, DateTimeOffset? at = null, TimeSpan? lifetime = null)
    {
        var receivedAt = at ?? Clock.GetUtcNow();
        return new ShareIntake
        {
            ShareRequestId = requestId ?? Guid.NewGuid(),
            HipId = hip,
            CounterCode = counter,
            Profile = NewProfile(healthId),
            WireVersion = WireVersion.V10,
            ReceivedAt = receivedAt,
            ServiceDay = ServiceDayOf(receivedAt),
            RescanWindow = RescanWindow,
            EntryLifetime = lifetime ?? EntryLifetime,
            NewEntryId = Guid.NewGuid(),
            AcknowledgementItemId = Guid.NewGuid(),
            AcknowledgementRequestId = Guid.NewGuid(),
        };
    }

    /// <summary>Accepts a share and asserts it created an entry.</summary>
    /// <param name="intake">The share.</param>
    /// <returns>The new entry.</returns>
    protected async Task<QueueEntry> CreateEntryAsync(ShareIntake intake)
    {
        var result = await Store.AcceptShareAsync(intake);
        Assert.Equal(ShareIntakeOutcome.Created, result.Outcome);
        return result.Entry;
    }

    /// <summary>Reads an entry that must exist.</summary>
    /// <param name="entryId">The entry id.</param>
    /// <returns>The entry.</returns>
    protected async Task<QueueEntry> GetRequiredEntryAsync(Guid entryId)
    {
        var entry = await Store.GetEntryAsync(entryId);
        Assert.NotNull(entry);
        return entry;
    }

    /// <summary>Writes a change that must succeed and returns the entry as stored.</summary>
    /// <param name="update">The change.</param>
    /// <returns>The stored entry.</returns>
    protected async Task<QueueEntry> UpdateAsync(EntryUpdate update)
    {
        Assert.True(await Store.TryUpdateEntryAsync(update));
        return await GetRequiredEntryAsync(update.Entry.Id);
    }

    /// <summary>Sets an entry's status.</summary>
    /// <param name="entry">The entry as read.</param>
    /// <param name="status">The new status.</param>
    /// <returns>The stored entry.</returns>
    protected Task<QueueEntry> SetStatusAsync(QueueEntry entry, QueueEntryStatus status) =>
        UpdateAsync(new EntryUpdate { Entry = entry with { Status = status } });

    /// <summary>Leases everything due now for a throw-away owner.</summary>
    /// <param name="now">The time (now when omitted).</param>
    /// <returns>The items.</returns>
    protected async Task<IReadOnlyList<OutboxItem>> LeaseAllAsync(DateTimeOffset? now = null) =>
        await Store.LeaseOutboxItemsAsync("conformance-probe", now ?? Clock.GetUtcNow(), TimeSpan.FromSeconds(1), 1000);

    /// <summary>A new outbox item for an entry.</summary>
    /// <param name="entryId">The entry.</param>
    /// <param name="dueAt">When it is due.</param>
    /// <param name="kind">What it does.</param>
    /// <param name="createdAt">When it was created (now when omitted).</param>
    /// <returns>The item.</returns>
    protected OutboxItem NewItem(Guid entryId, DateTimeOffset dueAt, OutboxItemKind kind = OutboxItemKind.AuthInit, DateTimeOffset? createdAt = null) => new()
    {
        Id = Guid.NewGuid(),
        Kind = kind,
        EntryId = entryId,
        RequestId = Guid.NewGuid(),
        CreatedAt = createdAt ?? Clock.GetUtcNow(),
        DueAt = dueAt,
    };

    /// <summary>Asserts two entries are equal field by field (lists by their items).</summary>
    /// <param name="expected">The expected entry.</param>
    /// <param name="actual">The actual entry.</param>
    protected static void AssertSameEntry(QueueEntry expected, QueueEntry? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(WithoutLists(expected), WithoutLists(actual));
        Assert.Equal(expected.Profile.Identifiers, actual.Profile.Identifiers);
        Assert.Equal(expected.Match.Candidates.Count, actual.Match.Candidates.Count);
        for (var i = 0; i < expected.Match.Candidates.Count; i++)
        {
            var e = expected.Match.Candidates[i];
            var a = actual.Match.Candidates[i];
            Assert.Equal((e.PatientId, e.Score, e.DisplayName), (a.PatientId, a.Score, a.DisplayName));
            Assert.Equal(e.Reasons, a.Reasons);
        }
    }

    private static QueueEntry WithoutLists(QueueEntry entry) => entry with
    {
        Profile = entry.Profile with { Identifiers = NoIdentifiers },
        Match = entry.Match with { Candidates = NoCandidates },
    };

    /// <summary>Starts watching the store's change feed (subscribed when this returns).</summary>
    /// <returns>The probe; dispose it to end the subscription.</returns>
    protected ChangeFeedProbe Watch() => new(Store);

    /// <summary>Reads a store's change feed in a test: every wait fails after <see cref="Timeout"/>.</summary>
    protected sealed class ChangeFeedProbe : IAsyncDisposable
    {
        private readonly CancellationTokenSource _cancellation = new();
        private readonly IAsyncEnumerator<QueueChange> _changes;
        private Task<bool> _pending;

        /// <summary>Subscribes (calls the first <c>MoveNextAsync</c>).</summary>
        /// <param name="store">The store.</param>
        public ChangeFeedProbe(IProfileShareStore store)
        {
            _changes = store.WatchAsync(_cancellation.Token).GetAsyncEnumerator(_cancellation.Token);
            _pending = _changes.MoveNextAsync().AsTask();
        }

        /// <summary>Awaits the next change.</summary>
        /// <returns>The change.</returns>
        public async Task<QueueChange> NextAsync()
        {
            Assert.True(await _pending.WaitAsync(Timeout), "The change feed ended.");
            var change = _changes.Current;
            _pending = _changes.MoveNextAsync().AsTask();
            return change;
        }

        /// <summary>Cancels the subscription and awaits the feed's end.</summary>
        /// <returns>Whether the feed ended (returned false or threw <see cref="OperationCanceledException"/>) within the timeout.</returns>
        public async Task<bool> CancelAndAwaitEndAsync()
        {
            await _cancellation.CancelAsync();
            try
            {
                return !await _pending.WaitAsync(Timeout);
            }
            catch (OperationCanceledException)
            {
                return true;
            }
        }

        /// <inheritdoc />
        public async ValueTask DisposeAsync()
        {
            await _cancellation.CancelAsync();
            try
            {
                await _pending.WaitAsync(Timeout);
            }
            catch (OperationCanceledException)
            {
            }

            await _changes.DisposeAsync();
            _cancellation.Dispose();
        }
    }
}
