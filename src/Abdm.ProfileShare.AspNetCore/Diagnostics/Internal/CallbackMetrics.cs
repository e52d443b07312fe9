using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using System.Runtime.CompilerServices;
using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.AspNetCore.Diagnostics.Internal;

/// <summary>
/// The instruments only the callback endpoints record (<c>abdm.shares.received</c>, <c>abdm.callbacks.*</c>,
/// <c>abdm.jwks.fetches</c>) and the refusals they answer (<c>abdm.shares.rejected</c>), on the library's meter
/// (<see cref="AbdmProfileShareTelemetry.Name"/>) from the host's <see cref="IMeterFactory"/>.
/// </summary>
/// <remarks>
/// The meter is created with the core's <see cref="MeterOptions"/> (its name and the core package's informational
/// version), so the factory returns the core's meter instance; <c>abdm.shares.rejected</c>, which the core's outbox also
/// records (host_rejected, unusable_profile), is created with the core's exact name, unit and description, so the meter
/// returns the one instrument both record into. Names, units, tags and buckets are those in docs/operations.md. Tags
/// are bounded: HIP ids only of HIPs this host serves, fixed lists of reasons, outcomes and callbacks.
/// </remarks>
internal sealed class CallbackMetrics
{
    private static readonly ConditionalWeakTable<IMeterFactory, CallbackMetrics> ByFactory = [];
    private static readonly double[] LateDeliveryBuckets = [60, 120, 300, 600, 900, 1200, 1500, 1800, 2700, 3600];

    /// <summary>The core package's informational version: the version of the library's meter.</summary>
    private static readonly string CoreVersion =
        typeof(AbdmProfileShareTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "";

    private const string WireVersionTag = "abdm.wire_version";
    private const string HipIdTag = "abdm.hip_id";
    private const string ReasonTag = "abdm.reason";
    private const string CallbackTag = "abdm.callback";
    private const string OutcomeTag = "abdm.outcome";

    private readonly Counter<long> _sharesReceived;
    private readonly Counter<long> _sharesRejected;
    private readonly Counter<long> _callbacks;
    private readonly Histogram<double> _lateDeliveries;
    private readonly Counter<long> _jwksFetches;

    private CallbackMetrics(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(new MeterOptions(AbdmProfileShareTelemetry.Name) { Version = CoreVersion });
        _sharesReceived = Meter.CreateCounter<long>("abdm.shares.received", "{share}",
            "Profile-share callbacks that reached the endpoints, whatever became of them.");
        _sharesRejected = Meter.CreateCounter<long>("abdm.shares.rejected", "{share}",
            "Shares refused, by reason: unauthorized, unknown_hip, invalid (answered 4xx), keys_unavailable, store_unavailable (answered 503), or host_rejected, unusable_profile (answered with a FAILURE on-share).");
        _callbacks = Meter.CreateCounter<long>("abdm.callbacks.received", "{callback}",
            "Auth callbacks (on_init, on_confirm, on_generate_token) received, by outcome: applied, ignored (duplicate or late), unmatched, unauthorized, keys_unavailable (answered 503), unknown_hip, invalid.");
        _lateDeliveries = Meter.CreateHistogram("abdm.callbacks.late_delivery", "s",
            "How long after its token's expiry a late delivery was accepted (the gateway redelivers an answer with the same, expired token), by callback: on_init, on_confirm, on_generate_token.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LateDeliveryBuckets });
        _jwksFetches = Meter.CreateCounter<long>("abdm.jwks.fetches", "{fetch}",
            "Fetches of the gateway's signing keys (JWKS), by outcome: success or failure (reason http_error, unreachable, invalid).");
    }

    /// <summary>The library's meter (owned by the meter factory).</summary>
    public Meter Meter { get; }

    /// <summary>The instruments of <paramref name="meterFactory"/>'s meter (one set per factory, so per service provider).</summary>
    public static CallbackMetrics For(IMeterFactory meterFactory) =>
        ByFactory.GetValue(meterFactory, static factory => new CallbackMetrics(factory));

    public void ShareReceived(WireVersion version) =>
        _sharesReceived.Add(1, new KeyValuePair<string, object?>(WireVersionTag, Of(version)));

    /// <param name="reason">unauthorized, keys_unavailable, unknown_hip, invalid, intent_refused or intent_failed.</param>
    /// <param name="version">The share's wire version.</param>
    /// <param name="servedHipId">The HIP id when it is one this host serves, else null (never tag an unknown value).</param>
    public void ShareRejected(string reason, WireVersion version, string? servedHipId)
    {
        var tags = new TagList { { ReasonTag, reason }, { WireVersionTag, Of(version) } };
        if (servedHipId is not null)
        {
            tags.Add(HipIdTag, servedHipId);
        }

        _sharesRejected.Add(1, tags);
    }

    /// <param name="callback">on_init, on_confirm or on_generate_token.</param>
    /// <param name="outcome">applied, ignored, unmatched, unauthorized, keys_unavailable, unknown_hip or invalid.</param>
    public void CallbackReceived(string callback, string outcome) =>
        _callbacks.Add(1, new KeyValuePair<string, object?>(CallbackTag, callback), new KeyValuePair<string, object?>(OutcomeTag, outcome));

    /// <summary>Counts a late delivery accepted with an expired token.</summary>
    /// <param name="callback">on_init, on_confirm or on_generate_token.</param>
    /// <param name="lateBy">How long after the token's expiry it arrived.</param>
    public void LateDeliveryAccepted(string callback, TimeSpan lateBy) =>
        _lateDeliveries.Record(Math.Max(0, lateBy.TotalSeconds), new KeyValuePair<string, object?>(CallbackTag, callback));

    /// <param name="outcome">success or failure.</param>
    /// <param name="reason">A failure's category: http_error, unreachable or invalid.</param>
    public void JwksFetch(string outcome, string? reason)
    {
        var tags = new TagList { { OutcomeTag, outcome } };
        if (reason is not null)
        {
            tags.Add(ReasonTag, reason);
        }

        _jwksFetches.Add(1, tags);
    }

    private static string Of(WireVersion version) => version switch { WireVersion.V10 => "v1.0", WireVersion.V3 => "v3", _ => "v0.5" };
}
