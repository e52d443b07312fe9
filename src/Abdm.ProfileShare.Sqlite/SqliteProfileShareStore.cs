using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Sqlite.Internal;
using Abdm.ProfileShare.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Abdm.ProfileShare.Sqlite;

/// <summary>
/// The SQLite store: the embedded durable store for one server. Everything survives a restart; several processes on
/// the same machine may share the database file.
/// </summary>
/// <remarks>
/// <para>The database runs in WAL mode (readers never block the writer). Its schema is created and migrated on first
/// use, or at host start when registered with <see cref="SqliteStoreBuilderExtensions.UseSqliteStore(AbdmProfileShareBuilder, string)"/>,
/// from a versioned migration list (<c>PRAGMA user_version</c>).</para>
/// <para>Writes go through one writer per instance with group commit: the write operations waiting when the writer
/// is free run one after another in one <c>BEGIN IMMEDIATE</c> transaction, each in its own <c>SAVEPOINT</c> (an
/// operation that fails is rolled back alone), and each caller's task completes only after that transaction's
/// <c>COMMIT</c> (FULL sync: durable) succeeded; a failed commit fails every operation of the batch. So every
/// operation is still atomic, serialized and durable when it returns, while concurrent operations share one disk
/// flush. Writers of other processes wait up to <see cref="SqliteProfileShareStoreOptions.BusyTimeout"/>.
/// Token numbers are allocated by an UPSERT ... RETURNING on a counter row (and a unique index makes a duplicate
/// token impossible); entry updates and claims check the stored version.</para>
/// <para>The database file holds patient profiles and (encrypted) linking tokens: on Linux and macOS the store creates
/// it with mode 0600 (owner read and write only) and tightens an existing file, and its <c>-wal</c> and <c>-shm</c>
/// files, to that mode when it starts; SQLite gives the <c>-wal</c> and <c>-shm</c> files it creates the database
/// file's mode.</para>
/// <para>The change feed (<see cref="WatchAsync"/>) is in-process: it reports the changes made through this instance.
/// Run one server (one process) per database when the counter screens depend on the feed; use the Redis store for
/// several instances.</para>
/// </remarks>
public sealed class SqliteProfileShareStore : IProfileShareStore, IAsyncDisposable, IDisposable
{
    private const string ActiveStatuses = "('Received', 'Waiting', 'Claimed')";

    /// <summary>The most operations one group commit carries (bounds how long other processes wait for the file).</summary>
    internal const int MaxBatchSize = 64;

    private const string Savepoint = "op";

    private readonly string _connectionString;
    private readonly string _writerConnectionString;
    private readonly SqliteOpenMode _openMode;
    private readonly string? _databasePath;
    private readonly int _busyTimeoutMilliseconds;
    private readonly ILogger _logger;
    private readonly Channel<WriteRequest> _writes = Channel.CreateUnbounded<WriteRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _writerGate = new();
    private readonly SemaphoreSlim _initialization = new(1, 1);
    private Task? _writerLoop;
    private SqliteConnection? _writerConnection;
    private long _commits;
    private int _queued;
    private readonly ChangeFeed _changes = new();
    private volatile bool _initialized;
    private volatile bool _disposed;

    /// <summary>Creates a store on a database.</summary>
    /// <param name="connectionString">The connection string, for example <c>Data Source=profile-share.db</c>.</param>
    public SqliteProfileShareStore(string connectionString)
        : this(new SqliteProfileShareStoreOptions { ConnectionString = connectionString })
    {
    }

    /// <summary>Creates a store.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="logger">The logger (none when omitted).</param>
    public SqliteProfileShareStore(SqliteProfileShareStoreOptions options, ILogger<SqliteProfileShareStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ConnectionString, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BusyTimeout, TimeSpan.Zero, nameof(options));
        var connectionString = new SqliteConnectionStringBuilder(options.ConnectionString);
        if (connectionString.Mode == SqliteOpenMode.Memory || string.Equals(connectionString.DataSource, ":memory:", StringComparison.Ordinal) || connectionString.DataSource.Length == 0)
        {
            throw new ArgumentException(
                "The SQLite store needs a database file (Data Source=path): an in-memory SQLite database lives only as long as one connection. Use InMemoryProfileShareStore for tests.",
                nameof(options));
        }

