using System.Globalization;
using System.Text.Json;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Redis.Internal;
using Abdm.ProfileShare.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using static Abdm.ProfileShare.Redis.Internal.RedisCodec;

namespace Abdm.ProfileShare.Redis;

/// <summary>
/// The Redis store: several instances of the hospital's application behind a load balancer share the counter queue,
/// token counters, deduplication, correlations, the outbox and linking tokens.
/// </summary>
/// <remarks>
/// <para>Every multi-key operation is one Lua script, so it is atomic across instances: accepting a share
/// (deduplication, re-scan lookup, token INCR, entry, acknowledgement), an entry update (version check and every side
/// write), and outbox leases (a sorted set by due time plus lease fields).</para>
/// <para>Entries, deduplication keys and correlations carry a time-to-live (the entry's lifetime plus
/// <see cref="RedisProfileShareStoreOptions.Retention"/>); <see cref="PurgeAsync"/> still deletes expired entries
/// with everything that belongs to them. A linking-token key lives until the token's
/// <see cref="LinkingTokenRecord.ExpiresAt"/>: its time-to-live is set, like every other, from the times the workflow
/// passes (ExpiresAt - ReceivedAt, so the host's <see cref="TimeProvider"/> governs and clock skew between the
/// application and Redis does not), and the purge also deletes tokens expired by the workflow's clock. Keys written by
/// a version before expiries existed have no time-to-live and are kept.</para>
/// <para>The change feed is Redis pub/sub on <c>{prefix}changes</c>, published by the same scripts: every instance
/// sees every change. Messages carry ids only.</para>
/// </remarks>
public sealed class RedisProfileShareStore : IProfileShareStore, IAsyncDisposable, IDisposable
{
    private const int PurgeBatchSize = 200;
    private static readonly TimeSpan CounterLifetime = TimeSpan.FromDays(2);

    private readonly RedisProfileShareStoreOptions _options;
    private readonly RedisKeys _keys;
    private readonly ILogger _logger;
    private readonly ChangeFeed _changes = new();
    private readonly RedisConnection _connection;

    /// <summary>Creates a store on a connection the caller owns (and disposes).</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="options">The settings (defaults when omitted).</param>
    /// <param name="logger">The logger (none when omitted).</param>
    public RedisProfileShareStore(IConnectionMultiplexer connection, RedisProfileShareStoreOptions? options = null, ILogger<RedisProfileShareStore>? logger = null)
        : this(ConnectionFactory(connection), ownsConnection: false, options ?? new RedisProfileShareStoreOptions(), logger)
    {
    }

