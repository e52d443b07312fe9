using System.Globalization;
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
    private readonly string _connectionString;
    private readonly SqliteOpenMode _openMode;
    private readonly string? _databasePath;
    private readonly int _busyTimeoutMilliseconds;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _initialization = new(1, 1);
    private readonly ChangeFeed _changes = new();
    private readonly SqliteWriter _writer;
    private volatile bool _initialized;

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

        _busyTimeoutMilliseconds = (int)Math.Min(options.BusyTimeout.TotalMilliseconds, int.MaxValue);
        _logger = (ILogger?)logger ?? NullLogger.Instance;

        // The single writer holds its own long-lived connection, outside the pool: it is never shared, and after a
        // failed batch it is closed (rolling back whatever SQLite left open) instead of going back to a pool.
        var writerConnectionString = new SqliteConnectionStringBuilder(_connectionString) { Pooling = false }.ToString();
        _writer = new SqliteWriter(writerConnectionString, _busyTimeoutMilliseconds, _changes);
    }

    /// <summary>
    /// Creates or migrates the schema now (otherwise the first operation does). Safe to call several times and from
    /// several processes at once.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the schema is current.</returns>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_writer.IsStopped, this);
        if (_initialized)
        {
            return;
        }

        await _initialization.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_initialized)
            {
                // Before SQLite opens (and would create) the file: it holds patient data, so mode 0600.
                if (_databasePath is not null)
                {
                    SqliteFilePermissions.Secure(_databasePath, _openMode, _logger);
                }

                var connection = await OpenRawAsync(cancellationToken).ConfigureAwait(false);

                await using var connectionLifetime = connection.ConfigureAwait(false);
                await SqliteSchema.MigrateAsync(connection, _logger, cancellationToken).ConfigureAwait(false);
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
        return WriteAsync((connection, transaction) => SqliteIntake.AcceptShareAsync(connection, transaction, intake, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<QueueEntry?> GetEntryAsync(Guid entryId, CancellationToken cancellationToken = default)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionLifetime = connection.ConfigureAwait(false);
        return await SqliteEntries.GetEntryAsync(connection, entryId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<QueueEntry>> ListEntriesAsync(string hipId, string? counterCode, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hipId);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionLifetime = connection.ConfigureAwait(false);
        return await SqliteEntries.ListEntriesAsync(connection, hipId, counterCode, now, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> TryUpdateEntryAsync(EntryUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        return await WriteAsync((connection, transaction) => SqliteEntries.TryUpdateEntryAsync(connection, transaction, update, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<Correlation?> GetCorrelationAsync(Guid requestId, CancellationToken cancellationToken = default)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionLifetime = connection.ConfigureAwait(false);
        return await SqliteEntries.GetCorrelationAsync(connection, requestId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<OutboxItem>> LeaseOutboxItemsAsync(string owner, DateTimeOffset now, TimeSpan leaseDuration, int maxItems, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        if (maxItems <= 0)
        {
            return [];
        }

        var leased = await WriteAsync(
            (connection, transaction) => SqliteOutbox.LeaseAsync(connection, transaction, owner, now, leaseDuration, maxItems, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (leased.Count > 0)
        {
            Log.Leased(_logger, leased.Count, owner);
        }

        return leased;
    }

    /// <inheritdoc />
    public Task<bool> RescheduleOutboxItemAsync(Guid itemId, string owner, DateTimeOffset dueAt, int attempts, string? lastError, CancellationToken cancellationToken = default) =>
        WriteAsync((connection, transaction) => SqliteOutbox.RescheduleAsync(connection, transaction, itemId, owner, dueAt, attempts, lastError, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<bool> CompleteOutboxItemAsync(Guid itemId, CancellationToken cancellationToken = default) =>
        WriteAsync((connection, transaction) => SqliteOutbox.CompleteAsync(connection, transaction, itemId, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public async Task<OutboxStatistics> GetOutboxStatisticsAsync(CancellationToken cancellationToken = default)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionLifetime = connection.ConfigureAwait(false);
        return await SqliteOutbox.GetStatisticsAsync(connection, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<LinkingTokenRecord?> GetLinkingTokenAsync(string hipId, string healthId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hipId);
        ArgumentNullException.ThrowIfNull(healthId);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionLifetime = connection.ConfigureAwait(false);
        return await SqliteLinkingTokens.GetLinkingTokenAsync(connection, hipId, healthId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<bool> MarkLinkingTokenUsedAsync(string hipId, string healthId, DateTimeOffset usedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hipId);
        ArgumentNullException.ThrowIfNull(healthId);
        return WriteAsync((connection, transaction) => SqliteLinkingTokens.MarkUsedAsync(connection, transaction, hipId, healthId, usedAt, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public Task<LinkingRequestGuard> TryBeginLinkingRequestAsync(string hipId, string healthId, Guid requestId, DateTimeOffset now, TimeSpan window, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hipId);
        ArgumentNullException.ThrowIfNull(healthId);
        return WriteAsync((connection, transaction) => SqliteLinkingGuards.TryBeginAsync(connection, transaction, hipId, healthId, requestId, now, window, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public Task BlockLinkingRequestsAsync(string hipId, string healthId, string errorCode, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hipId);
        ArgumentNullException.ThrowIfNull(healthId);
        ArgumentNullException.ThrowIfNull(errorCode);
        return WriteAsync((connection, transaction) => SqliteLinkingGuards.BlockAsync(connection, transaction, hipId, healthId, errorCode, until, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public Task RecordCounterServiceAsync(CounterServiceEvent serviceEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(serviceEvent);
        return WriteAsync((connection, transaction) => SqliteCounterService.RecordAsync(connection, transaction, serviceEvent, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<CounterServiceDay?> GetCounterServiceDayAsync(string hipId, string counterCode, DateOnly serviceDay, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hipId);
        ArgumentNullException.ThrowIfNull(counterCode);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionLifetime = connection.ConfigureAwait(false);
        return await SqliteCounterService.GetAsync(connection, hipId, counterCode, serviceDay, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<int> PurgeAsync(DateTimeOffset cutoff, DateTimeOffset linkingTokenCutoff, CancellationToken cancellationToken = default)
    {
        var count = await WriteAsync((connection, transaction) => SqlitePurge.PurgeAsync(connection, transaction, cutoff, linkingTokenCutoff, cancellationToken), cancellationToken).ConfigureAwait(false);
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
            ObjectDisposedException.ThrowIf(_writer.IsStopped, this);
            return Task.CompletedTask;
        }, cancellationToken);

    /// <inheritdoc />
    public async Task PingAsync(CancellationToken cancellationToken = default)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionLifetime = connection.ConfigureAwait(false);
        using var command = SqliteCommands.Command(connection, null, "SELECT COUNT(*) FROM sqlite_master");
        await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends every change feed and releases the pooled connections of this database.</summary>
    public void Dispose()
    {
        if (_writer.IsStopped)
        {
            return;
        }

        var writer = _writer.Stop();
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
        if (_writer.IsStopped)
        {
            return;
        }

        if (_writer.Stop() is { } writer)
        {
            await writer.ConfigureAwait(false);
        }

        ReleaseConnections();
    }

    private void ReleaseConnections()
    {
        _changes.Complete();

        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        return await OpenRawAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<SqliteConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_writer.IsStopped, this);
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var pragma = connection.CreateCommand();
            pragma.CommandText = string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {_busyTimeoutMilliseconds};");
            await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>How many transactions the writer committed (for tests of group commit).</summary>
    internal long CommitCount => _writer.CommitCount;

    /// <summary>How many write operations wait for the writer (for tests of group commit).</summary>
    internal int QueuedWrites => _writer.QueuedWrites;

    /// <summary>
    /// Queues <paramref name="work"/> for the writer (<see cref="SqliteWriter.WriteAsync"/>), which runs it inside a
    /// <c>SAVEPOINT</c> of a group-commit <c>BEGIN IMMEDIATE</c> transaction, and completes after that transaction
    /// committed (then publishes the change it reports, in commit order). A failure of <paramref name="work"/> rolls back
    /// only its own savepoint.
    /// </summary>
    internal async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<(T Result, QueueChange? Change)>> work, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        return await _writer.WriteAsync(work, cancellationToken).ConfigureAwait(false);
    }
}