        _connectionString = connectionString.ToString();
        _openMode = connectionString.Mode;
        _databasePath = SqliteFilePermissions.ManagedPath(connectionString);

        // The single writer holds its own long-lived connection, outside the pool: it is never shared, and after a
        // failed batch it is closed (rolling back whatever SQLite left open) instead of going back to a pool.
        _writerConnectionString = new SqliteConnectionStringBuilder(_connectionString) { Pooling = false }.ToString();
        _busyTimeoutMilliseconds = (int)Math.Min(options.BusyTimeout.TotalMilliseconds, int.MaxValue);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// Creates or migrates the schema now (otherwise the first operation does). Safe to call several times and from
    /// several processes at once.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the schema is current.</returns>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_initialized)
        {
            return;
        }

        await _initialization.WaitAsync(cancellationToken);
        try
        {
            if (!_initialized)
            {
                // Before SQLite opens (and would create) the file: it holds patient data, so mode 0600.
                if (_databasePath is not null)
                {
                    SqliteFilePermissions.Secure(_databasePath, _openMode, _logger);
                }

                await using var connection = await OpenRawAsync(cancellationToken);
                await SqliteSchema.MigrateAsync(connection, _logger, cancellationToken);
                _initialized = true;
            }
        }
        finally
        {
            _initialization.Release();
        }
    }

    /// <inheritdoc />
    public Task<ShareIntakeResult> AcceptShareAsync(ShareIntake intake, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(intake);
        return WriteAsync(async (connection, transaction) =>
        {
            using (var duplicate = Command(connection, transaction,
                "SELECT e.document, r.content_hash FROM share_requests r JOIN entries e ON e.id = r.entry_id WHERE r.request_id = $request",
                ("$request", Id(intake.ShareRequestId))))
            {
                using var reader = await duplicate.ExecuteReaderAsync(cancellationToken);
                if (await reader.ReadAsync(cancellationToken))
                {
                    // A row stored before migration 3 has no hash (NULL): never a conflict.
                    var stored = await reader.IsDBNullAsync(1, cancellationToken) ? null : reader.GetString(1);
                    var conflict = ShareIntakeResult.IsConflict(stored, intake.ContentHash);
                    return (new ShareIntakeResult(ShareIntakeOutcome.Duplicate, ReadEntry(reader.GetString(0))) { ContentConflict = conflict }, (QueueChange?)null);
                }
            }

            QueueEntry? rescan = null;
            using (var find = Command(connection, transaction,
                $"""
                SELECT document FROM entries
                WHERE hip_id = $hip AND counter_code = $counter AND health_id = $health AND status IN {ActiveStatuses}
                  AND expires_at > $now AND first_scanned_at >= $since
                ORDER BY first_scanned_at DESC LIMIT 1
                """,
                ("$hip", intake.HipId), ("$counter", intake.CounterCode), ("$health", HealthKey(intake.Profile.HealthId)),
                ("$now", Ticks(intake.ReceivedAt)), ("$since", Ticks(intake.ReceivedAt - intake.RescanWindow))))
            {
                if (await find.ExecuteScalarAsync(cancellationToken) is string document)
                {
                    rescan = ReadEntry(document);
                }
            }

            QueueEntry entry;
            ShareIntakeOutcome outcome;
            if (rescan is not null)
            {
                entry = intake.Rescan(rescan);
                outcome = ShareIntakeOutcome.Rescanned;
                await WriteEntryAsync(connection, transaction, entry, expectedVersion: rescan.Version, cancellationToken);
            }
            else
            {
                int token;
                using (var allocate = Command(connection, transaction,
                    """
                    INSERT INTO token_counters (hip_id, counter_code, service_day, last_token) VALUES ($hip, $counter, $day, 1)
                    ON CONFLICT (hip_id, counter_code, service_day) DO UPDATE SET last_token = last_token + 1
                    RETURNING last_token
                    """,
                    ("$hip", intake.HipId), ("$counter", intake.CounterCode), ("$day", Day(intake.ServiceDay))))
                {
                    token = Convert.ToInt32(await allocate.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
                }

                entry = intake.NewEntry(token);
                outcome = ShareIntakeOutcome.Created;
                await WriteEntryAsync(connection, transaction, entry, expectedVersion: null, cancellationToken);
            }

            await ExecuteAsync(connection, transaction,
                "INSERT OR REPLACE INTO share_requests (request_id, entry_id, content_hash) VALUES ($request, $entry, $hash)", cancellationToken,
                ("$request", Id(intake.ShareRequestId)), ("$entry", Id(entry.Id)), ("$hash", string.IsNullOrEmpty(intake.ContentHash) ? null : intake.ContentHash));
            await WriteOutboxItemAsync(connection, transaction, intake.AcknowledgementItem(entry.Id), cancellationToken);

            var kind = outcome == ShareIntakeOutcome.Created ? QueueChangeKind.Added : QueueChangeKind.Updated;
            return (new ShareIntakeResult(outcome, entry), new QueueChange(kind, entry.Id, entry.HipId, entry.CounterCode, entry.Version));
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<QueueEntry?> GetEntryAsync(Guid entryId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var command = Command(connection, null, "SELECT document FROM entries WHERE id = $id", ("$id", Id(entryId)));
        return await command.ExecuteScalarAsync(cancellationToken) is string document ? ReadEntry(document) : null;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<QueueEntry>> ListEntriesAsync(string hipId, string? counterCode, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hipId);
        await using var connection = await OpenAsync(cancellationToken);
        using var command = counterCode is null
            ? Command(connection, null,
                $"SELECT document FROM entries WHERE hip_id = $hip AND status IN {ActiveStatuses} AND expires_at > $now ORDER BY last_scanned_at DESC, token_number DESC",
                ("$hip", hipId), ("$now", Ticks(now)))
            : Command(connection, null,
                $"SELECT document FROM entries WHERE hip_id = $hip AND counter_code = $counter AND status IN {ActiveStatuses} AND expires_at > $now ORDER BY last_scanned_at DESC, token_number DESC",
                ("$hip", hipId), ("$counter", counterCode), ("$now", Ticks(now)));
        var entries = new List<QueueEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(ReadEntry(reader.GetString(0)));
        }

        return entries;
    }

    /// <inheritdoc />
    public async Task<bool> TryUpdateEntryAsync(EntryUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        return await WriteAsync(async (connection, transaction) =>
        {
            string? storedStatus;
            using (var read = Command(connection, transaction, "SELECT status FROM entries WHERE id = $id AND version = $version",
                ("$id", Id(update.Entry.Id)), ("$version", update.Entry.Version)))
            {
                storedStatus = await read.ExecuteScalarAsync(cancellationToken) as string;
            }

            if (storedStatus is null)
            {
                return (false, (QueueChange?)null);
            }

            var written = update.Entry with { Version = update.Entry.Version + 1 };
            await WriteEntryAsync(connection, transaction, written, expectedVersion: update.Entry.Version, cancellationToken);
            foreach (var item in update.Enqueue)
            {
                await WriteOutboxItemAsync(connection, transaction, item, cancellationToken);
            }

            foreach (var correlation in update.Correlations)
            {
                await ExecuteAsync(connection, transaction,
                    "INSERT OR REPLACE INTO correlations (request_id, entry_id, document) VALUES ($request, $entry, $document)", cancellationToken,
                    ("$request", Id(correlation.RequestId)), ("$entry", Id(correlation.EntryId)),
                    ("$document", JsonSerializer.Serialize(correlation, StoreJson.Correlation)));
            }

            if (update.CompleteOutboxItemId is { } completed)
            {
                await ExecuteAsync(connection, transaction, "DELETE FROM outbox WHERE id = $id", cancellationToken, ("$id", Id(completed)));
            }

            if (update.LinkingToken is { } token)
            {
                await WriteLinkingTokenAsync(connection, transaction, token, cancellationToken);
            }

            var removed = IsTerminal(written.Status) && !IsTerminal(Enum.Parse<QueueEntryStatus>(storedStatus));
            return (true, new QueueChange(removed ? QueueChangeKind.Removed : QueueChangeKind.Updated, written.Id, written.HipId, written.CounterCode, written.Version));
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<Correlation?> GetCorrelationAsync(Guid requestId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var command = Command(connection, null, "SELECT document FROM correlations WHERE request_id = $request", ("$request", Id(requestId)));
        return await command.ExecuteScalarAsync(cancellationToken) is string document
            ? JsonSerializer.Deserialize(document, StoreJson.Correlation)
            : null;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<OutboxItem>> LeaseOutboxItemsAsync(string owner, DateTimeOffset now, TimeSpan leaseDuration, int maxItems, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        if (maxItems <= 0)
        {
            return [];
        }

        var leased = await WriteAsync(async (connection, transaction) =>
        {
            var items = new List<OutboxItem>();
            using (var select = Command(connection, transaction,
                """
                SELECT document FROM outbox
                WHERE due_at <= $now AND (lease_expires_at IS NULL OR lease_expires_at <= $now)
                ORDER BY due_at, created_at LIMIT $max
                """,
                ("$now", Ticks(now)), ("$max", maxItems)))
            {
                await using var reader = await select.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    var item = ReadOutboxItem(reader.GetString(0));
                    items.Add(item with { LeaseOwner = owner, LeaseExpiresAt = now + leaseDuration });
                }
            }

            foreach (var item in items)
            {
                await WriteOutboxItemAsync(connection, transaction, item, cancellationToken);
            }

            return ((IReadOnlyList<OutboxItem>)items, (QueueChange?)null);
        }, cancellationToken);
        if (leased.Count > 0)
        {
            Log.Leased(_logger, leased.Count, owner);
        }

        return leased;
    }

    /// <inheritdoc />
    public Task<bool> RescheduleOutboxItemAsync(Guid itemId, string owner, DateTimeOffset dueAt, int attempts, string? lastError, CancellationToken cancellationToken = default) =>
        WriteAsync(async (connection, transaction) =>
        {
            using var select = Command(connection, transaction, "SELECT document FROM outbox WHERE id = $id AND lease_owner = $owner",
                ("$id", Id(itemId)), ("$owner", owner));
            if (await select.ExecuteScalarAsync(cancellationToken) is not string document)
            {
                return (false, (QueueChange?)null);
            }

            var item = ReadOutboxItem(document) with { DueAt = dueAt, Attempts = attempts, LastError = lastError, LeaseOwner = null, LeaseExpiresAt = null };
            await WriteOutboxItemAsync(connection, transaction, item, cancellationToken);
            return (true, (QueueChange?)null);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> CompleteOutboxItemAsync(Guid itemId, CancellationToken cancellationToken = default) =>
        WriteAsync(async (connection, transaction) =>
            (await ExecuteAsync(connection, transaction, "DELETE FROM outbox WHERE id = $id", cancellationToken, ("$id", Id(itemId))) > 0, (QueueChange?)null),
            cancellationToken);

    /// <inheritdoc />
    public async Task<OutboxStatistics> GetOutboxStatisticsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var command = Command(connection, null, "SELECT COUNT(*), MIN(created_at), MIN(MAX(due_at, COALESCE(lease_expires_at, due_at))) FROM outbox");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var count = reader.GetInt32(0);
        return count == 0
            ? new OutboxStatistics(0, null, null)
            : new OutboxStatistics(count, FromTicks(reader.GetInt64(1)), FromTicks(reader.GetInt64(2)));
    }

    /// <inheritdoc />
    public async Task<LinkingTokenRecord?> GetLinkingTokenAsync(string hipId, string healthId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hipId);
        ArgumentNullException.ThrowIfNull(healthId);
        await using var connection = await OpenAsync(cancellationToken);
        using var command = Command(connection, null, "SELECT document FROM linking_tokens WHERE hip_id = $hip AND health_id = $health",
            ("$hip", hipId), ("$health", HealthKey(healthId)));
        return await command.ExecuteScalarAsync(cancellationToken) is string document
            ? JsonSerializer.Deserialize(document, StoreJson.LinkingTokenRecord)
            : null;
    }

    /// <inheritdoc />
    public Task<bool> MarkLinkingTokenUsedAsync(string hipId, string healthId, DateTimeOffset usedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hipId);
        ArgumentNullException.ThrowIfNull(healthId);
        return WriteAsync(async (connection, transaction) =>
        {
            using var select = Command(connection, transaction, "SELECT document FROM linking_tokens WHERE hip_id = $hip AND health_id = $health",
                ("$hip", hipId), ("$health", HealthKey(healthId)));
            if (await select.ExecuteScalarAsync(cancellationToken) is not string document
                || JsonSerializer.Deserialize(document, StoreJson.LinkingTokenRecord) is not { UsedAt: null } token)
            {
                return (false, (QueueChange?)null);
            }

            // The document only: expires_at stays (a row from before ExpiresAt existed keeps its backfilled expiry).
            await ExecuteAsync(connection, transaction, "UPDATE linking_tokens SET document = $document WHERE hip_id = $hip AND health_id = $health", cancellationToken,
                ("$hip", hipId), ("$health", HealthKey(healthId)),
                ("$document", JsonSerializer.Serialize(token with { UsedAt = usedAt }, StoreJson.LinkingTokenRecord)));
            return (true, (QueueChange?)null);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<int> PurgeAsync(DateTimeOffset cutoff, DateTimeOffset linkingTokenCutoff, CancellationToken cancellationToken = default)
    {
        var count = await WriteAsync(async (connection, transaction) =>
        {
            var parameter = ("$cutoff", (object?)Ticks(cutoff));
            const string Expired = "SELECT id FROM entries WHERE expires_at < $cutoff";
            await ExecuteAsync(connection, transaction, $"DELETE FROM share_requests WHERE entry_id IN ({Expired})", cancellationToken, parameter);
            await ExecuteAsync(connection, transaction, $"DELETE FROM correlations WHERE entry_id IN ({Expired})", cancellationToken, parameter);
            await ExecuteAsync(connection, transaction, $"DELETE FROM outbox WHERE entry_id IN ({Expired})", cancellationToken, parameter);
            var entries = await ExecuteAsync(connection, transaction, "DELETE FROM entries WHERE expires_at < $cutoff", cancellationToken, parameter);

            // Service days are local days; the cutoff's UTC date is never later than its local date east of UTC, so
            // counters of the cutoff's local day (and of any day still in use) are kept.
            await ExecuteAsync(connection, transaction, "DELETE FROM token_counters WHERE service_day < $day", cancellationToken,
                ("$day", Day(DateOnly.FromDateTime(cutoff.UtcDateTime))));
            await ExecuteAsync(connection, transaction, "DELETE FROM linking_tokens WHERE expires_at < $tokens", cancellationToken,
                ("$tokens", Ticks(linkingTokenCutoff)));
            return (entries, (QueueChange?)null);
        }, cancellationToken);
        if (count > 0)
        {
            Log.Purged(_logger, count);
        }

        return count;
    }

    /// <inheritdoc />
    public IAsyncEnumerable<QueueChange> WatchAsync(CancellationToken cancellationToken = default) =>
        _changes.WatchAsync(_ =>
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return Task.CompletedTask;
        }, cancellationToken);

    /// <inheritdoc />
    public async Task PingAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var command = Command(connection, null, "SELECT COUNT(*) FROM sqlite_master");
        await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>Ends every change feed and releases the pooled connections of this database.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        var writer = StopWriter();
        writer?.GetAwaiter().GetResult();
        ReleaseConnections();
    }

    /// <summary>
    /// Lets the writer finish the operations already queued, then ends every change feed and releases the pooled
    /// connections of this database.
    /// </summary>
    /// <returns>A task that completes when the writer stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        if (StopWriter() is { } writer)
        {
            await writer;
        }

        ReleaseConnections();
    }

    private Task? StopWriter()
    {
        lock (_writerGate)
        {
            _disposed = true;
            _writes.Writer.TryComplete();
            return _writerLoop;
        }
    }

    private void ReleaseConnections()
    {
        _changes.Complete();

        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        return await OpenRawAsync(cancellationToken);
    }

    private async Task<SqliteConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            using var pragma = connection.CreateCommand();
            pragma.CommandText = string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {_busyTimeoutMilliseconds};");
            await pragma.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>How many transactions the writer committed (for tests of group commit).</summary>
    internal long CommitCount => Interlocked.Read(ref _commits);

    /// <summary>How many write operations wait for the writer (for tests of group commit).</summary>
    internal int QueuedWrites => Volatile.Read(ref _queued);

    /// <summary>
    /// Queues <paramref name="work"/> for the writer, which runs it inside a <c>SAVEPOINT</c> of a group-commit
    /// <c>BEGIN IMMEDIATE</c> transaction, and completes after that transaction committed (then publishes the change it
    /// reports, in commit order). A failure of <paramref name="work"/> rolls back only its own savepoint.
    /// </summary>
    internal async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<(T Result, QueueChange? Change)>> work, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        var request = new WriteRequest<T>(work, cancellationToken);
        lock (_writerGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _writerLoop ??= Task.Run(WriteLoopAsync, CancellationToken.None);

            // The channel is completed only under this lock, after _disposed is set: the write cannot fail here.
            Interlocked.Increment(ref _queued);
            _writes.Writer.TryWrite(request);
        }

        // Not cancellable once queued: a request cancelled before the writer reaches it is skipped (and this throws), but
        // one that already ran must report what was committed.
        return await request.Task;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<WriteRequest>(MaxBatchSize);
        var reader = _writes.Reader;
        try
        {
            while (await reader.WaitToReadAsync())
            {
                batch.Clear();
                while (batch.Count < MaxBatchSize && reader.TryRead(out var request))
                {
                    Interlocked.Decrement(ref _queued);
                    batch.Add(request);
                }

                try
                {
                    await RunBatchAsync(batch);
                }
                catch (Exception ex)
                {
                    // Not expected (RunBatchAsync handles failures); the writer must survive it all the same, or every
                    // later write would wait forever. Requests already completed ignore this.
                    CloseWriterConnection();
                    foreach (var request in batch)
                    {
                        request.Fail(ex);
                    }
                }
            }
        }
        finally
        {
            CloseWriterConnection();
        }
    }

    /// <summary>Runs a batch in one transaction and completes its requests; never throws.</summary>
    private async Task RunBatchAsync(List<WriteRequest> batch)
    {
        var executed = new List<WriteRequest>(batch.Count);
        SqliteConnection connection;
        SqliteTransaction transaction;
        try
        {
            connection = _writerConnection ??= await OpenWriterConnectionAsync();
            transaction = connection.BeginTransaction(deferred: false);
        }
        catch (Exception ex)
        {
            CloseWriterConnection();
            foreach (var request in batch)
            {
                request.Fail(ex);
            }

            return;
        }

        using (transaction)
        {
            // A batch of one needs no savepoint: its failure rolls back the whole transaction.
            var savepoints = batch.Count > 1;
            for (var i = 0; i < batch.Count; i++)
            {
                var request = batch[i];
                if (request.CancellationToken.IsCancellationRequested)
                {
                    request.Fail(new OperationCanceledException(request.CancellationToken));
                    continue;
                }

                try
                {
                    if (savepoints)
                    {
                        transaction.Save(Savepoint);
                    }

                    await request.ExecuteAsync(connection, transaction);
                    if (savepoints)
                    {
                        transaction.Release(Savepoint);
                    }

                    executed.Add(request);
                }
                catch (Exception ex)
                {
                    if (!savepoints)
                    {
                        request.Fail(ex);
                        RollBack(connection, transaction);
                        return;
                    }

                    if (RollBackToSavepoint(connection, transaction))
                    {
                        request.Fail(ex);
                        continue;
                    }

                    // SQLite ended the whole transaction (an I/O error, a full disk): what ran before is gone too, and
                    // what did not run yet gets a fresh transaction.
                    request.Fail(ex);
                    foreach (var lost in executed)
                    {
                        lost.Fail(ex);
                    }

                    CloseWriterConnection();
                    await RunBatchAsync(batch.GetRange(i + 1, batch.Count - i - 1));
                    return;
                }
            }

            try
            {
                transaction.Commit();
                Interlocked.Increment(ref _commits);
            }
            catch (Exception ex)
            {
                // Nothing of this batch is durable: every caller learns it. The connection is closed, which rolls back
                // whatever the failed COMMIT left open.
                foreach (var request in executed)
                {
                    request.Fail(ex);
                }

                CloseWriterConnection();
                return;
            }
        }

        foreach (var request in executed)
        {
            if (request.Change is { } change)
            {
                Publish(change);
            }

            request.Succeed();
        }
    }

    /// <summary>Rolls back the whole transaction, or closes the writer connection (which does) when that fails.</summary>
    private void RollBack(SqliteConnection connection, SqliteTransaction transaction)
    {
        try
        {
            if (connection.Handle is not null && SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) == 0)
            {
                transaction.Rollback();
            }
        }
        catch (SqliteException)
        {
            CloseWriterConnection();
        }
    }

    /// <summary>Rolls back the failed operation's savepoint; <see langword="false"/> when SQLite already ended the transaction.</summary>
    private static bool RollBackToSavepoint(SqliteConnection connection, SqliteTransaction transaction)
    {
        if (connection.Handle is null || SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) != 0)
        {
            return false;
        }

        try
        {
            transaction.Rollback(Savepoint);
            transaction.Release(Savepoint);
            return true;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    private async Task<SqliteConnection> OpenWriterConnectionAsync()
    {
        var connection = new SqliteConnection(_writerConnectionString);
        try
        {
            await connection.OpenAsync();
            using var pragma = connection.CreateCommand();
            pragma.CommandText = string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {_busyTimeoutMilliseconds};");
            await pragma.ExecuteNonQueryAsync();
            WriterCommands.Add(connection, new Dictionary<string, ReusedCommand>(StringComparer.Ordinal));
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private void CloseWriterConnection()
    {
        var connection = _writerConnection;
        _writerConnection = null;
        try
        {
            if (connection is not null && WriterCommands.TryGetValue(connection, out var commands))
            {
                WriterCommands.Remove(connection);
                foreach (var command in commands.Values)
                {
                    command.Release();
                }
            }

            connection?.Dispose();
        }
        catch (SqliteException)
        {
            // Closing rolls back what is open; a failure here leaves nothing to do.
        }
    }

    private void Publish(QueueChange change) => _changes.Publish(change);

    private static async Task WriteEntryAsync(SqliteConnection connection, SqliteTransaction transaction, QueueEntry entry, long? expectedVersion, CancellationToken cancellationToken)
    {
        var sql = expectedVersion is null
            ? """
              INSERT INTO entries (id, hip_id, counter_code, health_id, status, service_day, token_number, first_scanned_at, last_scanned_at, expires_at, version, document)
              VALUES ($id, $hip, $counter, $health, $status, $day, $token, $first, $last, $expires, $version, $document)
              """
            : """
              UPDATE entries SET hip_id = $hip, counter_code = $counter, health_id = $health, status = $status, service_day = $day,
                  token_number = $token, first_scanned_at = $first, last_scanned_at = $last, expires_at = $expires, version = $version, document = $document
              WHERE id = $id AND version = $expected
              """;
        var written = await ExecuteAsync(connection, transaction, sql, cancellationToken,
            ("$id", Id(entry.Id)), ("$hip", entry.HipId), ("$counter", entry.CounterCode), ("$health", HealthKey(entry.Profile.HealthId)),
            ("$status", entry.Status.ToString()), ("$day", Day(entry.ServiceDay)), ("$token", entry.TokenNumber),
            ("$first", Ticks(entry.FirstScannedAt)), ("$last", Ticks(entry.LastScannedAt)), ("$expires", Ticks(entry.ExpiresAt)), ("$version", entry.Version),
            ("$expected", expectedVersion), ("$document", JsonSerializer.Serialize(entry, StoreJson.QueueEntry)));
        if (written != 1)
        {
            throw new InvalidOperationException("The queue entry changed inside a write transaction.");
        }
    }

    private static Task<int> WriteOutboxItemAsync(SqliteConnection connection, SqliteTransaction transaction, OutboxItem item, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction,
            """
            INSERT OR REPLACE INTO outbox (id, entry_id, due_at, created_at, lease_owner, lease_expires_at, document)
            VALUES ($id, $entry, $due, $created, $owner, $lease, $document)
            """,
            cancellationToken,
            ("$id", Id(item.Id)), ("$entry", Id(item.EntryId)), ("$due", Ticks(item.DueAt)), ("$created", Ticks(item.CreatedAt)),
            ("$owner", item.LeaseOwner), ("$lease", item.LeaseExpiresAt is { } lease ? Ticks(lease) : null),
            ("$document", JsonSerializer.Serialize(item, StoreJson.OutboxItem)));

    private static Task<int> WriteLinkingTokenAsync(SqliteConnection connection, SqliteTransaction transaction, LinkingTokenRecord token, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction,
            "INSERT OR REPLACE INTO linking_tokens (hip_id, health_id, expires_at, document) VALUES ($hip, $health, $expires, $document)", cancellationToken,
            ("$hip", token.HipId), ("$health", HealthKey(token.HealthId)), ("$expires", token.ExpiresAt is { } expires ? Ticks(expires) : null),
            ("$document", JsonSerializer.Serialize(token, StoreJson.LinkingTokenRecord)));

    private static async Task<int> ExecuteAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        // On the writer connection, each statement is prepared once and re-bound: SQLite's parse and plan of every
        // statement was a large part of the writer's cost per operation.
        if (WriterCommands.TryGetValue(connection, out var cache))
        {
            if (!cache.TryGetValue(sql, out var cached))
            {
                cached = new ReusedCommand(sql, connection);
                foreach (var (name, _) in parameters)
                {
                    cached.Parameters.Add(new SqliteParameter { ParameterName = name });
                }

                cache[sql] = cached;
            }

            cached.Transaction = transaction;
            foreach (var (name, value) in parameters)
            {
                var parameter = cached.Parameters[name];
                parameter.ResetSqliteType();
                parameter.Value = value ?? DBNull.Value;
            }

            return cached;
        }

        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    /// <summary>The writer connection's prepared commands, by SQL text (one writer connection at a time, used by one batch at a time).</summary>
    private static readonly ConditionalWeakTable<SqliteConnection, Dictionary<string, ReusedCommand>> WriterCommands = new();

    /// <summary>A command kept for the writer connection: disposing it after use keeps it (and its prepared statements).</summary>
    private sealed class ReusedCommand(string sql, SqliteConnection connection) : SqliteCommand(sql, connection)
    {
        private bool _released;

        /// <summary>Really disposes it (when the writer connection closes).</summary>
        public void Release()
        {
            _released = true;
            Dispose();
        }

        protected override void Dispose(bool disposing)
        {
            if (_released)
            {
                base.Dispose(disposing);
            }
        }
    }

    private static QueueEntry ReadEntry(string document) =>
        JsonSerializer.Deserialize(document, StoreJson.QueueEntry) ?? throw new InvalidOperationException("A stored queue entry is empty.");

    private static OutboxItem ReadOutboxItem(string document) =>
        JsonSerializer.Deserialize(document, StoreJson.OutboxItem) ?? throw new InvalidOperationException("A stored outbox item is empty.");

    private static bool IsTerminal(QueueEntryStatus status) => status is QueueEntryStatus.Completed or QueueEntryStatus.Dismissed or QueueEntryStatus.Rejected;

    private static string Id(Guid id) => id.ToString("D");

    /// <summary>The PHR address as the health_id columns hold it (<see cref="PhrAddress.Fold"/>).</summary>
    private static string HealthKey(string healthId) => PhrAddress.Fold(healthId);

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static long Ticks(DateTimeOffset time) => time.UtcTicks;

    private static DateTimeOffset FromTicks(long ticks) => new(ticks, TimeSpan.Zero);

    /// <summary>A write operation waiting for the writer.</summary>
    private abstract class WriteRequest(CancellationToken cancellationToken)
    {
        public CancellationToken CancellationToken { get; } = cancellationToken;

        /// <summary>The change to publish once committed.</summary>
        public QueueChange? Change { get; protected set; }

        public abstract Task ExecuteAsync(SqliteConnection connection, SqliteTransaction transaction);

        public abstract void Succeed();

        public abstract void Fail(Exception error);
    }

    private sealed class WriteRequest<T>(Func<SqliteConnection, SqliteTransaction, Task<(T Result, QueueChange? Change)>> work, CancellationToken cancellationToken)
        : WriteRequest(cancellationToken)
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T _result = default!;

        public Task<T> Task => _completion.Task;

        public override async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction transaction)
        {
            (_result, var change) = await work(connection, transaction);
            Change = change;
        }

        public override void Succeed() => _completion.TrySetResult(_result);

        public override void Fail(Exception error)
        {
            if (error is OperationCanceledException && CancellationToken.IsCancellationRequested)
            {
                _completion.TrySetCanceled(CancellationToken);
            }
            else
            {
                _completion.TrySetException(error);
            }
        }
    }
}
