using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.PostgreSql.Internal;
using Abdm.ProfileShare.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Abdm.ProfileShare.PostgreSql;

/// <summary>
/// The PostgreSQL store: durable, and shared by several instances of the hospital's application, in the PostgreSQL the
/// hospital already runs (its backups, replication and access control).
/// </summary>
/// <remarks>
/// <para>Everything lives in one schema (<see cref="PostgreSqlProfileShareStoreOptions.Schema"/>, default <c>abdm</c>),
/// created and migrated at start from a versioned migration list under an advisory lock (instances starting together
/// migrate once). Every operation is one READ COMMITTED transaction or one statement: a share is deduplicated by its
/// requestId (a primary key) and gets its token number from an upsert on the counter row RETURNING the number; entries
/// are updated only at the version read (optimistic concurrency); outbox items are leased with
/// <c>FOR UPDATE SKIP LOCKED</c>, timed by the database's clock (<see cref="PostgreSqlProfileShareStoreOptions.LeaseClock"/>),
/// and an expired lease is taken over by any instance. A method returns only after its transaction committed, so a
/// share is never acknowledged unless its row is durable (PostgreSQL's own <c>synchronous_commit</c> decides what
/// durable means; keep it <c>on</c>).</para>
/// <para>The change feed is LISTEN/NOTIFY on <c>{schema}_changes</c>: every instance sees every change, in commit order;
/// after a lost connection the store reconnects and re-reads what it missed from a change log.</para>
/// <para>Failures: an operation gives up after <see cref="PostgreSqlProfileShareStoreOptions.CommandTimeout"/> (a
/// <see cref="TimeoutException"/>) or with Npgsql's exception; transient failures are retried inside the call where that
/// is safe (<see cref="PostgreSqlProfileShareStoreOptions.MaxRetries"/>). Connections come from the Npgsql pool, which
/// drops broken connections, so the store recovers by itself when PostgreSQL is back.</para>
/// </remarks>
public sealed class PostgreSqlProfileShareStore : IProfileShareStore, IAsyncDisposable, IDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly PostgreSqlProfileShareStoreOptions _options;
    private readonly PgSql _sql;
    private readonly PgExecutor _executor;
    private readonly PgChangeListener _listener;
    private readonly ILogger _logger;
    private readonly ChangeFeed _changes = new();
    private readonly SemaphoreSlim _initialization = new(1, 1);
    private volatile bool _initialized;
    private volatile bool _disposed;

    /// <summary>Creates a store that opens its own data source from <see cref="PostgreSqlProfileShareStoreOptions.ConnectionString"/>.</summary>
    /// <param name="options">The settings (<see cref="PostgreSqlProfileShareStoreOptions.ConnectionString"/> required).</param>
    /// <param name="logger">The logger (none when omitted).</param>
    public PostgreSqlProfileShareStore(PostgreSqlProfileShareStoreOptions options, ILogger<PostgreSqlProfileShareStore>? logger = null)
        : this(CreateDataSource(options), ownsDataSource: true, options, logger, TimeProvider.System)
    {
    }

    /// <summary>Creates a store on a data source the caller owns (and disposes).</summary>
    /// <param name="dataSource">The data source.</param>
    /// <param name="options">The settings (defaults when omitted; the connection string is ignored).</param>
    /// <param name="logger">The logger (none when omitted).</param>
    public PostgreSqlProfileShareStore(NpgsqlDataSource dataSource, PostgreSqlProfileShareStoreOptions? options = null, ILogger<PostgreSqlProfileShareStore>? logger = null)
        : this(dataSource, ownsDataSource: false, options ?? new PostgreSqlProfileShareStoreOptions(), logger, TimeProvider.System)
    {
    }

    internal PostgreSqlProfileShareStore(NpgsqlDataSource dataSource, bool ownsDataSource, PostgreSqlProfileShareStoreOptions options, ILogger? logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        var problems = PgOptionsValidator.Problems(options, requireConnectionString: false, prefix: "");
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _sql = new PgSql(options.Schema);
        _executor = new PgExecutor(dataSource, options, time, _logger);
        _listener = new PgChangeListener(dataSource, _sql, _changes, time, _logger);
    }

    /// <summary>The schema the store uses.</summary>
    public string Schema => _sql.Schema;

    /// <summary>
    /// Creates or migrates the schema now (otherwise the first operation does) and starts listening for changes. Safe to
    /// call several times and from several instances at once.
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

        await _initialization.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_initialized)
            {
                await PgSchema.MigrateAsync(_dataSource, _sql.Schema, _logger, cancellationToken).ConfigureAwait(false);

                // Listening from the start, as the Redis store subscribes when it connects: a subscriber that starts
                // later sees every change committed after its first MoveNextAsync without waiting for a LISTEN.
                await _listener.EnsureListeningAsync(cancellationToken).ConfigureAwait(false);
                _initialized = true;
            }
        }
        finally
        {
            _initialization.Release();
        }
    }

    /// <inheritdoc />
    public async Task<ShareIntakeResult> AcceptShareAsync(ShareIntake intake, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(intake);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);

        // Run again after an uncertain commit: the second run finds the requestId and answers Duplicate with the entry.
        var (result, _) = await _executor.RunInTransactionAsync("AcceptShare", rerunIfUncertain: true,
            (connection, transaction, ct) => PgIntake.AcceptShareAsync(connection, transaction, _sql, intake, ct), cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <inheritdoc />
    public async Task<QueueEntry?> GetEntryAsync(Guid entryId, CancellationToken cancellationToken = default)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        return await _executor.RunAsync("GetEntry", rerunIfUncertain: true,
            (connection, ct) => PgEntries.GetEntryAsync(connection, _sql, entryId, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<QueueEntry>> ListEntriesAsync(string hipId, string? counterCode, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hipId);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        return await _executor.RunAsync("ListEntries", rerunIfUncertain: true,
            (connection, ct) => PgEntries.ListEntriesAsync(connection, _sql, hipId, counterCode, now, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> TryUpdateEntryAsync(EntryUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);

        // Not run again after an uncertain commit: the second run would find the version moved on and report false.
        var (written, _) = await _executor.RunInTransactionAsync("TryUpdateEntry", rerunIfUncertain: false,
            (connection, transaction, ct) => PgEntries.TryUpdateEntryAsync(connection, transaction, _sql, update, ct), cancellationToken).ConfigureAwait(false);
        return written;
    }

    /// <inheritdoc />
    public async Task<Correlation?> GetCorrelationAsync(Guid requestId, CancellationToken cancellationToken = default)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        return await _executor.RunAsync("GetCorrelation", rerunIfUncertain: true,
            (connection, ct) => PgEntries.GetCorrelationAsync(connection, _sql, requestId, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// With <see cref="PostgreSqlLeaseClock.Database"/> (the default) a lease runs from PostgreSQL's clock for
    /// <paramref name="leaseDuration"/> and each returned item's <see cref="OutboxItem.LeaseExpiresAt"/> is on that clock;
    /// <paramref name="now"/> decides only which items are due. With <see cref="PostgreSqlLeaseClock.Caller"/> the lease
    /// is timed by <paramref name="now"/>, as the contract's text states.
    /// </remarks>
    public async Task<IReadOnlyList<OutboxItem>> LeaseOutboxItemsAsync(string owner, DateTimeOffset now, TimeSpan leaseDuration, int maxItems, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        if (maxItems <= 0)
        {
            return [];
        }

        await InitializeAsync(cancellationToken).ConfigureAwait(false);

        // Run again after an uncertain commit: items leased by the lost attempt stay leased until their lease expires.
        var leased = await _executor.RunAsync("LeaseOutboxItems", rerunIfUncertain: true,
            (connection, ct) => PgOutbox.LeaseAsync(connection, _sql, _options.LeaseClock, owner, now, leaseDuration, maxItems, ct), cancellationToken).ConfigureAwait(false);
        if (leased.Count > 0)
        {
            Log.Leased(_logger, leased.Count, owner);
        }

        return leased;
    }

    /// <inheritdoc />
    public async Task<bool> RescheduleOutboxItemAsync(Guid itemId, string owner, DateTimeOffset dueAt, int attempts, string? lastError, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        return await _executor.RunAsync("RescheduleOutboxItem", rerunIfUncertain: false,
            (connection, ct) => PgOutbox.RescheduleAsync(connection, _sql, itemId, owner, dueAt, attempts, lastError, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> CompleteOutboxItemAsync(Guid itemId, CancellationToken cancellationToken = default)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        return await _executor.RunAsync("CompleteOutboxItem", rerunIfUncertain: false,
            (connection, ct) => PgOutbox.CompleteAsync(connection, _sql, itemId, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<OutboxStatistics> GetOutboxStatisticsAsync(CancellationToken cancellationToken = default)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        return await _executor.RunAsync("GetOutboxStatistics", rerunIfUncertain: true,
            (connection, ct) => PgOutbox.GetStatisticsAsync(connection, _sql, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<LinkingTokenRecord?> GetLinkingTokenAsync(string hipId, string healthId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hipId);
        ArgumentNullException.ThrowIfNull(healthId);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        return await _executor.RunAsync("GetLinkingToken", rerunIfUncertain: true,
            (connection, ct) => PgLinkingTokens.GetAsync(connection, _sql, hipId, healthId, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> MarkLinkingTokenUsedAsync(string hipId, string healthId, DateTimeOffset usedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hipId);
        ArgumentNullException.ThrowIfNull(healthId);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        return await _executor.RunInTransactionAsync("MarkLinkingTokenUsed", rerunIfUncertain: false,
            (connection, transaction, ct) => PgLinkingTokens.MarkUsedAsync(connection, transaction, _sql, hipId, healthId, usedAt, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<LinkingRequestGuard> TryBeginLinkingRequestAsync(string hipId, string healthId, Guid requestId, DateTimeOffset now, TimeSpan window, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hipId);
        ArgumentNullException.ThrowIfNull(healthId);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        // Re-running after an uncertain commit is safe: the same requestId is let through again and nothing else changes.
        return await _executor.RunInTransactionAsync("TryBeginLinkingRequest", rerunIfUncertain: true,
            (connection, transaction, ct) => PgLinkingGuards.TryBeginAsync(connection, transaction, _sql, hipId, healthId, requestId, now, window, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task BlockLinkingRequestsAsync(string hipId, string healthId, string errorCode, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hipId);
        ArgumentNullException.ThrowIfNull(healthId);
        ArgumentNullException.ThrowIfNull(errorCode);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await _executor.RunAsync("BlockLinkingRequests", rerunIfUncertain: true,
            (connection, ct) => PgLinkingGuards.BlockAsync(connection, _sql, hipId, healthId, errorCode, until, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task RecordCounterServiceAsync(CounterServiceEvent serviceEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(serviceEvent);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        // Not re-run after an uncertain commit: a served token counted twice would skew the average.
        await _executor.RunAsync("RecordCounterService", rerunIfUncertain: false,
            (connection, ct) => PgLinkingGuards.RecordServiceAsync(connection, _sql, serviceEvent, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<CounterServiceDay?> GetCounterServiceDayAsync(string hipId, string counterCode, DateOnly serviceDay, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hipId);
        ArgumentNullException.ThrowIfNull(counterCode);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        return await _executor.RunAsync("GetCounterServiceDay", rerunIfUncertain: true,
            (connection, ct) => PgLinkingGuards.GetServiceAsync(connection, _sql, hipId, counterCode, serviceDay, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<int> PurgeAsync(DateTimeOffset cutoff, DateTimeOffset linkingTokenCutoff, CancellationToken cancellationToken = default)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        var count = await _executor.RunInTransactionAsync("Purge", rerunIfUncertain: true,
            (connection, transaction, ct) => PgLinkingTokens.PurgeAsync(connection, transaction, _sql, cutoff, linkingTokenCutoff, ct), cancellationToken).ConfigureAwait(false);
        if (count > 0)
        {
            Log.Purged(_logger, count, _sql.Schema);
        }

        return count;
    }

    /// <inheritdoc />
    /// <remarks>The subscription is registered when the enumerator's first <c>MoveNextAsync</c> is called, and that call
    /// returns once the store LISTENs (the first subscription connects the listener).</remarks>
    public IAsyncEnumerable<QueueChange> WatchAsync(CancellationToken cancellationToken = default) =>
        _changes.WatchAsync(async ct =>
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            await InitializeAsync(ct).ConfigureAwait(false);
            await _listener.EnsureListeningAsync(ct).ConfigureAwait(false);
        }, cancellationToken);

    /// <inheritdoc />
    public async Task PingAsync(CancellationToken cancellationToken = default)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await _executor.RunAsync("Ping", rerunIfUncertain: true, async (connection, ct) =>
        {
            var command = new NpgsqlCommand("SELECT 1", connection);
            await using var commandLifetime = command.ConfigureAwait(false);
            return await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends every change feed, stops listening, and disposes the data source when the store created it.</summary>
    /// <returns>A task that completes when done.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _listener.DisposeAsync().ConfigureAwait(false);
        _changes.Complete();
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Ends every change feed, stops listening, and disposes the data source when the store created it.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>The change-feed listener (for tests of its reconnection).</summary>
    internal PgChangeListener Listener => _listener;

    private static NpgsqlDataSource CreateDataSource(PostgreSqlProfileShareStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = PgOptionsValidator.Problems(options, requireConnectionString: true, prefix: "");
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        return PgOptionsValidator.CreateDataSource(options);
    }
}
