using Abdm.ProfileShare.Storage;
using Abdm.ProfileShare.Workflow.Internal;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Diagnostics.Internal;

/// <summary>
/// Keeps the <c>abdm.queue.length</c> gauge (entries in the queue per HIP and counter) current while someone listens:
/// recounted at most every second after the store's change feed reports a change (by any instance), and at least
/// every 30 seconds (entries also leave the queue by expiring, which the feed does not report). Nothing is read while
/// nobody observes the gauge.
/// </summary>
internal sealed class QueueLengthMonitor : BackgroundService
{
    /// <summary>The gauge is recounted at most this often when the change feed reports changes...</summary>
    private static readonly TimeSpan MinAge = TimeSpan.FromSeconds(1);

    /// <summary>...and at least this often.</summary>
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);

    private readonly IProfileShareStore _store;
    private readonly IOptionsMonitor<AbdmProfileShareOptions> _options;
    private readonly WorkflowClock _clock;
    private readonly AbdmMetrics _metrics;
    private readonly SemaphoreSlim _changed = new(0, 1);
    private volatile bool _stale = true;

    public QueueLengthMonitor(IProfileShareStore store, IOptionsMonitor<AbdmProfileShareOptions> options, WorkflowClock clock, AbdmMetrics metrics)
    {
        _store = store;
        _options = options;
        _clock = clock;
        _metrics = metrics;
    }

    public override void Dispose()
    {
        _changed.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watching = WatchAsync(stoppingToken);
        DateTimeOffset? countedAt = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                TimeSpan wait;
                if (!_metrics.QueueLengthObserved)
                {
                    // Nobody listens: look again after the outbox's idle interval.
                    wait = _options.CurrentValue.Outbox.IdleCheckInterval;
                }
                else
                {
                    var now = _clock.Now;
                    if (countedAt is not { } last || now >= last + (_stale ? MinAge : MaxAge) || now < last)
                    {
                        _stale = false;
                        countedAt = now;
                        try
                        {
                            await CountAsync(now, stoppingToken).ConfigureAwait(false);
                        }
                        catch (Exception) when (!stoppingToken.IsCancellationRequested)
                        {
                            // The store is down (the outbox reports the outage): count again after MinAge.
                            _stale = true;
                        }
                    }

                    wait = countedAt.Value + (_stale ? MinAge : MaxAge) - _clock.Now;
                }

                await WaitForChangeAsync(wait, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            await watching.ConfigureAwait(false);
        }
    }

    private async Task CountAsync(DateTimeOffset now, CancellationToken stoppingToken)
    {
        var lengths = new Dictionary<(string HipId, string Counter), int>();
        foreach (var hipId in _options.CurrentValue.HipIds.Distinct(StringComparer.Ordinal))
        {
            foreach (var entry in await _store.ListEntriesAsync(hipId, null, now, stoppingToken).ConfigureAwait(false))
            {
                lengths[(hipId, entry.CounterCode)] = lengths.GetValueOrDefault((hipId, entry.CounterCode)) + 1;
            }
        }

        _metrics.UpdateQueueLengths(lengths);
    }

    private async Task WaitForChangeAsync(TimeSpan wait, CancellationToken stoppingToken)
    {
        using var timeout = new CancellationTokenSource(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, _clock.TimeProvider);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token);
        try
        {
            await _changed.WaitAsync(either.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // The periodic recount.
        }
    }

    /// <summary>Marks the gauge stale whenever the store's change feed reports a change.</summary>
    private async Task WatchAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var _ in _store.WatchAsync(stoppingToken).ConfigureAwait(false))
                {
                    MarkStale();
                }
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // The feed failed (the store is down): the periodic recount still runs; subscribe again after a pause.
            }

            MarkStale();
            try
            {
                await Task.Delay(_options.CurrentValue.Outbox.IdleCheckInterval, _clock.TimeProvider, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void MarkStale()
    {
        if (_stale)
        {
            return;
        }

        _stale = true;
        try
        {
            if (_changed.CurrentCount == 0)
            {
                _changed.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
        catch (ObjectDisposedException)
        {
            // Stopping.
        }
    }
}
