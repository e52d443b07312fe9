using System.Diagnostics;
using System.Diagnostics.Metrics;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;

namespace Abdm.ProfileShare.Diagnostics.Internal;

/// <summary>
/// The core's instruments, on a meter named <see cref="AbdmProfileShareTelemetry.Name"/> created from the host's
/// <see cref="IMeterFactory"/>. Tags are bounded: HIP ids come from the configuration (a HIP this host does not
/// serve is never a tag value), counter codes are capped (<see cref="MaxQueueSeries"/>), reasons and outcomes are
/// fixed lists, error codes are the gateway's.
/// </summary>
/// <remarks>
/// <para>The callback transport (<c>Abdm.ProfileShare.AspNetCore</c>) creates the instruments only it records
/// (<c>abdm.shares.received</c>, <c>abdm.callbacks.received</c>, <c>abdm.callbacks.late_delivery</c>,
/// <c>abdm.jwks.fetches</c>) on the same meter; <c>abdm.shares.rejected</c> both record into, created by each with the
/// same name, unit and description (the meter then returns one instrument): keep its description identical there.</para>
/// <para>The gauges never call the store: <c>abdm.outbox.*</c> report the outbox processor's latest statistics read (each
/// time it looks for work), <c>abdm.queue.length</c> the processor's latest count of the queue, refreshed when the
/// store's change feed reported a change (and at least every <c>QueueLengthMaxAge</c>, for expiries).</para>
/// </remarks>
internal sealed class AbdmMetrics
{
    /// <summary>The most (HIP, counter) series <c>abdm.queue.length</c> reports; further counters are summed under <c>_other</c>.</summary>
    internal const int MaxQueueSeries = 200;

