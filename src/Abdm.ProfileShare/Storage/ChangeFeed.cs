using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Abdm.ProfileShare.Storage;

/// <summary>
/// The in-process side of a store's change feed (<see cref="IProfileShareStore.WatchAsync"/>): one unbounded channel
/// per subscriber, every published change written to each, in publish order. Every store of the SDK uses one; a store
/// you write can too.
/// </summary>
/// <remarks>
/// <para>A store keeps one instance and:</para>
/// <list type="bullet">
/// <item>calls <see cref="Publish"/> with each change once it is durable (after its transaction committed, in commit
/// order), or, for a store several processes share, with each change as it arrives from the shared source (the Redis
/// store publishes what it receives over pub/sub, its own changes included);</item>
/// <item>returns <see cref="WatchAsync"/> from its <see cref="IProfileShareStore.WatchAsync"/>, passing as
/// <c>afterSubscribe</c> whatever must happen before changes can be missed no more (throw when disposed, connect to the
/// shared source);</item>
/// <item>calls <see cref="Complete"/> when it is disposed, which ends every subscription.</item>
/// </list>
/// <para>Thread-safe. A subscriber that does not read keeps its changes in memory until it reads or unsubscribes;
/// changes carry ids and versions only, never patient data.</para>
/// </remarks>
public sealed class ChangeFeed
{
    private readonly Lock _gate = new();
    private readonly List<Channel<QueueChange>> _subscribers = [];
    private bool _completed;

    /// <summary>Hands a change to every current subscriber (a subscription that starts later does not see it).</summary>
    /// <param name="change">The change.</param>
    public void Publish(QueueChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
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
    /// Subscribes when the enumerator's first <c>MoveNextAsync</c> is called (as the conformance suite requires), then
    /// (when given) runs <paramref name="afterSubscribe"/> (for example: throw when the store is disposed, or make sure
    /// the store's own source of changes is connected), then yields changes until <paramref name="cancellationToken"/>
    /// is cancelled or the feed completes.
    /// </summary>
    /// <param name="afterSubscribe">Runs once the subscription is registered, before the first change is read; an
    /// exception it throws ends the enumeration with that exception.</param>
    /// <param name="cancellationToken">Ends the subscription.</param>
    /// <returns>The changes published from the moment of subscription, in publish order.</returns>
    public async IAsyncEnumerable<QueueChange> WatchAsync(Func<CancellationToken, Task>? afterSubscribe = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
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
