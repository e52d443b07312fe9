using System.Globalization;
using System.Text.Json;
using Abdm.ProfileShare.Storage;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Abdm.ProfileShare.PostgreSql.Internal;

/// <summary>
/// The cross-instance change feed: one connection per store instance LISTENs on <c>{schema}_changes</c> and hands every
/// notification (<c>{seq}|{QueueChange JSON}</c>, sent by the writing transaction at its commit, so in commit order) to
/// the store's <see cref="ChangeFeed"/>, this instance's own changes included.
/// </summary>
/// <remarks>
/// <para>Started by the first subscription, which waits until LISTEN is in place (so a change made after its first
/// <c>MoveNextAsync</c> is seen); it runs until the store is disposed.</para>
/// <para>When the connection is lost (PostgreSQL restarted, a network cut), it reconnects with back-off, LISTENs again
/// and then re-reads from <c>{schema}.changes</c> every change it has not delivered: those with a sequence number above
/// the highest it saw minus a margin (a transaction may commit after one that drew a later number), skipping the ones
/// it already delivered. So a subscriber sees every change, late rather than never; the log keeps an hour.</para>
/// </remarks>
internal sealed class PgChangeListener : IAsyncDisposable
{
    private const int ResyncMargin = 1000;
    private const int SeenCapacity = 20_000;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan IdlePing = TimeSpan.FromSeconds(30);

    private readonly NpgsqlDataSource _dataSource;
    private readonly PgSql _sql;
    private readonly ChangeFeed _changes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _starting = new(1, 1);
    private readonly Lock _gate = new();
    private readonly HashSet<long> _seen = [];
    private readonly Queue<long> _seenOrder = new();
    private Task? _loop;
    private long _floor;
    private long _highest;

    public PgChangeListener(NpgsqlDataSource dataSource, PgSql sql, ChangeFeed changes, TimeProvider time, ILogger logger)
    {
        _dataSource = dataSource;
        _sql = sql;
        _changes = changes;
        _time = time;
        _logger = logger;
    }

    /// <summary>How many times the listener reconnected (for tests).</summary>
    public int Reconnections { get; private set; }

