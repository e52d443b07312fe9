using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Abdm.ProfileShare.Storage.Internal;

/// <summary>
/// The in-process side of a store's change feed (<see cref="IProfileShareStore.WatchAsync"/>): one unbounded channel
/// per subscriber, every published change written to each, in publish order. Used by every store; the Redis store
/// publishes what arrives over pub/sub, the others what they commit.
/// </summary>
internal sealed class ChangeFeed
{
    private readonly Lock _gate = new();
    private readonly List<Channel<QueueChange>> _subscribers = [];
    private bool _completed;

    /// <summary>Hands a change to every current subscriber.</summary>
    public void Publish(QueueChange change)
    {
        lock (_gate)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryWrite(change);
            }
        }
    }

    /// <summary>Ends every subscription (the store is disposed); a later subscription ends at once.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            _completed = true;
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryComplete();
            }
        }
    }

    /// <summary>
    /// Subscribes, then (when given) runs <paramref name="afterSubscribe"/> (for example: make sure the store's own
    /// source of changes is connected), then yields changes until <paramref name="cancellationToken"/> is cancelled or
    /// the feed completes.
    /// </summary>
    public async IAsyncEnumerable<QueueChange> ReadAsync(Func<CancellationToken, Task>? afterSubscribe = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<QueueChange>(new UnboundedChannelOptions { SingleReader = true });
        lock (_gate)
        {
            if (_completed)
            {
                channel.Writer.TryComplete();
            }

            _subscribers.Add(channel);
        }

        try
        {
            if (afterSubscribe is not null)
            {
                await afterSubscribe(cancellationToken).ConfigureAwait(false);
            }

            while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var change))
                {
                    yield return change;
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                _subscribers.Remove(channel);
            }
        }
    }
}
