using System.Collections.Concurrent;
using System.Globalization;
using Abdm.ProfileShare.Diagnostics.Internal;
using Abdm.ProfileShare.Internal;
using Abdm.ProfileShare.Storage;
using Abdm.ProfileShare.Workflow.Internal.Steps;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Workflow.Internal;

/// <summary>
/// The outbox pump: leases due items, runs each through the step for its kind (<see cref="IOutboxStep"/>, under
/// <c>Steps/</c>) with bounded concurrency, reschedules failed attempts with jittered exponential back-off, purges
/// expired entries, and sleeps until the next item is due or a change wakes it. Items are leased, so several instances
/// sharing a store never run the same item at once and a crashed instance's items are taken over when their lease
/// expires. Nothing is dropped while its entry lives (except a step's <see cref="IOutboxStep.MaxAttempts"/>).
/// </summary>
internal sealed class OutboxProcessor : BackgroundService
{
    private static readonly TimeSpan PurgeInterval = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// The outbox statistics (the metrics' snapshot and the earliest due time) are re-read at most this often while
    /// items are being leased: once per pump, they were a store round trip per outbox item. The next wake-up is never
    /// later than this after a skipped read, and this process's own future items (retries, callback timeouts) are
    /// tracked locally, so nothing due waits longer than this for a pump.
    /// </summary>
    private static readonly TimeSpan StatisticsMaxAge = TimeSpan.FromSeconds(1);

    private readonly IProfileShareStore _store;
    private readonly IServiceScopeFactory _scopes;
    private readonly IOptionsMonitor<AbdmProfileShareOptions> _options;
    private readonly WorkflowClock _clock;
    private readonly OutboxSignal _signal;
    private readonly ILogger<OutboxProcessor> _logger;
    private readonly AbdmMetrics _metrics;
    private readonly OutageTracker _storeOutage;
    private readonly Dictionary<OutboxItemKind, IOutboxStep> _steps;
    private readonly string _owner;
    private readonly ConcurrentDictionary<Guid, Task> _running = new();
    private readonly Lock _dueLock = new();
    private OutboxStatistics? _statistics;
    private DateTimeOffset _statisticsAt;
    private DateTimeOffset? _localNextDue;
    private DateTimeOffset _nextPurge;

