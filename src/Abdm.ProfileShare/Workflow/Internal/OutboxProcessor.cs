using System.Collections.Concurrent;
using System.Globalization;
using Abdm.ProfileShare.Diagnostics.Internal;
using Abdm.ProfileShare.Gateway;
using Abdm.ProfileShare.Internal;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Abdm.ProfileShare.Wire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Workflow.Internal;

/// <summary>
/// Runs the outbox off the request path: the host's decision and the on-share acknowledgement, the linking chain's
/// gateway calls, its durable timeouts and the host notifications. Items are leased, so several instances sharing a
/// store never run the same item at once and a crashed instance's items are taken over when their lease expires.
/// Failed attempts are retried with jittered exponential back-off; nothing is dropped while its entry lives.
/// </summary>
internal sealed class OutboxProcessor : BackgroundService
{
    private static readonly TimeSpan PurgeInterval = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(10);
    private const int MaxNotificationAttempts = 10;

    /// <summary>The queue gauge is recounted at most this often when the change feed reports changes...</summary>
    private static readonly TimeSpan QueueLengthMinAge = TimeSpan.FromSeconds(1);

    /// <summary>...and at least this often (entries also leave the queue by expiring, which the feed does not report).</summary>
    private static readonly TimeSpan QueueLengthMaxAge = TimeSpan.FromSeconds(30);

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
    private readonly LinkingTokenProtector _linkingTokens;
    private readonly OutageTracker _storeOutage;
    private readonly string _owner;
    private readonly ConcurrentDictionary<Guid, Task> _running = new();

    /// <summary>Items whose entry update also removed them (no separate complete call needed).</summary>
    private readonly ConcurrentDictionary<Guid, byte> _completedByUpdate = new();
    private readonly Lock _dueLock = new();
    private OutboxStatistics? _statistics;
    private DateTimeOffset _statisticsAt;
    private DateTimeOffset? _localNextDue;
    private DateTimeOffset _nextPurge;
    private DateTimeOffset? _queueCountedAt;
    private volatile bool _queueChanged = true;