    /// <summary>Starts listening (once); completes when LISTEN is in place. Throws when the first connection fails.</summary>
    public async Task EnsureListeningAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _loop) is not null)
        {
            return;
        }

        await _starting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, typeof(PostgreSqlProfileShareStore));
            if (_loop is not null)
            {
                return;
            }

            var connection = await ListenAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // History before the first LISTEN is not this feed's: start after the latest change logged.
                var command = new NpgsqlCommand($"SELECT COALESCE(MAX(seq), 0) FROM {_sql.Changes}", connection);
                await using var commandLifetime = command.ConfigureAwait(false);
                _floor = _highest = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            }
            catch
            {
                await ReleaseAsync(connection).ConfigureAwait(false);
                throw;
            }

            Volatile.Write(ref _loop, Task.Run(() => RunAsync(connection), CancellationToken.None));
        }
        finally
        {
            _starting.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is { } loop)
        {
            await loop.ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private async Task<NpgsqlConnection> ListenAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            connection.Notification += (_, e) => Deliver(e.Payload);
            var listen = new NpgsqlCommand($"LISTEN {_sql.Channel}", connection);
            await using var listenLifetime = listen.ConfigureAwait(false);
            await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            Log.Listening(_logger, _sql.Channel);
            return connection;
        }
        catch
        {
            await ReleaseAsync(connection).ConfigureAwait(false);
            throw;
        }
    }

    private async Task RunAsync(NpgsqlConnection connection)
    {
        var stopping = _stopping.Token;
        var backoff = TimeSpan.FromMilliseconds(100);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                // Notifications arrive (and are delivered by the Notification handler) while this waits. A connection
                // that went silent (a cut the kernel never reported) is found by a ping after a quiet interval.
                if (!await connection.WaitAsync(IdlePing, stopping).ConfigureAwait(false))
                {
                    var ping = new NpgsqlCommand("SELECT 1", connection);
                    await using (ping.ConfigureAwait(false))
                    {
                        ping.CommandTimeout = 10;
                        await ping.ExecuteScalarAsync(stopping).ConfigureAwait(false);
                    }
                }

                continue;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception) when (exception is NpgsqlException or IOException or ObjectDisposedException or InvalidOperationException or TimeoutException)
            {
                Log.ListenerLost(_logger, exception.GetType().Name);
            }

            await ReleaseAsync(connection).ConfigureAwait(false);
            while (!stopping.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(backoff, _time, stopping).ConfigureAwait(false);
                    connection = await ListenAsync(stopping).ConfigureAwait(false);
                    var missed = await ResyncAsync(connection, stopping).ConfigureAwait(false);
                    Reconnections++;
                    Log.ListenerResumed(_logger, missed);
                    backoff = TimeSpan.FromMilliseconds(100);
                    break;
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception exception) when (exception is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
                {
                    Log.ListenerStillDown(_logger, exception.GetType().Name); // the loss itself was a warning, once
                    backoff = backoff * 2 > MaxBackoff ? MaxBackoff : backoff * 2;
                }
            }
        }

        await ReleaseAsync(connection).ConfigureAwait(false);
    }

    /// <summary>
    /// Gives the listening connection back to the pool without its subscription (a pooled connection may not be reset,
    /// and one that kept listening would collect notifications nobody reads); a broken one is dropped by the pool.
    /// </summary>
    private static async Task ReleaseAsync(NpgsqlConnection connection)
    {
        try
        {
            if (connection.FullState == System.Data.ConnectionState.Open)
            {
                var unlisten = new NpgsqlCommand("UNLISTEN *", connection);
                await using (unlisten.ConfigureAwait(false))
                {
                    unlisten.CommandTimeout = 5;
                    await unlisten.ExecuteNonQueryAsync().ConfigureAwait(false);
                }
            }
        }
        catch (Exception exception) when (exception is NpgsqlException or IOException or InvalidOperationException or TimeoutException)
        {
            // Broken: the pool drops it.
        }

        await connection.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Delivers the logged changes this listener has not delivered (LISTEN is already in place again).</summary>
    private async Task<int> ResyncAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        long from;
        lock (_gate)
        {
            from = Math.Max(_floor, _highest - ResyncMargin);
        }

        var command = new NpgsqlCommand($"SELECT seq, payload FROM {_sql.Changes} WHERE seq > $1 ORDER BY seq", connection);
        await using var commandLifetime = command.ConfigureAwait(false);
        command.Parameters.Add(new NpgsqlParameter { Value = from });
        var missed = 0;
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (Deliver(reader.GetInt64(0), reader.GetString(1)))
                {
                    missed++;
                }
            }
        }

        return missed;
    }

    private void Deliver(string payload)
    {
        var separator = payload.IndexOf('|', StringComparison.Ordinal);
        if (separator <= 0 || !long.TryParse(payload.AsSpan(0, separator), NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
        {
            Log.ChangeUnreadable(_logger, _sql.Schema);
            return;
        }

        Deliver(seq, payload[(separator + 1)..]);
    }

    /// <summary>Publishes a change once (a re-read may meet one already delivered); false when it was delivered before.</summary>
    private bool Deliver(long seq, string json)
    {
        QueueChange? change;
        try
        {
            change = JsonSerializer.Deserialize(json, StoreJson.QueueChange);
        }
        catch (JsonException)
        {
            Log.ChangeUnreadable(_logger, _sql.Schema);
            return false;
        }

        if (change is null)
        {
            return false;
        }

        lock (_gate)
        {
            if (!_seen.Add(seq))
            {
                return false;
            }

            _seenOrder.Enqueue(seq);
            if (_seenOrder.Count > SeenCapacity)
            {
                _seen.Remove(_seenOrder.Dequeue());
            }

            _highest = Math.Max(_highest, seq);

            // Published under the gate: the notification thread and a re-read never interleave their changes.
            _changes.Publish(change);
        }

        return true;
    }
}
