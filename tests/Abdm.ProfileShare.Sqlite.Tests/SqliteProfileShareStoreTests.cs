using Abdm.ProfileShare.Sqlite.Internal;
using Abdm.ProfileShare.Storage;
using Abdm.ProfileShare.Storage.Conformance;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Abdm.ProfileShare.Sqlite.Tests;

/// <summary>The conformance suite and SQLite specifics, against real database files in a temporary folder.</summary>
public sealed class SqliteProfileShareStoreTests : ProfileShareStoreConformanceTests
{
    private readonly string _directory = Directory.CreateTempSubdirectory("abdm-sqlite-store-").FullName;
    private readonly List<SqliteProfileShareStore> _extraStores = [];

    private string DatabasePath => Path.Combine(_directory, "profile-share.db");

    private string ConnectionString => $"Data Source={DatabasePath}";

    protected override async Task<IProfileShareStore> CreateStoreAsync()
    {
        var store = new SqliteProfileShareStore(ConnectionString);
        await store.InitializeAsync();
        return store;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var store in _extraStores)
        {
            await store.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private SqliteProfileShareStore OpenExtraStore(string? connectionString = null)
    {
        var store = new SqliteProfileShareStore(connectionString ?? ConnectionString);
        _extraStores.Add(store);
        return store;
    }

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    [Theory]
    [InlineData("Data Source=:memory:")]
    [InlineData("Data Source=profile-share;Mode=Memory;Cache=Shared")]
    [InlineData("Data Source=")]
    public void Constructor_InMemoryDatabase_ThrowsAskingForAFile(string connectionString)
    {
        var error = Assert.Throws<ArgumentException>(() => new SqliteProfileShareStore(connectionString));

        Assert.Contains("database file", error.Message);
    }

    [Fact]
    public async Task InitializeAsync_EmptyFile_CreatesCurrentSchemaInWalMode()
    {
        var path = Path.Combine(_directory, "empty.db");
        await File.WriteAllBytesAsync(path, []);
        var connectionString = $"Data Source={path}";
        var store = OpenExtraStore(connectionString);

        await store.InitializeAsync();

        Assert.Equal(SqliteSchema.CurrentVersion, await ScalarAsync(connectionString, "PRAGMA user_version"));
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
        Assert.Equal(6, await ScalarAsync(connectionString,
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('entries', 'share_requests', 'token_counters', 'correlations', 'outbox', 'linking_tokens')"));
    }

    [Fact]
    public async Task MigrateAsync_LaterMigrationOnExistingDatabase_AppliesOnlyTheMissingOneAndKeepsData()
    {
        var created = await CreateEntryAsync(NewIntake());
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        string[] migrations = [.. SqliteSchema.Migrations, "ALTER TABLE entries ADD COLUMN note TEXT;"];

        await SqliteSchema.MigrateAsync(connection, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, CancellationToken.None, migrations);

        Assert.Equal(SqliteSchema.CurrentVersion + 1, await ScalarAsync(ConnectionString, "PRAGMA user_version"));
        Assert.Equal(1, await ScalarAsync(ConnectionString, "SELECT COUNT(*) FROM pragma_table_info('entries') WHERE name = 'note'"));
        Assert.Equal(created.Id, (await GetRequiredEntryAsync(created.Id)).Id);
        Assert.Equal(1, await ScalarAsync(ConnectionString, "SELECT COUNT(*) FROM entries"));
    }

    [Fact]
    public async Task InitializeAsync_Version1DatabaseWithRescannedEntry_BackfillsFirstScanAndKeepsTheTokenWindowFromIt()
    {
        // A database written by schema version 1: an entry first scanned at t0 (sub-millisecond ticks, UTC) and
        // re-scanned at t0 + 20 min, and a second patient's entry stored with a +05:30 offset.
        Clock.Advance(TimeSpan.FromTicks(1_234_567));
        var t0 = Clock.GetUtcNow();
        var rescanned = NewIntake("patient-1@sbx").NewEntry(tokenNumber: 1);
        rescanned = NewIntake("patient-1@sbx", at: t0 + TimeSpan.FromMinutes(20)).Rescan(rescanned);
        var offset = NewIntake("patient-2@sbx", at: (t0 + TimeSpan.FromMinutes(1)).ToOffset(LocalOffset)).NewEntry(tokenNumber: 2);
        Assert.Equal(LocalOffset, offset.FirstScannedAt.Offset);
        var path = Path.Combine(_directory, "version-1.db");
        var connectionString = $"Data Source={path}";
        await using (var connection = new SqliteConnection(connectionString))
        {
            await connection.OpenAsync();
            await SqliteSchema.MigrateAsync(connection, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, CancellationToken.None, [SqliteSchema.Migrations[0]]);
            foreach (var entry in new[] { rescanned, offset })
            {
                using var insert = connection.CreateCommand();
                insert.CommandText = """
                    INSERT INTO entries (id, hip_id, counter_code, health_id, status, service_day, token_number, last_scanned_at, expires_at, version, document)
                    VALUES ($id, $hip, $counter, $health, 'Received', $day, $token, $last, $expires, $version, $document)
                    """;
                insert.Parameters.AddWithValue("$id", entry.Id.ToString("D"));
                insert.Parameters.AddWithValue("$hip", entry.HipId);
                insert.Parameters.AddWithValue("$counter", entry.CounterCode);
                insert.Parameters.AddWithValue("$health", entry.Profile.HealthId.ToUpperInvariant());
                insert.Parameters.AddWithValue("$day", entry.ServiceDay.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
                insert.Parameters.AddWithValue("$token", entry.TokenNumber);
                insert.Parameters.AddWithValue("$last", entry.LastScannedAt.UtcTicks);
                insert.Parameters.AddWithValue("$expires", entry.ExpiresAt.UtcTicks);
                insert.Parameters.AddWithValue("$version", entry.Version);
                insert.Parameters.AddWithValue("$document", System.Text.Json.JsonSerializer.Serialize(entry, Storage.Internal.StoreJsonContext.Default.QueueEntry));
                await insert.ExecuteNonQueryAsync();
            }

            using var counter = connection.CreateCommand();
            counter.CommandText = "INSERT INTO token_counters (hip_id, counter_code, service_day, last_token) VALUES ($hip, 'C1', $day, 2)";
            counter.Parameters.AddWithValue("$hip", Hip);
            counter.Parameters.AddWithValue("$day", rescanned.ServiceDay.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            await counter.ExecuteNonQueryAsync();
        }

        Assert.Equal(1, await ScalarAsync(connectionString, "PRAGMA user_version"));
        var store = OpenExtraStore(connectionString);

        await store.InitializeAsync();
        var again = await store.AcceptShareAsync(NewIntake("patient-1@sbx", at: t0 + TimeSpan.FromMinutes(25)));
        var late = await store.AcceptShareAsync(NewIntake("patient-1@sbx", at: t0 + TimeSpan.FromMinutes(35)));

        Assert.Equal(SqliteSchema.CurrentVersion, await ScalarAsync(connectionString, "PRAGMA user_version"));
        Assert.Equal(t0.UtcTicks, await ScalarAsync(connectionString, $"SELECT first_scanned_at FROM entries WHERE id = '{rescanned.Id:D}'"));
        Assert.Equal(offset.FirstScannedAt.UtcTicks, await ScalarAsync(connectionString, $"SELECT first_scanned_at FROM entries WHERE id = '{offset.Id:D}'"));
        Assert.Equal(1, await ScalarAsync(connectionString,
            "SELECT COUNT(*) FROM pragma_index_info('entries_rescan') WHERE name = 'first_scanned_at'"));
        Assert.Equal(ShareIntakeOutcome.Rescanned, again.Outcome);
        Assert.Equal(rescanned.Id, again.Entry.Id);
        Assert.Equal(1, again.Entry.TokenNumber);
        Assert.Equal(3, again.Entry.ScanCount);
        Assert.Equal(t0, again.Entry.FirstScannedAt);
        Assert.Equal(ShareIntakeOutcome.Created, late.Outcome);
        Assert.Equal(3, late.Entry.TokenNumber);
    }

    [Fact]
    public async Task AcceptShareAsync_RescanLookup_UsesTheFirstScanIndex()
    {
        await CreateEntryAsync(NewIntake());
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        using var command = connection.CreateCommand();
        command.CommandText = """
            EXPLAIN QUERY PLAN SELECT document FROM entries
            WHERE hip_id = 'h' AND counter_code = 'c' AND health_id = 'x' AND status IN ('Received', 'Waiting', 'Claimed')
              AND expires_at > 0 AND first_scanned_at >= 0
            ORDER BY first_scanned_at DESC LIMIT 1
            """;
        var plan = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            plan.Add(reader.GetString(3));
        }

        Assert.Contains(plan, step => step.Contains("USING INDEX entries_rescan", StringComparison.Ordinal) && step.Contains("first_scanned_at>?", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task InitializeAsync_NewerSchemaVersion_ThrowsNamingThePackage()
    {
        var path = Path.Combine(_directory, "newer.db");
        var connectionString = $"Data Source={path}";
        await using (var connection = new SqliteConnection(connectionString))
        {
            await connection.OpenAsync();
            using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA user_version = {SqliteSchema.CurrentVersion + 1}";
            await command.ExecuteNonQueryAsync();
        }

        var store = OpenExtraStore(connectionString);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.InitializeAsync());
        Assert.Contains("Abdm.ProfileShare.Sqlite", error.Message);
    }

    [Fact]
    public async Task InitializeAsync_TwoStoresAtOnceOnNewFile_MigrateOnce()
    {
        var path = Path.Combine(_directory, "race.db");
        var first = OpenExtraStore($"Data Source={path}");
        var second = OpenExtraStore($"Data Source={path};Cache=Private");

        await Task.WhenAll(Task.Run(() => first.InitializeAsync()), Task.Run(() => second.InitializeAsync())).WaitAsync(Timeout);

        Assert.Equal(SqliteSchema.CurrentVersion, await ScalarAsync($"Data Source={path}", "PRAGMA user_version"));
    }

    [Fact]
    public async Task Reopen_ExistingFile_KeepsEntriesCountersOutboxAndTokens()
    {
        var intake = NewIntake();
        var created = await CreateEntryAsync(intake);
        var token = new Model.LinkingTokenRecord { HipId = Hip, HealthId = "patient-1@sbx", Token = "linking-token-test-1", EntryId = created.Id, ReceivedAt = Clock.GetUtcNow() };
        var correlation = new Correlation(Guid.NewGuid(), CorrelationKind.AuthInit, created.Id, Hip, Clock.GetUtcNow());
        await UpdateAsync(new EntryUpdate { Entry = created, LinkingToken = token, Correlations = [correlation] });
        await ((SqliteProfileShareStore)Store).DisposeAsync();
        SqliteConnection.ClearAllPools();

        var reopened = OpenExtraStore();

        var entry = await reopened.GetEntryAsync(created.Id);
        Assert.NotNull(entry);
        Assert.Equal(2, entry.Version);
        Assert.Equal(token, await reopened.GetLinkingTokenAsync(Hip, "PATIENT-1@sbx"));
        Assert.Equal(correlation, await reopened.GetCorrelationAsync(correlation.RequestId));
        Assert.Equal(intake.AcknowledgementItemId, Assert.Single(await reopened.LeaseOutboxItemsAsync("owner-a", Clock.GetUtcNow(), TimeSpan.FromSeconds(30), 10)).Id);
        Assert.Equal(ShareIntakeOutcome.Duplicate, (await reopened.AcceptShareAsync(intake)).Outcome);
        var next = await reopened.AcceptShareAsync(NewIntake("patient-2@sbx"));
        Assert.Equal(2, next.Entry.TokenNumber);
        Assert.Equal(SqliteSchema.CurrentVersion, await ScalarAsync(ConnectionString, "PRAGMA user_version"));
    }

    [Fact]
    public async Task AcceptShareAsync_TwoStoreInstancesOnOneFile_AllocateTokensWithoutDuplicates()
    {
        var other = OpenExtraStore($"{ConnectionString};Cache=Private");
        await other.InitializeAsync();
        var stores = new IProfileShareStore[] { Store, other };

        var results = await Task.WhenAll(Enumerable.Range(0, 60).Select(i =>
            Task.Run(() => stores[i % 2].AcceptShareAsync(NewIntake($"patient-{i}@sbx"))))).WaitAsync(Timeout * 3);

        Assert.Equal(Enumerable.Range(1, 60), results.Select(r => r.Entry.TokenNumber).Order());
        Assert.Equal(60, (await other.ListEntriesAsync(Hip, "C1", Clock.GetUtcNow())).Count);
    }

    [Fact]
    public async Task TryUpdateEntryAsync_ClaimRaceAcrossTwoInstances_ExactlyOneWins()
    {
        var other = OpenExtraStore($"{ConnectionString};Cache=Private");
        var created = await CreateEntryAsync(NewIntake());
        var stores = new IProfileShareStore[] { Store, other };

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() =>
            stores[i % 2].TryUpdateEntryAsync(new EntryUpdate { Entry = created with { Status = Model.QueueEntryStatus.Claimed, ClaimedBy = $"operator-{i}" } })))).WaitAsync(Timeout);

        Assert.Single(results, r => r);
    }

    /// <summary>Holds the writer inside a batch of its own until released, so the writes queued meanwhile form the next batch.</summary>
    private static async Task<(Task<int> Held, TaskCompletionSource Release)> HoldWriterAsync(SqliteProfileShareStore store)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = store.WriteAsync<int>(async (_, _) =>
        {
            started.SetResult();
            await release.Task;
            return (0, null);
        }, CancellationToken.None);
        await started.Task.WaitAsync(Timeout);
        return (held, release);
    }

    /// <summary>Releases the held writer after <paramref name="assert"/>, also when it fails (the store's disposal waits for the writer).</summary>
    private static void ReleaseAfter(TaskCompletionSource release, Action assert)
    {
        try
        {
            assert();
        }
        finally
        {
            release.TrySetResult();
        }
    }

    [Fact]
    public async Task WriteAsync_OperationsQueuedWhileWriterBusy_ShareOneCommitAndAFailureRollsBackOnlyItself()
    {
        var store = (SqliteProfileShareStore)Store;
        await CreateEntryAsync(NewIntake("patient-0@sbx"));
        var commits = store.CommitCount;
        var (held, release) = await HoldWriterAsync(store);
        var first = NewIntake("patient-1@sbx");
        var second = NewIntake("patient-2@sbx");

        var accepted1 = Store.AcceptShareAsync(first);
        var failing = store.WriteAsync<int>(async (connection, transaction) =>
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "DELETE FROM token_counters";
            await command.ExecuteNonQueryAsync();
            throw new InvalidOperationException("test failure after a write");
        }, CancellationToken.None);
        var accepted2 = Store.AcceptShareAsync(second);
        ReleaseAfter(release, () => Assert.Equal(3, store.QueuedWrites));

        Assert.Equal(0, await held.WaitAsync(Timeout));
        Assert.Equal(2, (await accepted1.WaitAsync(Timeout)).Entry.TokenNumber);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => failing.WaitAsync(Timeout));
        Assert.Equal("test failure after a write", error.Message);
        Assert.Equal(3, (await accepted2.WaitAsync(Timeout)).Entry.TokenNumber);
        Assert.Equal(commits + 2, store.CommitCount);
        Assert.Equal(3, await ScalarAsync(ConnectionString, "SELECT last_token FROM token_counters"));
        Assert.Equal(3, await ScalarAsync(ConnectionString, "SELECT COUNT(*) FROM entries"));
    }

