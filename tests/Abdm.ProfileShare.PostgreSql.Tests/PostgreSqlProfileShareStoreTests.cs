using Abdm.ProfileShare.PostgreSql.Internal;
using Abdm.ProfileShare.Storage;
using Npgsql;
using static Abdm.ProfileShare.PostgreSql.Tests.StoreTestSupport;

namespace Abdm.ProfileShare.PostgreSql.Tests;

/// <summary>
/// PostgreSQL specifics against the real test cluster: several instances (each its own data source, as separate
/// processes have), leases on the database clock, migrations under the advisory lock, the listener's reconnection,
/// an unreachable server. Each test in a schema of its own.
/// </summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlProfileShareStoreTests(PostgreSqlServerFixture postgres) : IAsyncLifetime
{
    private readonly string _schema = postgres.NewSchema();
    private readonly List<IAsyncDisposable> _disposables = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        for (var i = _disposables.Count - 1; i >= 0; i--)
        {
            await _disposables[i].DisposeAsync();
        }

        await postgres.DropSchemaAsync(_schema);
    }

    [Fact]
    public async Task AcceptShareAsync_120ConcurrentScansThreeCountersThreeInstances_UniqueGaplessTokensPerCounter()
    {
        var instances = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => OpenInstanceAsync($"instance-{i}")));
        string[] counters = ["C1", "C2", "C3"];

        var results = await Task.WhenAll(Enumerable.Range(0, 120).Select(i =>
            Task.Run(() => instances[i / 3 % 3].AcceptShareAsync(NewIntake($"patient-{i}@sbx", counters[i % 3]))))).WaitAsync(Wait);

        Assert.All(results, r => Assert.Equal(ShareIntakeOutcome.Created, r.Outcome));
        foreach (var counter in counters)
        {
            var tokens = results.Where(r => r.Entry.CounterCode == counter).Select(r => r.Entry.TokenNumber).Order().ToList();
            Assert.Equal(Enumerable.Range(1, 40), tokens);
            var stored = await instances[0].ListEntriesAsync(Hip, counter, T0);
            Assert.Equal(Enumerable.Range(1, 40), stored.Select(e => e.TokenNumber).Order());
        }
    }

    [Fact]
    public async Task AcceptShareAsync_SamePatientScansTwiceAtOnceOnTwoInstances_OneTokenOneRescan()
    {
        var a = await OpenInstanceAsync("a");
        var b = await OpenInstanceAsync("b");

        var results = await Task.WhenAll(
            Task.Run(() => a.AcceptShareAsync(NewIntake("same@sbx"))),
            Task.Run(() => b.AcceptShareAsync(NewIntake("same@sbx")))).WaitAsync(Wait);

        Assert.Equal([ShareIntakeOutcome.Created, ShareIntakeOutcome.Rescanned], results.Select(r => r.Outcome).Order());
        Assert.Single(results.Select(r => r.Entry.Id).Distinct());
        Assert.All(results, r => Assert.Equal(1, r.Entry.TokenNumber));
    }

    [Fact]
    public async Task AcceptShareAsync_SameRequestIdOnTwoInstancesAtOnce_StoredOnceOtherIsDuplicate()
    {
        var a = await OpenInstanceAsync("a");
        var b = await OpenInstanceAsync("b");
        var intake = NewIntake("dup@sbx");

        var results = await Task.WhenAll(
            Task.Run(() => a.AcceptShareAsync(intake)),
            Task.Run(() => b.AcceptShareAsync(intake with { NewEntryId = Guid.NewGuid(), AcknowledgementItemId = Guid.NewGuid() }))).WaitAsync(Wait);

        Assert.Equal([ShareIntakeOutcome.Created, ShareIntakeOutcome.Duplicate], results.Select(r => r.Outcome).Order());
        Assert.Single(await a.ListEntriesAsync(Hip, null, T0));
        Assert.Single(await a.LeaseOutboxItemsAsync("probe", T0, TimeSpan.FromMinutes(1), 10));
    }

    [Fact]
    public async Task WatchAsync_ChangeThroughOtherInstance_IsSeen()
    {
        var a = await OpenInstanceAsync("a");
        var b = await OpenInstanceAsync("b");
        await using var feed = FeedCollector.Start(a);

        var created = (await b.AcceptShareAsync(NewIntake("watch@sbx"))).Entry;
        await b.TryUpdateEntryAsync(new EntryUpdate { Entry = created with { Status = Model.QueueEntryStatus.Dismissed } });

        await feed.WaitForAsync(c => c.Count >= 2, Wait);
        Assert.Equal(
            [new QueueChange(QueueChangeKind.Added, created.Id, Hip, "C1", 1), new QueueChange(QueueChangeKind.Removed, created.Id, Hip, "C1", 2)],
            feed.Changes);
    }

    [Fact]
    public async Task WatchAsync_ListenerConnectionKilled_ReconnectsAndDeliversEveryChangeMadeMeanwhile()
    {
        var application = $"abdm-listener-{Guid.NewGuid():N}"[..40];
        var watched = await OpenInstanceAsync(application);
        var writer = await OpenInstanceAsync("writer");
        await using var feed = FeedCollector.Start(watched);
        var before = (await writer.AcceptShareAsync(NewIntake("before@sbx"))).Entry.Id;
        await feed.WaitForAsync(c => c.Any(x => x.EntryId == before), Wait);

        // Cut the instance's connections, its listener's included (what a PostgreSQL restart or a network cut does), then write at once: the first
        // writes land while it is away and reach it only through the re-read.
        await using (var kill = postgres.DataSource.CreateCommand(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1"))
        {
            kill.Parameters.Add(new NpgsqlParameter { Value = application });
            await kill.ExecuteNonQueryAsync();
        }

        var during = new List<Guid>();
        for (var i = 0; i < 10; i++)
        {
            during.Add((await writer.AcceptShareAsync(NewIntake($"during-{i}@sbx"))).Entry.Id);
        }

        await feed.WaitForAsync(c => during.All(id => c.Any(x => x.EntryId == id && x.Kind == QueueChangeKind.Added)), Wait);
        Assert.True(watched.Listener.Reconnections >= 1, "The listener never reconnected.");
        Assert.Equal(feed.Changes.Count, feed.Changes.Distinct().Count()); // nothing delivered twice
    }

    [Fact]
    public async Task LeaseOutboxItemsAsync_DatabaseClock_CallerClockAheadDoesNotTakeOverLiveLease()
    {
        var a = await OpenInstanceAsync("a", PostgreSqlLeaseClock.Database);
        var b = await OpenInstanceAsync("b", PostgreSqlLeaseClock.Database);
        await a.AcceptShareAsync(NewIntake("lease@sbx"));

        var leased = Assert.Single(await a.LeaseOutboxItemsAsync("owner-a", T0, TimeSpan.FromMinutes(5), 10));
        var skewed = await b.LeaseOutboxItemsAsync("owner-b", T0 + TimeSpan.FromDays(1), TimeSpan.FromMinutes(5), 10);

        Assert.Empty(skewed); // B's clock is a day ahead: by the database's clock A's lease still holds
        var databaseNow = await DatabaseNowAsync();
        Assert.InRange(leased.LeaseExpiresAt!.Value, databaseNow + TimeSpan.FromMinutes(4), databaseNow + TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task LeaseOutboxItemsAsync_DatabaseClock_ExpiredLeaseIsTakenOverByOtherInstance()
    {
        var a = await OpenInstanceAsync("a", PostgreSqlLeaseClock.Database);
        var b = await OpenInstanceAsync("b", PostgreSqlLeaseClock.Database);
        var intake = NewIntake("takeover@sbx");
        await a.AcceptShareAsync(intake);

        Assert.Single(await a.LeaseOutboxItemsAsync("owner-a", T0, TimeSpan.Zero, 10)); // a lease that ends at once
        var taken = Assert.Single(await b.LeaseOutboxItemsAsync("owner-b", T0, TimeSpan.FromMinutes(1), 10));

        Assert.Equal(intake.AcknowledgementItemId, taken.Id);
        Assert.Equal("owner-b", taken.LeaseOwner);
        Assert.False(await a.RescheduleOutboxItemAsync(taken.Id, "owner-a", T0, 1, null));
        Assert.True(await b.CompleteOutboxItemAsync(taken.Id));
    }

    [Fact]
    public async Task InitializeAsync_FourInstancesStartAtOnce_MigrateOnceUnderTheLock()
    {
        var stores = Enumerable.Range(0, 4).Select(i => Track(new PostgreSqlProfileShareStore(
            NpgsqlDataSource.Create(postgres.ConnectionStringWith($"migrate-{i}")), ownsDataSource: true,
            new PostgreSqlProfileShareStoreOptions { Schema = _schema }, null, TimeProvider.System))).ToList();

        await Task.WhenAll(stores.Select(s => Task.Run(() => s.InitializeAsync()))).WaitAsync(Wait);

        await using var command = postgres.DataSource.CreateCommand($"SELECT array_agg(version) FROM {_schema}.schema_version");
        Assert.Equal([PgSchema.CurrentVersion], (int[])(await command.ExecuteScalarAsync())!);
        Assert.Equal(ShareIntakeOutcome.Created, (await stores[3].AcceptShareAsync(NewIntake("after@sbx"))).Outcome);
    }

    [Fact]
    public async Task AcceptShareAsync_ServerUnreachable_FailsFastWithoutHanging()
    {
        var started = TimeProvider.System.GetTimestamp();
        await using var store = new PostgreSqlProfileShareStore(new PostgreSqlProfileShareStoreOptions
        {
            ConnectionString = "Host=127.0.0.1;Port=1;Username=nobody;Password=not-a-real-secret",
            CommandTimeout = TimeSpan.FromSeconds(2),
        });

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => store.AcceptShareAsync(NewIntake("down@sbx")).WaitAsync(Wait));

        Assert.True(failure is NpgsqlException or TimeoutException, failure.GetType().Name);
        Assert.DoesNotContain("not-a-real-secret", failure.ToString(), StringComparison.Ordinal);
        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("Abdm")]
    [InlineData("abdm-x")]
    [InlineData("pg_catalog")]
    [InlineData("x; DROP TABLE y")]
    public void Constructor_SchemaNotAPlainIdentifier_ThrowsNamingSchema(string schema)
    {
        var failure = Assert.Throws<ArgumentException>(() => new PostgreSqlProfileShareStore(postgres.DataSource, new PostgreSqlProfileShareStoreOptions { Schema = schema }));

        Assert.Contains("Schema", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(PostgresErrorCodes.SerializationFailure, true, true)]
    [InlineData(PostgresErrorCodes.DeadlockDetected, true, true)]
    [InlineData(PostgresErrorCodes.UniqueViolation, false, true)]
    [InlineData(PostgresErrorCodes.AdminShutdown, false, true)]
    [InlineData(PostgresErrorCodes.AdminShutdown, true, false)]
    [InlineData(PostgresErrorCodes.SyntaxError, false, false)]
    public void IsRetryable_PostgresErrors_RetriesOnlyWhereSafe(string sqlState, bool mayHaveCommitted, bool expected)
    {
        var exception = new PostgresException("test", "ERROR", "ERROR", sqlState);

        Assert.Equal(expected, PgExecutor.IsRetryable(exception, mayHaveCommitted));
    }

    [Fact]
    public void IsRetryable_ConnectionLostBeforeOrDuringCommit_RetriedOnlyBefore()
    {
        var lost = new NpgsqlException("Exception while reading from stream", new IOException("reset"));

        Assert.True(PgExecutor.IsRetryable(lost, mayHaveCommitted: false));
        Assert.False(PgExecutor.IsRetryable(lost, mayHaveCommitted: true));
        Assert.True(PgExecutor.IsRetryable(new PgRetryException(), mayHaveCommitted: true));
        Assert.False(PgExecutor.IsRetryable(new InvalidOperationException(), mayHaveCommitted: false));
    }

    private async Task<DateTimeOffset> DatabaseNowAsync()
    {
        await using var command = postgres.DataSource.CreateCommand("SELECT clock_timestamp()");
        return new DateTimeOffset((DateTime)(await command.ExecuteScalarAsync())!, TimeSpan.Zero);
    }

    /// <summary>Another instance: a data source (pool) of its own, as another process has, on the test's schema.</summary>
    private async Task<PostgreSqlProfileShareStore> OpenInstanceAsync(string name, PostgreSqlLeaseClock clock = PostgreSqlLeaseClock.Caller)
    {
        var store = Track(new PostgreSqlProfileShareStore(
            NpgsqlDataSource.Create(postgres.ConnectionStringWith(name)), ownsDataSource: true,
            new PostgreSqlProfileShareStoreOptions { Schema = _schema, LeaseClock = clock }, null, TimeProvider.System));
        await store.InitializeAsync();
        return store;
    }

    private PostgreSqlProfileShareStore Track(PostgreSqlProfileShareStore store)
    {
        lock (_disposables)
        {
            _disposables.Add(store);
        }

        return store;
    }
}