    public OutboxProcessor(IProfileShareStore store, IServiceScopeFactory scopes, IOptionsMonitor<AbdmProfileShareOptions> options, WorkflowClock clock, OutboxSignal signal, ILogger<OutboxProcessor> logger, AbdmMetrics metrics,
        LinkingTokenProtector linkingTokens)
    {
        _linkingTokens = linkingTokens;
        _store = store;
        _scopes = scopes;
        _options = options;
        _clock = clock;
        _signal = signal;
        _logger = logger;
        _metrics = metrics;
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
        var watching = WatchQueueAsync(stoppingToken);
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
            await watching.ConfigureAwait(false);
        }
    }

    /// <summary>Marks the queue gauge stale whenever the store's change feed reports a change (by any instance).</summary>
    private async Task WatchQueueAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var _ in _store.WatchAsync(stoppingToken).ConfigureAwait(false))
                {
                    if (!_queueChanged)
                    {
                        _queueChanged = true;
                        _signal.Notify();
                    }
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

            _queueChanged = true;
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

    /// <summary>Recounts the queue per HIP and counter for <c>abdm.queue.length</c> when it changed or is old, and someone listens.</summary>
    private async Task<TimeSpan?> CountQueueIfDueAsync(CancellationToken stoppingToken)
    {
        if (!_metrics.QueueLengthObserved)
        {
            return null;
        }

        var now = _clock.Now;
        if (_queueCountedAt is { } counted)
        {
            var due = counted + (_queueChanged ? QueueLengthMinAge : QueueLengthMaxAge);
            if (now < due)
            {
                return due - now;
            }
        }

        _queueChanged = false;
        _queueCountedAt = now;
        var lengths = new Dictionary<(string HipId, string Counter), int>();
        foreach (var hipId in _options.CurrentValue.HipIds.Distinct(StringComparer.Ordinal))
        {
            foreach (var entry in await _store.ListEntriesAsync(hipId, null, now, stoppingToken).ConfigureAwait(false))
            {
                lengths[(hipId, entry.CounterCode)] = lengths.GetValueOrDefault((hipId, entry.CounterCode)) + 1;
            }
        }

        _metrics.UpdateQueueLengths(lengths);
        return QueueLengthMaxAge;
    }

    /// <summary>Leases and starts what is due; returns how long to wait before looking again (zero: at once).</summary>
    private async Task<TimeSpan> PumpAsync(CancellationToken stoppingToken)
    {
        var options = _options.CurrentValue.Outbox;
        var free = options.MaxConcurrency - _running.Count;
        var now = _clock.Now;
        int leased;
        if (free > 0)
        {
            var items = await _store.LeaseOutboxItemsAsync(_owner, now, options.LeaseDuration, free, stoppingToken).ConfigureAwait(false);
            leased = items.Count;
            foreach (var item in items)
            {
                // A lease can end while this instance still runs the item (a call slower than the lease); the
                // new lease is ours too, so the running attempt carries on and no second one starts.
                if (!_running.ContainsKey(item.Id))
                {
                    _running[item.Id] = RunAsync(item, stoppingToken);
                }
            }

            if (items.Count == free)
            {
                return TimeSpan.Zero;
            }
        }
        else
        {
            return options.IdleCheckInterval;
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
        if (_statistics is null || now - _statisticsAt >= StatisticsMaxAge || now < _statisticsAt
            || (leased == 0 && _statistics.NextDueAt <= now))
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

        if (await CountQueueIfDueAsync(stoppingToken).ConfigureAwait(false) is { } untilCount && untilCount < wait)
        {
            wait = untilCount;
        }

        return wait < MinimumWait ? MinimumWait : wait;
    }

    private async Task RunAsync(OutboxItem item, CancellationToken stoppingToken)
    {
        await Task.Yield();

        // Every attempt is a span of the entry's trace (a gateway call's HTTP span nests under it).
        using var span = EntrySpan.Start(SpanName(item.Kind), item.EntryId)
            .Tag(AbdmTags.RequestId, item.RequestId.ToString())
            .Tag(AbdmTags.OutboxItemId, item.Id.ToString())
            .Tag(AbdmTags.Attempt, item.Attempts + 1);
        try
        {
            var retry = await ExecuteItemAsync(item, stoppingToken).ConfigureAwait(false);
            if (retry is null)
            {
                // Most items are removed by the entry update that finishes them; the rest are removed here.
                if (!_completedByUpdate.TryRemove(item.Id, out _))
                {
                    await _store.CompleteOutboxItemAsync(item.Id, CancellationToken.None).ConfigureAwait(false);
                }
            }
            else
            {
                span.Tag(AbdmTags.Outcome, "retry").Fail(retry);
                await RescheduleAsync(item, retry, gatewayOutage: true).ConfigureAwait(false);
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
                await RescheduleAsync(item, ex.GetType().Name, gatewayOutage: false).ConfigureAwait(false);
            }
            catch (Exception rescheduleError)
            {
                Log.OutboxPumpFailed(_logger, rescheduleError);
            }
        }
        finally
        {
            _completedByUpdate.TryRemove(item.Id, out _);
            _running.TryRemove(item.Id, out _);
            _signal.Notify();
        }
    }

    /// <summary>
    /// <see cref="EntryUpdater"/> for an item's entry, starting from <paramref name="known"/> (just read or written)
    /// instead of reading it again, and noting when the write also removed the item.
    /// </summary>
    private async Task<(bool Written, QueueEntry? Entry)> UpdateEntryAsync(OutboxItem item, QueueEntry? known, Func<QueueEntry, EntryUpdate?> change, CancellationToken cancellationToken)
    {
        EntryUpdate? last = null;
        var result = await EntryUpdater.UpdateAsync(_store, item.EntryId, known, current => last = change(current), cancellationToken).ConfigureAwait(false);
        if (result.Written && last?.CompleteOutboxItemId == item.Id)
        {
            _completedByUpdate[item.Id] = 0;
        }

        return result;
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

    private static string SpanName(OutboxItemKind kind) => kind switch
    {
        OutboxItemKind.ShareAcknowledgement => "abdm.on_share.send",
        OutboxItemKind.AuthInit => "abdm.auth_init.send",
        OutboxItemKind.AuthConfirm => "abdm.auth_confirm.send",
        OutboxItemKind.LinkingTimeout => "abdm.linking.timeout",
        OutboxItemKind.LinkingNotification => "abdm.linking.notify",
        OutboxItemKind.GenerateLinkToken => "abdm.generate_token.send",
        _ => "abdm.outbox.item",
    };

    private async Task RescheduleAsync(OutboxItem item, string reason, bool gatewayOutage)
    {
        var options = _options.CurrentValue.Outbox;
        var attempts = item.Attempts + 1;
        if (item.Kind == OutboxItemKind.LinkingNotification && attempts >= MaxNotificationAttempts)
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

    /// <summary>Runs one item. Returns null when the item is finished, or why it must be tried again.</summary>
    private async Task<string?> ExecuteItemAsync(OutboxItem item, CancellationToken cancellationToken)
    {
        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var services = scope.ServiceProvider;
            return item.Kind switch
            {
                OutboxItemKind.ShareAcknowledgement => await AcknowledgeAsync(item, services, cancellationToken).ConfigureAwait(false),
                OutboxItemKind.AuthInit => await InitAsync(item, services, cancellationToken).ConfigureAwait(false),
                OutboxItemKind.AuthConfirm => await ConfirmAsync(item, services, cancellationToken).ConfigureAwait(false),
                OutboxItemKind.LinkingTimeout => await TimeOutAsync(item, cancellationToken).ConfigureAwait(false),
                OutboxItemKind.LinkingNotification => await NotifyAsync(item, services, cancellationToken).ConfigureAwait(false),
                OutboxItemKind.GenerateLinkToken => await GenerateTokenAsync(item, services, cancellationToken).ConfigureAwait(false),
                _ => null,
            };
        }
    }

    private async Task<string?> AcknowledgeAsync(OutboxItem item, IServiceProvider services, CancellationToken cancellationToken)
    {
        var entry = await _store.GetEntryAsync(item.EntryId, cancellationToken).ConfigureAwait(false);
        if (entry is null || item.CorrelatesTo is not { } shareRequestId)
        {
            return null;
        }

        var now = _clock.Now;
        EntrySpan.TagCurrent(AbdmTags.HipId, entry.HipId);
        EntrySpan.TagCurrent(AbdmTags.Counter, entry.CounterCode);
        EntrySpan.TagCurrent(AbdmTags.WireVersion, AbdmTags.Of(entry.WireVersion));
        if (entry.Status == QueueEntryStatus.Received)
        {
            var why = ProfileRules.WhyUnusable(entry.Profile, _clock.ServiceDay(now));
            var decision = why is null
                ? await services.GetRequiredService<IProfileShareHandler>().OnShareReceivedAsync(entry, cancellationToken).ConfigureAwait(false)
                : ShareDecision.Reject(why);
            var match = decision.Accepted ? await MatchAsync(entry, services, cancellationToken).ConfigureAwait(false) : PatientMatch.NotChecked;
            var (_, decided) = await UpdateEntryAsync(item, entry, current => current.Status != QueueEntryStatus.Received ? null : new EntryUpdate
            {
                Entry = current with
                {
                    Status = decision.Accepted ? QueueEntryStatus.Waiting : QueueEntryStatus.Rejected,
                    RejectionReason = decision.PatientMessage,
                    Match = match,
                },
            }, cancellationToken).ConfigureAwait(false);
            if (decided is null)
            {
                return null;
            }

            entry = decided;
            Log.ShareDecided(_logger, entry.Id, entry.Status, entry.Match.Kind);
            if (!decision.Accepted)
            {
                _metrics.ShareRejected(why is null ? "host_rejected" : "unusable_profile", entry.WireVersion, entry.HipId);
            }
        }

        if (entry.ExpiresAt <= now)
        {
            EntrySpan.TagCurrent(AbdmTags.Outcome, "abandoned");
            Log.AcknowledgementAbandoned(_logger, shareRequestId, entry.Id);
            await SetAcknowledgementAsync(item, entry, shareRequestId, AcknowledgementState.Failed, cancellationToken).ConfigureAwait(false);
            return null;
        }

        var success = entry.Status != QueueEntryStatus.Rejected;
        var options = _options.CurrentValue;
        var acknowledgement = new ShareAcknowledgement
        {
            RequestId = item.RequestId,
            ShareRequestId = shareRequestId,
            HealthId = entry.Profile.HealthId,
            WireVersion = OnShareVersion(entry.WireVersion, options.WireVersion),
            Success = success,
            TokenNumber = entry.TokenNumber.ToString(CultureInfo.InvariantCulture),
            CounterCode = entry.CounterCode,

            // The token is valid for RescanWindow from its first scan; a re-scan is told what is left of it.
            TokenExpiresIn = entry.FirstScannedAt + options.Queue.RescanWindow - now,
            ErrorMessage = success ? null : entry.RejectionReason,
        };

        var gateway = services.GetRequiredService<IAbdmGatewayClient>();
        try
        {
            await gateway.SendShareAcknowledgementAsync(acknowledgement, cancellationToken).ConfigureAwait(false);
        }
        catch (AbdmGatewayException ex) when (ex.IsTransient)
        {
            return Describe(ex);
        }
        catch (AbdmGatewayException ex)
        {
            EntrySpan.TagCurrent(AbdmTags.Outcome, "refused");
            EntrySpan.TagCurrent(AbdmTags.ErrorCode, ex.ErrorCode);
            EntrySpan.FailCurrent(Describe(ex));
            Log.AcknowledgementRefused(_logger, shareRequestId, entry.Id, (int?)ex.StatusCode, ex.ErrorCode);
            await SetAcknowledgementAsync(item, entry, shareRequestId, AcknowledgementState.Failed, cancellationToken).ConfigureAwait(false);
            return null;
        }

        Log.AcknowledgementDelivered(_logger, shareRequestId, entry.Id, success, entry.WireVersion);
        EntrySpan.TagCurrent(AbdmTags.Outcome, success ? "success" : "failure");
        _metrics.AcknowledgementDelivered(entry.HipId, entry.WireVersion, success, _clock.Now - item.CreatedAt);
        var start = _options.CurrentValue.Linking.Start;
        var (written, after) = await UpdateEntryAsync(item, entry, current =>
        {
            var updated = current.LatestShareRequestId == shareRequestId ? current with { Acknowledgement = AcknowledgementState.Delivered } : current;
            if (success && start == LinkingStart.AfterAcknowledgement && current.Linking.State == LinkingState.NotStarted
                && current.Status is QueueEntryStatus.Waiting or QueueEntryStatus.Claimed or QueueEntryStatus.Completed)
            {
                return ProfileShareWorkflow.StartLinking(current, _clock.Now, _options.CurrentValue.WireVersion, item.Id, updated);
            }

            return new EntryUpdate { Entry = updated, CompleteOutboxItemId = item.Id };
        }, cancellationToken).ConfigureAwait(false);
        if (written && after?.Linking is { IsInFlight: true } started && entry.Linking.State == LinkingState.NotStarted)
        {
            Log.LinkingStateChanged(_logger, entry.Id, "on-share", started.State, null);
            _signal.Notify();
        }

        return null;
    }

    private async Task SetAcknowledgementAsync(OutboxItem item, QueueEntry known, Guid shareRequestId, AcknowledgementState state, CancellationToken cancellationToken) =>
        await UpdateEntryAsync(item, known, current => new EntryUpdate
        {
            Entry = current.LatestShareRequestId == shareRequestId ? current with { Acknowledgement = state } : current,
            CompleteOutboxItemId = item.Id,
        }, cancellationToken).ConfigureAwait(false);

    private async Task<PatientMatch> MatchAsync(QueueEntry entry, IServiceProvider services, CancellationToken cancellationToken)
    {
        var profile = entry.Profile;
        try
        {
            var directory = services.GetRequiredService<IPatientDirectory>();
            var found = await directory.FindAsync(new PatientLookup(profile.AbhaNumber, profile.HealthId, profile.Mobile, profile.Name, profile.YearOfBirth), cancellationToken).ConfigureAwait(false);
            return PatientMatcher.Match(profile, found ?? []);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The patient must not wait for the directory: the operator can still search by hand.
            Log.DirectoryFailed(_logger, entry.Id, ex);
            return PatientMatch.NotChecked;
        }
    }

    /// <summary>
    /// The on-share version: on a v3 deployment every on-share is v3; on the v0.5 gateway a v0.5 or v1.0 share is
    /// answered in its own version and a v3 share in the configured one.
    /// </summary>
    internal static WireVersion OnShareVersion(WireVersion share, WireVersion deployment) =>
        deployment == WireVersion.V3 ? WireVersion.V3 : share == WireVersion.V3 ? deployment : share;

    private async Task<string?> GenerateTokenAsync(OutboxItem item, IServiceProvider services, CancellationToken cancellationToken)
    {
        var entry = await _store.GetEntryAsync(item.EntryId, cancellationToken).ConfigureAwait(false);
        if (entry is null || entry.Linking.State != LinkingState.AwaitingToken || entry.Linking.TokenRequestId != item.RequestId)
        {
            return null;
        }

        var request = new LinkTokenRequest { RequestId = item.RequestId, HipId = entry.HipId, Profile = entry.Profile };
        return await CallAndAwaitCallbackAsync(item, entry, LinkingState.AwaitingToken,
            ct => services.GetRequiredService<IAbdmGatewayClient>().RequestLinkTokenAsync(request, ct), cancellationToken).ConfigureAwait(false);
    }

    private async Task<string?> InitAsync(OutboxItem item, IServiceProvider services, CancellationToken cancellationToken)
    {
        var entry = await _store.GetEntryAsync(item.EntryId, cancellationToken).ConfigureAwait(false);
        if (entry is null || entry.Linking.State != LinkingState.AwaitingTransaction || entry.Linking.InitRequestId != item.RequestId)
        {
            return null;
        }

        var request = new LinkingAuthInit { RequestId = item.RequestId, HealthId = entry.Profile.HealthId, HipId = entry.HipId };
        return await CallAndAwaitCallbackAsync(item, entry, LinkingState.AwaitingTransaction,
            ct => services.GetRequiredService<IAbdmGatewayClient>().InitLinkingAuthAsync(request, ct), cancellationToken).ConfigureAwait(false);
    }

    private async Task<string?> ConfirmAsync(OutboxItem item, IServiceProvider services, CancellationToken cancellationToken)
    {
        var entry = await _store.GetEntryAsync(item.EntryId, cancellationToken).ConfigureAwait(false);
        if (entry is null || entry.Linking.State != LinkingState.AwaitingToken || entry.Linking.ConfirmRequestId != item.RequestId
            || entry.Linking.TransactionId is not { } transactionId)
        {
            return null;
        }

        var request = new DemographicAuthConfirm { RequestId = item.RequestId, TransactionId = transactionId, Profile = entry.Profile };
        return await CallAndAwaitCallbackAsync(item, entry, LinkingState.AwaitingToken,
            ct => services.GetRequiredService<IAbdmGatewayClient>().ConfirmDemographicAuthAsync(request, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a linking-chain call; when the gateway accepted it, arms the callback timeout.</summary>
    private async Task<string?> CallAndAwaitCallbackAsync(OutboxItem item, QueueEntry entry, LinkingState awaiting, Func<CancellationToken, Task> call, CancellationToken cancellationToken)
    {
        var now = _clock.Now;
        EntrySpan.TagCurrent(AbdmTags.HipId, entry.HipId);
        if (entry.ExpiresAt + _options.CurrentValue.Queue.Retention <= now)
        {
            EntrySpan.TagCurrent(AbdmTags.Outcome, "expired");
            await MarkTimedOutAsync(item, entry, "The linking chain could not reach the gateway before the entry expired.", cancellationToken).ConfigureAwait(false);
            return null;
        }

        try
        {
            await call(cancellationToken).ConfigureAwait(false);
        }
        catch (AbdmGatewayException ex) when (ex.IsTransient)
        {
            return Describe(ex);
        }
        catch (AbdmGatewayException ex)
        {
            var code = ex.ErrorCode;
            var message = ex.GatewayMessage ?? $"The gateway refused {ex.Operation} (HTTP {(int?)ex.StatusCode}).";
            var failed = false;
            await UpdateEntryAsync(item, entry, current => (failed = IsAwaiting(current, awaiting, item.RequestId))
                ? ProfileShareWorkflow.LinkingFailure(current, code, message, message, _clock.Now, item.Id)
                : new EntryUpdate { Entry = current, CompleteOutboxItemId = item.Id }, cancellationToken).ConfigureAwait(false);
            EntrySpan.TagCurrent(AbdmTags.Outcome, "refused");
            EntrySpan.TagCurrent(AbdmTags.ErrorCode, ex.ErrorCode);
            EntrySpan.FailCurrent(Describe(ex));
            if (failed)
            {
                _metrics.LinkingChainEnded(entry.HipId, LinkingState.Failed, code);
            }

            Log.LinkingStateChanged(_logger, item.EntryId, ex.Operation, LinkingState.Failed, code);
            _signal.Notify();
            return null;
        }

        EntrySpan.TagCurrent(AbdmTags.Outcome, "sent");
        var timeoutAt = _clock.Now + _options.CurrentValue.Linking.CallbackTimeout;
        ScheduledLocally(timeoutAt);
        await UpdateEntryAsync(item, entry, current => !IsAwaiting(current, awaiting, item.RequestId)
            ? null
            : new EntryUpdate
            {
                Entry = current,
                Enqueue = [ProfileShareWorkflow.NewItem(OutboxItemKind.LinkingTimeout, current.Id, item.RequestId, _clock.Now, timeoutAt)],
                CompleteOutboxItemId = item.Id,
            }, cancellationToken).ConfigureAwait(false);
        return null;
    }

    private static bool IsAwaiting(QueueEntry entry, LinkingState state, Guid requestId) =>
        entry.Linking.State == state && entry.Linking.AwaitedRequestId == requestId;

    private async Task<string?> TimeOutAsync(OutboxItem item, CancellationToken cancellationToken)
    {
        var callback = "on-init";
        var entry = await _store.GetEntryAsync(item.EntryId, cancellationToken).ConfigureAwait(false);
        if (entry is not null && IsAwaiting(entry, LinkingState.AwaitingToken, item.RequestId))
        {
            callback = entry.Linking.TokenRequestId is null ? "on-confirm" : "on-generate-token";
        }

        var timeout = _options.CurrentValue.Linking.CallbackTimeout;
        var timedOut = await MarkTimedOutAsync(item, entry, string.Create(CultureInfo.InvariantCulture, $"The gateway's {callback} did not arrive within {timeout}."), cancellationToken).ConfigureAwait(false);
        EntrySpan.TagCurrent(AbdmTags.Outcome, timedOut ? "timed_out" : "stale");
        return null;
    }

    /// <returns>Whether the chain was still waiting and is now timed out.</returns>
    private async Task<bool> MarkTimedOutAsync(OutboxItem item, QueueEntry? known, string message, CancellationToken cancellationToken)
    {
        var (written, entry) = await UpdateEntryAsync(item, known, current =>
            !IsAwaiting(current, LinkingState.AwaitingTransaction, item.RequestId) && !IsAwaiting(current, LinkingState.AwaitingToken, item.RequestId)
                ? null
                : new EntryUpdate
                {
                    Entry = current with { Linking = current.Linking with { State = LinkingState.TimedOut, ErrorCode = null, ErrorMessage = message, UpdatedAt = _clock.Now } },
                    Enqueue = [ProfileShareWorkflow.NewItem(OutboxItemKind.LinkingNotification, current.Id, item.RequestId, _clock.Now)],
                    CompleteOutboxItemId = item.Id,
                }, cancellationToken).ConfigureAwait(false);
        if (written && entry is not null)
        {
            _metrics.LinkingChainEnded(entry.HipId, LinkingState.TimedOut, null);
            Log.LinkingStateChanged(_logger, entry.Id, "timeout", LinkingState.TimedOut, null);
            _signal.Notify();
            return true;
        }

        return false;
    }

    private async Task<string?> NotifyAsync(OutboxItem item, IServiceProvider services, CancellationToken cancellationToken)
    {
        var entry = await _store.GetEntryAsync(item.EntryId, cancellationToken).ConfigureAwait(false);
        if (entry is null)
        {
            return null;
        }

        var handler = services.GetRequiredService<ILinkingTokenHandler>();
        EntrySpan.TagCurrent(AbdmTags.HipId, entry.HipId);
        EntrySpan.TagCurrent(AbdmTags.Outcome, AbdmTags.Of(entry.Linking.State));
        switch (entry.Linking.State)
        {
            case LinkingState.Linked:
                // The clear token, unless it expired or cannot be decrypted (then logged, and the handler not called).
                var token = _linkingTokens.Unprotect(
                    await _store.GetLinkingTokenAsync(entry.HipId, entry.Profile.HealthId, cancellationToken).ConfigureAwait(false), _clock.Now);
                if (token is not null)
                {
                    await handler.OnLinkingTokenReceivedAsync(entry, token, cancellationToken).ConfigureAwait(false);
                    Log.LinkingHandlerNotified(_logger, entry.Id, entry.Linking.State);
                }

                break;
            case LinkingState.Failed or LinkingState.TimedOut:
                await handler.OnLinkingFailedAsync(entry, cancellationToken).ConfigureAwait(false);
                Log.LinkingHandlerNotified(_logger, entry.Id, entry.Linking.State);
                break;
        }

        return null;
    }

    private static string Describe(AbdmGatewayException ex) =>
        ex.StatusCode is { } status
            ? string.Create(CultureInfo.InvariantCulture, $"{ex.Operation}: HTTP {(int)status}{(ex.ErrorCode is null ? "" : " code " + ex.ErrorCode)}")
            : $"{ex.Operation}: {ex.InnerException?.GetType().Name ?? "unreachable"}";
}