    [Fact]
    public async Task WriteAsync_LoneOperationFailsAfterAWrite_RollsItBackAndTheWriterGoesOn()
    {
        var store = (SqliteProfileShareStore)Store;
        await CreateEntryAsync(NewIntake("patient-0@sbx"));

        var failing = store.WriteAsync<int>(async (connection, transaction) =>
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "DELETE FROM entries";
            await command.ExecuteNonQueryAsync();
            throw new InvalidOperationException("test failure after a write");
        }, CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => failing.WaitAsync(Timeout));
        Assert.Equal(1, await ScalarAsync(ConnectionString, "SELECT COUNT(*) FROM entries"));
        Assert.Equal(2, (await Store.AcceptShareAsync(NewIntake("patient-1@sbx")).WaitAsync(Timeout)).Entry.TokenNumber);
    }

    [Fact]
    public async Task WriteAsync_CommitOfBatchFails_FailsEveryOperationOfTheBatchAndKeepsNothing()
    {
        // Foreign keys on: a deferred violation passes every statement and savepoint and fails only the COMMIT.
        var store = OpenExtraStore($"{ConnectionString};Foreign Keys=True");
        await store.AcceptShareAsync(NewIntake("patient-0@sbx"));
        var (held, release) = await HoldWriterAsync(store);

        var accepted = store.AcceptShareAsync(NewIntake("patient-1@sbx"));
        var violating = store.WriteAsync<int>(async (connection, transaction) =>
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                CREATE TEMP TABLE IF NOT EXISTS test_parent (id INTEGER PRIMARY KEY);
                CREATE TEMP TABLE IF NOT EXISTS test_child (parent_id INTEGER REFERENCES test_parent (id) DEFERRABLE INITIALLY DEFERRED);
                INSERT INTO test_child (parent_id) VALUES (42);
                """;
            await command.ExecuteNonQueryAsync();
            return (1, null);
        }, CancellationToken.None);
        var completed = store.CompleteOutboxItemAsync(Guid.NewGuid());
        ReleaseAfter(release, () => Assert.Equal(3, store.QueuedWrites));
        await held.WaitAsync(Timeout);

        await Assert.ThrowsAsync<SqliteException>(() => accepted.WaitAsync(Timeout));
        await Assert.ThrowsAsync<SqliteException>(() => violating.WaitAsync(Timeout));
        await Assert.ThrowsAsync<SqliteException>(() => completed.WaitAsync(Timeout));
        Assert.Equal(1, await ScalarAsync(ConnectionString, "SELECT COUNT(*) FROM entries"));
        var next = await store.AcceptShareAsync(NewIntake("patient-2@sbx")).WaitAsync(Timeout);
        Assert.Equal(2, next.Entry.TokenNumber);
    }

    [Fact]
    public async Task WriteAsync_CancelledWhileQueued_IsSkippedAndOthersCommit()
    {
        var store = (SqliteProfileShareStore)Store;
        var (held, release) = await HoldWriterAsync(store);
        using var cancellation = new CancellationTokenSource();

        var cancelled = Store.AcceptShareAsync(NewIntake("patient-1@sbx"), cancellation.Token);
        var accepted = Store.AcceptShareAsync(NewIntake("patient-2@sbx"));
        await cancellation.CancelAsync();
        ReleaseAfter(release, () => Assert.Equal(2, store.QueuedWrites));
        await held.WaitAsync(Timeout);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Timeout));
        Assert.Equal(1, (await accepted.WaitAsync(Timeout)).Entry.TokenNumber);
        Assert.Equal(1, await ScalarAsync(ConnectionString, "SELECT COUNT(*) FROM entries"));
    }

    [Fact]
    public async Task DisposeAsync_WritesQueued_CommitsThemBeforeItReturns()
    {
        var store = OpenExtraStore();
        await store.InitializeAsync();
        var (held, release) = await HoldWriterAsync(store);
        var accepted = store.AcceptShareAsync(NewIntake("patient-1@sbx"));

        var disposing = store.DisposeAsync().AsTask();
        release.SetResult();
        await disposing.WaitAsync(Timeout);

        await held.WaitAsync(Timeout);
        Assert.Equal(ShareIntakeOutcome.Created, (await accepted.WaitAsync(Timeout)).Outcome);
        Assert.Equal(1, await ScalarAsync(ConnectionString, "SELECT COUNT(*) FROM entries"));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.AcceptShareAsync(NewIntake("patient-2@sbx")));
    }

    [Fact]
    public async Task UseSqliteStore_Registered_ReplacesInMemoryStoreAndMigratesAtStart()
    {
        var services = new ServiceCollection();
        services.AddAbdmProfileShare(ConfigureValidOptions).UseSqliteStore($"Data Source={Path.Combine(_directory, "di.db")}");
        await using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<IProfileShareStore>();
        foreach (var hostedService in provider.GetServices<IHostedService>().Where(s => s.GetType().Assembly == typeof(SqliteProfileShareStore).Assembly))
        {
            await hostedService.StartAsync(CancellationToken.None);
        }

        Assert.IsType<SqliteProfileShareStore>(store);
        Assert.Single(services, d => d.ServiceType == typeof(IProfileShareStore));
        Assert.Equal(SqliteSchema.CurrentVersion, await ScalarAsync($"Data Source={Path.Combine(_directory, "di.db")}", "PRAGMA user_version"));
    }

    private static void ConfigureValidOptions(AbdmProfileShareOptions options)
    {
        options.HipIds.Add(Hip);
        options.Gateway.ClientId = "test-client";
        options.Gateway.ClientSecret = "test-secret-not-real";
    }
}