    public OutboxProcessor(IProfileShareStore store, IServiceScopeFactory scopes, IOptionsMonitor<AbdmProfileShareOptions> options, WorkflowClock clock, OutboxSignal signal, ILogger<OutboxProcessor> logger, AbdmMetrics metrics,
        IEnumerable<IOutboxStep> steps)
    {
        _store = store;
        _scopes = scopes;
        _options = options;
        _clock = clock;
        _signal = signal;
        _logger = logger;
        _metrics = metrics;
        _steps = steps.ToDictionary(s => s.Kind);
        _storeOutage = new OutageTracker("The profile-share store", logger, clock.TimeProvider);
        _owner = string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Log.OutboxStarted(_logger, _owner);
        var configured = _options.CurrentValue;
        if (configured.Outbox.LeaseDuration <= configured.Resilience.TotalTimeout)
        {
            Log.LeaseShorterThanCall(_logger, configured.Outbox.LeaseDuration, configured.Resilience.TotalTimeout);
        }

        _nextPurge = _clock.Now;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                TimeSpan wait;
                try
                {
                    wait = await PumpAsync(stoppingToken).ConfigureAwait(false);
                    _storeOutage.Succeeded();
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // One error when the store starts failing, one information when it answers again.
                    _storeOutage.Failed(ex.GetType().Name, ex);
                    wait = _options.CurrentValue.Outbox.RetryBaseDelay;
                }

                if (wait > TimeSpan.Zero)
                {
                    await _signal.WaitAsync(wait, _clock.TimeProvider, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            await Task.WhenAll(_running.Values).ConfigureAwait(false);
        }
    }

    /// <summary>Leases and starts what is due; returns how long to wait before looking again (zero: at once).</summary>
    private async Task<TimeSpan> PumpAsync(CancellationToken stoppingToken)
    {
        var options = _options.CurrentValue.Outbox;
        var free = options.MaxConcurrency - _running.Count;
        if (free <= 0)
        {
            return options.IdleCheckInterval;
        }

        var now = _clock.Now;
        var items = await _store.LeaseOutboxItemsAsync(_owner, now, options.LeaseDuration, free, stoppingToken).ConfigureAwait(false);
        foreach (var item in items)
        {
            // A lease can end while this instance still runs the item (a call slower than the lease); the new lease is
            // ours too, so the running attempt carries on and no second one starts.
            if (!_running.ContainsKey(item.Id))
            {
                // Registered before it starts (on the thread pool, off the pump), so its own removal when it ends can
                // never come first and leave a finished attempt holding a concurrency slot for good.
                var run = new Task<Task>(static state =>
                {
                    var (processor, leased, token) = ((OutboxProcessor, OutboxItem, CancellationToken))state!;
                    return processor.RunAsync(leased, token);
                }, (this, item, stoppingToken), CancellationToken.None);
                _running[item.Id] = run.Unwrap();
                run.Start(TaskScheduler.Default);
            }
        }

        if (items.Count == free)
        {
            return TimeSpan.Zero;
        }

        if (now >= _nextPurge)
        {
            _nextPurge = now + PurgeInterval;
            // Entries go a retention period after they expire; linking tokens as soon as they expire.
            var purged = await _store.PurgeAsync(now - _options.CurrentValue.Queue.Retention, now, stoppingToken).ConfigureAwait(false);
            if (purged > 0)
            {
                Log.Purged(_logger, purged);
            }
        }

        var wait = options.IdleCheckInterval;
        DateTimeOffset? nextDue;
        if (_statistics is null || now - _statisticsAt >= StatisticsMaxAge || now < _statisticsAt || (items.Count == 0 && _statistics.NextDueAt <= now))
        {
            _statistics = await _store.GetOutboxStatisticsAsync(stoppingToken).ConfigureAwait(false);
            _statisticsAt = now;
            _metrics.UpdateOutbox(_statistics);
            nextDue = _statistics.NextDueAt;
        }
        else
        {
            // Skipped: wake up by the next read at the latest; a cached due time already past was what was just leased.
            var refresh = _statisticsAt + StatisticsMaxAge - now;
            wait = refresh < wait ? refresh : wait;
            nextDue = _statistics.NextDueAt > now ? _statistics.NextDueAt : null;
        }

        lock (_dueLock)
        {
            // What this process scheduled for later; once due, this pump's lease has seen it.
            if (_localNextDue is { } local && local <= now)
            {
                _localNextDue = null;
            }
            else if (_localNextDue is { } later && (nextDue is null || later < nextDue))
            {
                nextDue = later;
            }
        }

        if (nextDue is { } due)
        {
            var untilDue = due - _clock.Now;
            wait = untilDue < wait ? untilDue : wait;
        }

        return wait < MinimumWait ? MinimumWait : wait;
    }

    private async Task RunAsync(OutboxItem item, CancellationToken stoppingToken)
    {
        if (!_steps.TryGetValue(item.Kind, out var step))
        {
            // An item of a kind this version does not know (written by a newer instance): left for that instance.
            _running.TryRemove(item.Id, out _);
            return;
        }

        // Every attempt is a span of the entry's trace (a gateway call's HTTP span nests under it).
        using var span = EntrySpan.Start(step.SpanName, item.EntryId)
            .Tag(AbdmTags.RequestId, item.RequestId)
            .Tag(AbdmTags.OutboxItemId, item.Id)
            .Tag(AbdmTags.Attempt, item.Attempts + 1);
        try
        {
            StepResult result;
            var scope = _scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                result = await step.RunAsync(item, scope.ServiceProvider, stoppingToken).ConfigureAwait(false);
            }

            if (result.WakeAt is { } wakeAt)
            {
                ScheduledLocally(wakeAt);
            }

            if (result.RetryReason is { } reason)
            {
                span.Tag(AbdmTags.Outcome, "retry").Fail(reason);
                await RescheduleAsync(item, step, reason, gatewayOutage: true).ConfigureAwait(false);
            }
            else if (!result.CompletedByUpdate)
            {
                // Most items are removed by the entry update that finishes them; the rest are removed here.
                await _store.CompleteOutboxItemAsync(item.Id, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The lease expires and another instance (or this one after a restart) takes the item over.
        }
        catch (Exception ex)
        {
            span.Tag(AbdmTags.Outcome, "retry").Fail(ex.GetType().Name);
            Log.OutboxItemFailed(_logger, item.Kind, item.Id, item.EntryId, item.Attempts + 1, ex);
            try
            {
                await RescheduleAsync(item, step, ex.GetType().Name, gatewayOutage: false).ConfigureAwait(false);
            }
            catch (Exception rescheduleError)
            {
                Log.OutboxPumpFailed(_logger, rescheduleError);
            }
        }
        finally
        {
            _running.TryRemove(item.Id, out _);
            _signal.Notify();
        }
    }

    /// <summary>Remembers an item this process has scheduled for later, so the pump wakes for it without re-reading the statistics.</summary>
    private void ScheduledLocally(DateTimeOffset dueAt)
    {
        lock (_dueLock)
        {
            if (_localNextDue is null || dueAt < _localNextDue)
            {
                _localNextDue = dueAt;
            }
        }
    }

    private async Task RescheduleAsync(OutboxItem item, IOutboxStep step, string reason, bool gatewayOutage)
    {
        var options = _options.CurrentValue.Outbox;
        var attempts = item.Attempts + 1;
        if (step.MaxAttempts is { } max && attempts >= max)
        {
            Log.NotificationAbandoned(_logger, item.EntryId, attempts);
            await _store.CompleteOutboxItemAsync(item.Id, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        var exponent = Math.Min(attempts - 1, 20);
        var delay = TimeSpan.FromTicks(Math.Min(options.RetryMaxDelay.Ticks, options.RetryBaseDelay.Ticks * (1L << exponent)));
        delay = TimeSpan.FromTicks((long)(delay.Ticks * (0.8 + (Random.Shared.NextDouble() * 0.4))));
        var dueAt = _clock.Now + delay;
        ScheduledLocally(dueAt);
        await _store.RescheduleOutboxItemAsync(item.Id, _owner, dueAt, attempts, reason, CancellationToken.None).ConfigureAwait(false);
        _metrics.OutboxRetry(item.Kind);
        Log.OutboxItemRescheduled(_logger, gatewayOutage ? LogLevel.Debug : LogLevel.Warning, item.Kind, item.Id, item.EntryId, attempts, delay.TotalMilliseconds, reason);
    }
}