    internal RedisProfileShareStore(Func<Task<IConnectionMultiplexer>> connect, bool ownsConnection, RedisProfileShareStoreOptions options, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(connect);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.KeyPrefix, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Retention, TimeSpan.Zero, nameof(options));
        _options = options;
        _keys = new RedisKeys(options.KeyPrefix);
        _logger = logger ?? NullLogger.Instance;
        _connection = new RedisConnection(connect, ownsConnection, options, _keys, _changes, _logger);
    }

    /// <inheritdoc />
    public async Task<ShareIntakeResult> AcceptShareAsync(ShareIntake intake, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(intake);
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var health = HealthKey(intake.Profile.HealthId);
        var expiresAt = intake.ReceivedAt + intake.EntryLifetime;
        var newEntry = intake.NewEntry(tokenNumber: 0);
        var acknowledgement = intake.AcknowledgementItem(intake.NewEntryId);

        var result = await database.ScriptEvaluateAsync(RedisScripts.AcceptShare,
            [
                _keys.ShareRequest(intake.ShareRequestId),
                _keys.Rescan(intake.HipId, intake.CounterCode, health),
                _keys.HipQueue(intake.HipId),
                _keys.CounterQueue(intake.HipId, intake.CounterCode),
                _keys.TokenCounter(intake.HipId, intake.CounterCode, intake.ServiceDay),
            ],
            [
                _keys.Prefix,
                RedisKeys.Id(intake.ShareRequestId),
                MicrosText(intake.ReceivedAt),
                MicrosText(intake.ReceivedAt - intake.RescanWindow),
                RedisKeys.Id(intake.NewEntryId),
                EntryDocument(newEntry),
                ProfileDocument(intake.Profile),
                intake.WireVersion.ToString(),
                Time(intake.ReceivedAt),
                Time(expiresAt),
                MicrosText(expiresAt),
                Number(TimeToLive(intake.EntryLifetime)),
                Number(Milliseconds(CounterLifetime)),
                Number(intake.ServiceDay.DayNumber),
                RedisKeys.Id(intake.AcknowledgementItemId),
                ItemDocument(acknowledgement),
                intake.HipId,
                intake.CounterCode,
                health,
                Optional(string.IsNullOrEmpty(intake.ContentHash) ? null : intake.ContentHash),
            ]).WaitAsync(cancellationToken).ConfigureAwait(false);

        var parts = (RedisResult[]?)result ?? [];
        var outcome = Enum.Parse<ShareIntakeOutcome>((string?)parts[0] ?? "");

        // A created entry is the intake's with the allocated token: no need to read back and parse what was just written.
        var entry = outcome == ShareIntakeOutcome.Created
            ? newEntry with { TokenNumber = (int)parts[1] }
            : ReadEntry(Fields(parts[1]));

        var conflict = outcome == ShareIntakeOutcome.Duplicate && parts.Length > 2 && (int)parts[2] == 1;
        return new ShareIntakeResult(outcome, entry) { ContentConflict = conflict };
    }

    /// <inheritdoc />
    public async Task<QueueEntry?> GetEntryAsync(Guid entryId, CancellationToken cancellationToken = default)
    {
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var fields = await database.HashGetAllAsync(_keys.Entry(entryId)).WaitAsync(cancellationToken).ConfigureAwait(false);
        return fields.Length == 0 ? null : ReadEntry(fields.ToDictionary(f => (string)f.Name!, f => (string)f.Value!, StringComparer.Ordinal));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<QueueEntry>> ListEntriesAsync(string hipId, string? counterCode, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hipId);
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var key = counterCode is null ? _keys.HipQueue(hipId) : _keys.CounterQueue(hipId, counterCode);
        var result = await database.ScriptEvaluateAsync(RedisScripts.ListEntries, [key], [_keys.Prefix]).WaitAsync(cancellationToken).ConfigureAwait(false);
        return ((RedisResult[]?)result ?? [])
            .Select(r => ReadEntry(Fields(r)))
            .Where(e => e.HipId == hipId && (counterCode is null || e.CounterCode == counterCode) && e.IsActive(now))
            .OrderByDescending(e => e.LastScannedAt)
            .ThenByDescending(e => e.TokenNumber)
            .ToList();
    }

    /// <inheritdoc />
    public async Task<bool> TryUpdateEntryAsync(EntryUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var entry = update.Entry with { Version = update.Entry.Version + 1 };
        var health = HealthKey(entry.Profile.HealthId);
        var token = update.LinkingToken;
        var ttl = TimeToLive(entry.ExpiresAt - entry.LastScannedAt);

        var values = new List<RedisValue>
        {
            _keys.Prefix,
            RedisKeys.Id(entry.Id),
            Number(update.Entry.Version),
            EntryDocument(entry),
            Number(entry.TokenNumber),
            ProfileDocument(entry.Profile),
            entry.WireVersion.ToString(),
            RedisKeys.Id(entry.LatestShareRequestId),
            Number(entry.ScanCount),
            Time(entry.LastScannedAt),
            MicrosText(entry.LastScannedAt),
            Time(entry.ExpiresAt),
            MicrosText(entry.ExpiresAt),
            entry.Acknowledgement.ToString(),
            Number(entry.Version),
            entry.Status.ToString(),
            entry.HipId,
            entry.CounterCode,
            health,
            IsActive(entry.Status) ? "1" : "0",
            Number(ttl),
            Optional(update.CompleteOutboxItemId is { } completed ? RedisKeys.Id(completed) : null),
            token is null ? "0" : "1",
            token is null ? "" : JsonSerializer.Serialize(token with { UsedAt = null }, StoreJson.LinkingTokenRecord),
            Optional(token?.UsedAt is { } usedAt ? Time(usedAt) : null),
            Number(update.Enqueue.Count),
            Number(update.Correlations.Count),
            Time(entry.FirstScannedAt),
            MicrosText(entry.FirstScannedAt),
            Number(token?.ExpiresAt is { } tokenExpires ? Milliseconds(tokenExpires - token.ReceivedAt) : 0),
            token?.ExpiresAt is { } tokenExpiresAt ? MicrosText(tokenExpiresAt) : None,
        };
        foreach (var item in update.Enqueue)
        {
            values.Add(RedisKeys.Id(item.Id));
            values.Add(RedisKeys.Id(item.EntryId));
            values.Add(ItemDocument(item));
            values.Add(Time(item.DueAt));
            values.Add(MicrosText(item.DueAt));
            values.Add(MicrosText(item.CreatedAt));
            values.Add(Number(item.Attempts));
            values.Add(Optional(item.LastError));
            values.Add(Optional(item.LeaseExpiresAt is null ? null : item.LeaseOwner));
            values.Add(Optional(item.LeaseExpiresAt is { } lease ? Time(lease) : null));
            values.Add(item.LeaseExpiresAt is { } leaseEnd ? MicrosText(leaseEnd) : "0");
        }

        foreach (var correlation in update.Correlations)
        {
            values.Add(RedisKeys.Id(correlation.RequestId));
            values.Add(RedisKeys.Id(correlation.EntryId));
            values.Add(JsonSerializer.Serialize(correlation, StoreJson.Correlation));
        }

        var result = await database.ScriptEvaluateAsync(RedisScripts.TryUpdate,
            [
                _keys.Rescan(entry.HipId, entry.CounterCode, health),
                _keys.HipQueue(entry.HipId),
                _keys.CounterQueue(entry.HipId, entry.CounterCode),
                token is null ? _keys.LinkingToken(entry.HipId, health) : _keys.LinkingToken(token.HipId, HealthKey(token.HealthId)),
            ],
            [.. values]).WaitAsync(cancellationToken).ConfigureAwait(false);
        return (long)result == 1;
    }

    /// <inheritdoc />
    public async Task<Correlation?> GetCorrelationAsync(Guid requestId, CancellationToken cancellationToken = default)
    {
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var value = await database.StringGetAsync(_keys.Correlation(requestId)).WaitAsync(cancellationToken).ConfigureAwait(false);
        return value.IsNull ? null : JsonSerializer.Deserialize((string)value!, StoreJson.Correlation);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<OutboxItem>> LeaseOutboxItemsAsync(string owner, DateTimeOffset now, TimeSpan leaseDuration, int maxItems, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        if (maxItems <= 0)
        {
            return [];
        }

        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var leaseEnd = now + leaseDuration;
        var result = await database.ScriptEvaluateAsync(RedisScripts.Lease, [],
            [_keys.Prefix, owner, MicrosText(now), Time(leaseEnd), MicrosText(leaseEnd), Number(maxItems)]).WaitAsync(cancellationToken).ConfigureAwait(false);
        var items = ((RedisResult[]?)result ?? []).Select(r => ReadItem(Fields(r))).ToList();
        if (items.Count > 0)
        {
            Log.Leased(_logger, items.Count, owner);
        }

        return items;
    }

    /// <inheritdoc />
    public async Task<bool> RescheduleOutboxItemAsync(Guid itemId, string owner, DateTimeOffset dueAt, int attempts, string? lastError, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var result = await database.ScriptEvaluateAsync(RedisScripts.Reschedule, [],
            [_keys.Prefix, RedisKeys.Id(itemId), owner, Time(dueAt), MicrosText(dueAt), Number(attempts), Optional(lastError)]).WaitAsync(cancellationToken).ConfigureAwait(false);
        return (long)result == 1;
    }

    /// <inheritdoc />
    public async Task<bool> CompleteOutboxItemAsync(Guid itemId, CancellationToken cancellationToken = default)
    {
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var result = await database.ScriptEvaluateAsync(RedisScripts.Complete, [], [_keys.Prefix, RedisKeys.Id(itemId)]).WaitAsync(cancellationToken).ConfigureAwait(false);
        return (long)result == 1;
    }

    /// <inheritdoc />
    public async Task<OutboxStatistics> GetOutboxStatisticsAsync(CancellationToken cancellationToken = default)
    {
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var result = (RedisResult[]?)await database.ScriptEvaluateAsync(RedisScripts.Statistics, [], [_keys.Prefix]).WaitAsync(cancellationToken).ConfigureAwait(false) ?? [];
        var count = (int)result[0];
        return count == 0
            ? new OutboxStatistics(0, null, null)
            : new OutboxStatistics(count, ReadItemDocument((string?)result[1] ?? "").CreatedAt, FromMicros(long.Parse((string?)result[2] ?? "0", NumberStyles.Integer, CultureInfo.InvariantCulture)));
    }

    /// <inheritdoc />
    public async Task<LinkingTokenRecord?> GetLinkingTokenAsync(string hipId, string healthId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hipId);
        ArgumentNullException.ThrowIfNull(healthId);
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var values = await database.HashGetAsync(_keys.LinkingToken(hipId, HealthKey(healthId)), ["doc", "used"]).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (values[0].IsNull || JsonSerializer.Deserialize((string)values[0]!, StoreJson.LinkingTokenRecord) is not { } token)
        {
            return null;
        }

        return token with { UsedAt = values[1].IsNull ? null : ParseTime((string)values[1]!) };
    }

    /// <inheritdoc />
    public async Task<bool> MarkLinkingTokenUsedAsync(string hipId, string healthId, DateTimeOffset usedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hipId);
        ArgumentNullException.ThrowIfNull(healthId);
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var result = await database.ScriptEvaluateAsync(RedisScripts.MarkLinkingTokenUsed, [_keys.LinkingToken(hipId, HealthKey(healthId))],
            [_keys.Prefix, Time(usedAt)]).WaitAsync(cancellationToken).ConfigureAwait(false);
        return (long)result == 1;
    }

    /// <inheritdoc />
    public async Task<LinkingRequestGuard> TryBeginLinkingRequestAsync(string hipId, string healthId, Guid requestId, DateTimeOffset now, TimeSpan window, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hipId);
        ArgumentNullException.ThrowIfNull(healthId);
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        return await RedisLinkingGuards.TryBeginAsync(database, _keys, hipId, healthId, requestId, now, window, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task BlockLinkingRequestsAsync(string hipId, string healthId, string errorCode, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hipId);
        ArgumentNullException.ThrowIfNull(healthId);
        ArgumentNullException.ThrowIfNull(errorCode);
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        await RedisLinkingGuards.BlockAsync(database, _keys, hipId, healthId, errorCode, until, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>The day's record lives two days (a time-to-live), like the token counters.</remarks>
    public async Task RecordCounterServiceAsync(CounterServiceEvent serviceEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(serviceEvent);
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        await RedisCounterService.RecordAsync(database, _keys, serviceEvent, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<CounterServiceDay?> GetCounterServiceDayAsync(string hipId, string counterCode, DateOnly serviceDay, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hipId);
        ArgumentNullException.ThrowIfNull(counterCode);
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        return await RedisCounterService.GetAsync(database, _keys, hipId, counterCode, serviceDay, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<int> PurgeAsync(DateTimeOffset cutoff, DateTimeOffset linkingTokenCutoff, CancellationToken cancellationToken = default)
    {
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var total = 0;
        bool more;
        do
        {
            var result = (RedisResult[]?)await database.ScriptEvaluateAsync(RedisScripts.Purge, [],
                [_keys.Prefix, MicrosText(cutoff), Number(DateOnly.FromDateTime(cutoff.UtcDateTime).DayNumber), Number(PurgeBatchSize), MicrosText(linkingTokenCutoff)]).WaitAsync(cancellationToken).ConfigureAwait(false) ?? [];
            total += (int)result[0];
            more = (int)result[1] == 1;
        }
        while (more);

        await RedisLinkingGuards.PurgeAsync(database, _keys, cutoff, linkingTokenCutoff, cancellationToken).ConfigureAwait(false);

        if (total > 0)
        {
            Log.Purged(_logger, total, _keys.Prefix);
        }

        return total;
    }

    /// <inheritdoc />
    /// <remarks>The subscription is registered when the enumerator's first <c>MoveNextAsync</c> is called.</remarks>
    public IAsyncEnumerable<QueueChange> WatchAsync(CancellationToken cancellationToken = default) =>
        // Subscribed first, then connected (and subscribed to the Redis channel): nothing published after the first
        // MoveNextAsync is missed.
        _changes.WatchAsync(async ct =>
        {
            _connection.ThrowIfDisposed();
            await DatabaseAsync(ct).ConfigureAwait(false);
        }, cancellationToken);

    /// <inheritdoc />
    public async Task PingAsync(CancellationToken cancellationToken = default)
    {
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        await database.PingAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends every change feed, unsubscribes, and closes the connection when the store opened it.</summary>
    /// <returns>A task that completes when done.</returns>
    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    /// <summary>Ends every change feed, unsubscribes, and closes the connection when the store opened it.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private long TimeToLive(TimeSpan lifetime) => Milliseconds((lifetime < TimeSpan.Zero ? TimeSpan.Zero : lifetime) + _options.Retention);

    private Task<IDatabase> DatabaseAsync(CancellationToken cancellationToken) => _connection.DatabaseAsync(cancellationToken);

    private static Func<Task<IConnectionMultiplexer>> ConnectionFactory(IConnectionMultiplexer connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return () => Task.FromResult(connection);
    }
}
