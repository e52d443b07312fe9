using System.Text.Json;
using Abdm.ProfileShare.Storage;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Abdm.ProfileShare.Redis.Internal;

/// <summary>
/// The Redis store's connection: connects on first use (and again after a failed attempt), subscribes to the change
/// channel <c>{prefix}changes</c> and hands every message it receives to the store's <see cref="ChangeFeed"/>, and on
/// dispose ends the feed, unsubscribes and closes the connection when the store opened it.
/// </summary>
internal sealed class RedisConnection
{
    private readonly Func<Task<IConnectionMultiplexer>> _connect;
    private readonly bool _ownsConnection;
    private readonly RedisProfileShareStoreOptions _options;
    private readonly RedisKeys _keys;
    private readonly ChangeFeed _changes;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private Task<Connected>? _ready;
    private bool _disposed;

    public RedisConnection(Func<Task<IConnectionMultiplexer>> connect, bool ownsConnection, RedisProfileShareStoreOptions options, RedisKeys keys, ChangeFeed changes, ILogger logger)
    {
        _connect = connect;
        _ownsConnection = ownsConnection;
        _options = options;
        _keys = keys;
        _changes = changes;
        _logger = logger;
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> (naming the store) when disposed.</summary>
    public void ThrowIfDisposed()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, typeof(RedisProfileShareStore));
        }
    }

    /// <summary>The database, once connected and subscribed to the change channel.</summary>
    public async Task<IDatabase> DatabaseAsync(CancellationToken cancellationToken)
    {
        Task<Connected> ready;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, typeof(RedisProfileShareStore));
            if (_ready is null || _ready.IsFaulted || _ready.IsCanceled)
            {
                _ready = ConnectAsync();
            }

            ready = _ready;
        }

        return (await ready.WaitAsync(cancellationToken).ConfigureAwait(false)).Database;
    }

    /// <summary>Ends every change feed, unsubscribes, and closes the connection when the store opened it.</summary>
    public async ValueTask DisposeAsync()
    {
        Task<Connected>? ready;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            ready = _ready;
            _changes.Complete();
        }

        if (ready is { IsCompletedSuccessfully: true })
        {
            var connection = ready.Result;
            await connection.Changes.UnsubscribeAsync().ConfigureAwait(false);
            if (_ownsConnection)
            {
                await connection.Multiplexer.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<Connected> ConnectAsync()
    {
        try
        {
            var multiplexer = await _connect().ConfigureAwait(false);
            var changes = await multiplexer.GetSubscriber().SubscribeAsync(_keys.Changes).ConfigureAwait(false);
            changes.OnMessage(message => Dispatch(message.Message));
            Log.Subscribed(_logger, _keys.Prefix);
            return new Connected(multiplexer, multiplexer.GetDatabase(_options.Database), changes);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            Log.ConnectFailed(_logger, _keys.Prefix, exception);
            throw;
        }
    }

    private void Dispatch(RedisValue message)
    {
        QueueChange? change;
        try
        {
            change = JsonSerializer.Deserialize((string?)message ?? "", StoreJson.QueueChange);
        }
        catch (JsonException exception)
        {
            Log.ChangeMessageUnreadable(_logger, _keys.Prefix, exception);
            return;
        }

        if (change is null)
        {
            return;
        }

        _changes.Publish(change);
    }

    private sealed record Connected(IConnectionMultiplexer Multiplexer, IDatabase Database, ChannelMessageQueue Changes);
}