    private static readonly double[] CallBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30];
    private static readonly double[] AcknowledgementBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

    private readonly TimeProvider _timeProvider;
    private readonly Counter<long> _sharesAccepted;
    private readonly Counter<long> _sharesRejected;
    private readonly Counter<long> _shareConflicts;
    private readonly Histogram<double> _gatewayCalls;
    private readonly Histogram<double> _acknowledgementDelay;
    private readonly Counter<long> _outboxRetries;
    private readonly Counter<long> _linkingChains;
    private readonly Counter<long> _sessionRefreshes;
    private readonly ObservableGauge<int> _queueGauge;
    private volatile OutboxStatistics? _outbox;
    private volatile KeyValuePair<(string HipId, string Counter), int>[]? _queue;
    private volatile TaskCompletionSource _queueRefreshed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile TaskCompletionSource _outboxRefreshed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public AbdmMetrics(IMeterFactory meterFactory, TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        Meter = AbdmProfileShareTelemetry.CreateMeter(meterFactory);
        _sharesAccepted = Meter.CreateCounter<long>("abdm.shares.accepted", "{share}",
            "Shares persisted and answered 202, by outcome: created (new token), rescanned (same patient, same token) or duplicate (a repeated requestId).");
        _sharesRejected = Meter.CreateCounter<long>("abdm.shares.rejected", "{share}",
            "Shares refused, by reason: unauthorized, unknown_hip, invalid (answered 4xx), keys_unavailable, store_unavailable (answered 503), or host_rejected, unusable_profile (answered with a FAILURE on-share).");
        _shareConflicts = Meter.CreateCounter<long>("abdm.shares.conflicts", "{share}",
            "Shares whose requestId was already accepted with a different body: answered as duplicates (also counted in abdm.shares.accepted with outcome duplicate), the first body kept.");
        _gatewayCalls = Meter.CreateHistogram("abdm.gateway.call.duration", "s",
            "Duration of gateway calls (on_share, auth_init, auth_confirm, certs) including the resilience pipeline's retries, by outcome: success, rejected (a definitive gateway error, with its code) or unavailable (no answer, a timeout, an open circuit, 408, 429 or 5xx).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = CallBuckets });
        _acknowledgementDelay = Meter.CreateHistogram("abdm.share.acknowledgement.duration", "s",
            "Time from a share's arrival to the gateway accepting its on-share (what the patient's phone waits for), by on-share status: success or failure.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = AcknowledgementBuckets });
        _outboxRetries = Meter.CreateCounter<long>("abdm.outbox.retries", "{attempt}",
            "Outbox items rescheduled after a failed attempt, by kind.");
        _linkingChains = Meter.CreateCounter<long>("abdm.linking.chains", "{chain}",
            "Linking-token chains ended, by outcome: linked (token stored), failed (with the gateway's error code, e.g. 1441) or timed_out.");
        _sessionRefreshes = Meter.CreateCounter<long>("abdm.gateway.session.refreshes", "{request}",
            "Gateway session-token requests, by outcome: success, refused (credentials), unreachable, error.");
        Meter.CreateObservableGauge("abdm.outbox.backlog", ObserveBacklog, "{item}",
            "Outbox items not yet completed (gateway calls, timers, notifications), as of the outbox processor's latest look at the store.");
        Meter.CreateObservableGauge("abdm.outbox.oldest_pending.age", ObserveOldestAge, "s",
            "Age of the oldest outbox item not yet completed (0 when none); a callback-timeout timer legitimately waits Linking:CallbackTimeout.");
        _queueGauge = Meter.CreateObservableGauge("abdm.queue.length", ObserveQueue, "{entry}",
            "Entries waiting in the counter queue (received, waiting or claimed, not expired), per HIP and counter.");
    }

    /// <summary>The meter (owned by the meter factory).</summary>
    public Meter Meter { get; }

    /// <summary>Whether a listener collects <c>abdm.queue.length</c> (the queue is only counted then).</summary>
    public bool QueueLengthObserved => _queueGauge.Enabled;

    /// <summary>Completes at the next refresh of the queue lengths (tests and diagnostics).</summary>
    internal Task NextQueueRefresh => _queueRefreshed.Task;

    /// <summary>Completes at the next <see cref="UpdateOutbox"/> (the outbox pump's statistics read), for tests that read the outbox gauges.</summary>
    internal Task NextOutboxRefresh => _outboxRefreshed.Task;

    public void ShareAccepted(string hipId, WireVersion version, ShareIntakeOutcome outcome) =>
        _sharesAccepted.Add(1, new TagList
        {
            { AbdmTags.HipId, hipId },
            { AbdmTags.WireVersion, AbdmTags.Of(version) },
            { AbdmTags.Outcome, outcome switch { ShareIntakeOutcome.Created => "created", ShareIntakeOutcome.Rescanned => "rescanned", _ => "duplicate" } },
        });

    /// <summary>A duplicate share (same requestId) whose body differs from the one first accepted.</summary>
    /// <param name="hipId">The HIP (one this host serves).</param>
    /// <param name="version">The share's wire version.</param>
    public void ShareConflict(string hipId, WireVersion version) =>
        _shareConflicts.Add(1, new KeyValuePair<string, object?>(AbdmTags.HipId, hipId), new KeyValuePair<string, object?>(AbdmTags.WireVersion, AbdmTags.Of(version)));

    /// <param name="reason">host_rejected or unusable_profile (the transport counts what it refuses itself).</param>
    /// <param name="version">The share's wire version.</param>
    /// <param name="servedHipId">The HIP id when it is one this host serves, else null (never tag an unknown value).</param>
    public void ShareRejected(string reason, WireVersion version, string? servedHipId)
    {
        var tags = new TagList { { AbdmTags.Reason, reason }, { AbdmTags.WireVersion, AbdmTags.Of(version) } };
        if (servedHipId is not null)
        {
            tags.Add(AbdmTags.HipId, servedHipId);
        }

        _sharesRejected.Add(1, tags);
    }

    public void GatewayCall(string operation, string outcome, string? errorCode, TimeSpan duration)
    {
        var tags = new TagList { { AbdmTags.Operation, operation }, { AbdmTags.Outcome, outcome } };
        if (errorCode is not null)
        {
            tags.Add(AbdmTags.ErrorCode, Bounded(errorCode));
        }

        _gatewayCalls.Record(duration.TotalSeconds, tags);
    }

    public void AcknowledgementDelivered(string hipId, WireVersion version, bool success, TimeSpan sinceShare) =>
        _acknowledgementDelay.Record(Math.Max(0, sinceShare.TotalSeconds), new TagList
        {
            { AbdmTags.HipId, hipId },
            { AbdmTags.WireVersion, AbdmTags.Of(version) },
            { AbdmTags.Outcome, success ? "success" : "failure" },
        });

    public void OutboxRetry(OutboxItemKind kind) =>
        _outboxRetries.Add(1, new KeyValuePair<string, object?>(AbdmTags.OutboxKind, KindName(kind)));

    /// <param name="hipId">The entry's HIP.</param>
    /// <param name="state">Linked, Failed or TimedOut.</param>
    /// <param name="errorCode">The gateway's error code of a failure, if any.</param>
    public void LinkingChainEnded(string hipId, LinkingState state, string? errorCode)
    {
        var tags = new TagList { { AbdmTags.HipId, hipId }, { AbdmTags.Outcome, AbdmTags.Of(state) } };
        if (errorCode is { } code)
        {
            tags.Add(AbdmTags.ErrorCode, code);
        }

        _linkingChains.Add(1, tags);
    }

    public void SessionRefresh(string outcome) =>
        _sessionRefreshes.Add(1, new KeyValuePair<string, object?>(AbdmTags.Outcome, outcome));

    /// <summary>Keeps the outbox processor's latest statistics read for the outbox gauges.</summary>
    public void UpdateOutbox(OutboxStatistics statistics)
    {
        _outbox = statistics;
        Interlocked.Exchange(ref _outboxRefreshed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>Keeps the processor's latest count of the queue (entries per HIP and counter) for the queue gauge.</summary>
    public void UpdateQueueLengths(IReadOnlyDictionary<(string HipId, string Counter), int> lengths)
    {
        var series = new Dictionary<(string HipId, string Counter), int>();
        foreach (var (key, count) in lengths.OrderByDescending(p => p.Value))
        {
            var target = series.Count < MaxQueueSeries || series.ContainsKey(key) ? key : (key.HipId, "_other");
            series[target] = series.GetValueOrDefault(target) + count;
        }

        // A counter whose queue emptied keeps reporting 0 (rather than vanishing), within the cap.
        if (_queue is { } previous)
        {
            foreach (var (key, _) in previous)
            {
                if (series.Count >= MaxQueueSeries)
                {
                    break;
                }

                series.TryAdd(key, 0);
            }
        }

        _queue = [.. series];
        var refreshed = Interlocked.Exchange(ref _queueRefreshed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        refreshed.TrySetResult();
    }

    internal static string KindName(OutboxItemKind kind) => kind switch
    {
        OutboxItemKind.ShareAcknowledgement => "on_share",
        OutboxItemKind.AuthInit => "auth_init",
        OutboxItemKind.AuthConfirm => "auth_confirm",
        OutboxItemKind.LinkingTimeout => "linking_timeout",
        OutboxItemKind.LinkingNotification => "linking_notification",
        _ => "unknown",
    };

    /// <summary>A gateway error code as a tag value: short digits or letters, else <c>other</c>.</summary>
    private static string Bounded(string code) =>
        code.Length <= 16 && code.All(char.IsAsciiLetterOrDigit) ? code : "other";

    private IEnumerable<Measurement<long>> ObserveBacklog() =>
        _outbox is { } statistics ? [new Measurement<long>(statistics.Pending)] : [];

    private IEnumerable<Measurement<double>> ObserveOldestAge()
    {
        if (_outbox is not { } statistics)
        {
            return [];
        }

        var age = statistics.OldestCreatedAt is { } oldest ? (_timeProvider.GetUtcNow() - oldest).TotalSeconds : 0;
        return [new Measurement<double>(Math.Max(0, age))];
    }

    private IEnumerable<Measurement<int>> ObserveQueue()
    {
        var queue = _queue;
        if (queue is null)
        {
            yield break;
        }

        foreach (var (key, count) in queue)
        {
            yield return new Measurement<int>(count, new KeyValuePair<string, object?>(AbdmTags.HipId, key.HipId), new KeyValuePair<string, object?>(AbdmTags.Counter, key.Counter));
        }
    }
}
