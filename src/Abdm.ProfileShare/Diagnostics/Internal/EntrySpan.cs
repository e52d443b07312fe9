using System.Diagnostics;

namespace Abdm.ProfileShare.Diagnostics.Internal;

/// <summary>
/// A span in the trace of one queue entry (trace id <see cref="AbdmProfileShareTelemetry.GetTraceId"/> of the
/// entry id), linked to the ambient span (the HTTP request being handled) when there is one. Dispose it in the
/// method that started it: disposing stops the span and restores the ambient span as <see cref="Activity.Current"/>.
/// </summary>
/// <remarks>
/// The entry id is often known only after the work (a re-scan or a callback names its entry only once the store
/// answered), so a span may be started late with the timestamp at which the work began: its start time is moved
/// back by the elapsed <see cref="Stopwatch"/> time, and its steps are recorded the same way. Span timestamps are
/// the system clock's, like every <see cref="Activity"/>'s, not the injected TimeProvider's.
/// </remarks>
internal readonly struct EntrySpan : IDisposable
{
    private readonly Activity? _ambient;
    private readonly DateTime _anchorUtc;
    private readonly long _anchorTimestamp;

    private EntrySpan(Activity? activity, Activity? ambient, DateTime anchorUtc, long anchorTimestamp)
    {
        Activity = activity;
        _ambient = ambient;
        _anchorUtc = anchorUtc;
        _anchorTimestamp = anchorTimestamp;
    }

    /// <summary>The span, or <see langword="null"/> when nobody listens.</summary>
    public Activity? Activity { get; }

    /// <summary>
    /// A timestamp on the spans' clock, for <see cref="Start"/>'s <c>startedAt</c> and <see cref="Step"/>. Span times are
    /// the system clock's (an <see cref="Activity"/> reads it itself), so these are the one place the library reads
    /// <see cref="Stopwatch"/>; every duration it measures for a metric or a log uses the injected
    /// <see cref="TimeProvider"/> (BannedSymbols.txt).
    /// </summary>
#pragma warning disable RS0030 // Span offsets must be on the Activity's clock, not a fake one.
    public static long Timestamp() => Stopwatch.GetTimestamp();

    private static TimeSpan Elapsed(long from, long to) => Stopwatch.GetElapsedTime(from, to);
#pragma warning restore RS0030

    /// <summary>Starts a span of the entry's trace.</summary>
    /// <param name="name">The span name.</param>
    /// <param name="entryId">The queue entry.</param>
    /// <param name="startedAt">The <see cref="Stopwatch"/> timestamp at which the work began, when before now.</param>
    public static EntrySpan Start(string name, Guid entryId, long? startedAt = null)
    {
        var source = AbdmProfileShareTelemetry.ActivitySource;
        if (!source.HasListeners())
        {
            return default;
        }

        // The parent context names the entry's trace and no parent span: each step is a root span of that trace. The
        // ambient span must not be current while starting, or it would become the parent (of another trace).
        var ambient = Activity.Current;
        ActivityLink[]? links = ambient is null ? null : [new ActivityLink(ambient.Context)];
        Activity.Current = null;
        var parent = new ActivityContext(AbdmProfileShareTelemetry.GetTraceId(entryId), default, ActivityTraceFlags.Recorded);
        var activity = source.StartActivity(name, ActivityKind.Internal, parent, tags: null, links);
        var now = Timestamp();
        if (activity is null)
        {
            Activity.Current = ambient;
            return default;
        }

        activity.SetTag(AbdmTags.EntryId, entryId.ToString());
        var anchor = activity.StartTimeUtc;
        if (startedAt is { } started && started < now)
        {
            activity.SetStartTime(anchor - Elapsed(started, now));
        }

        return new EntrySpan(activity, ambient, anchor, now);
    }

    /// <summary>Sets a tag when the span is recorded.</summary>
    public EntrySpan Tag(string name, object? value)
    {
        Activity?.SetTag(name, value);
        return this;
    }

    /// <summary>Adds an id tag, formatted only when the span is recorded.</summary>
    public EntrySpan Tag(string name, Guid value)
    {
        Activity?.SetTag(name, value.ToString());
        return this;
    }

    /// <summary>Marks the span failed with a description (ids and codes only).</summary>
    public void Fail(string description) => Activity?.SetStatus(ActivityStatusCode.Error, description);

    /// <summary>Records a finished step as a child span, between two <see cref="Stopwatch"/> timestamps.</summary>
    /// <param name="name">The step's span name.</param>
    /// <param name="startedAt">When the step began.</param>
    /// <param name="endedAt">When it ended.</param>
    /// <param name="outcome">Its <c>abdm.outcome</c>.</param>
    public void Step(string name, long startedAt, long endedAt, string outcome)
    {
        if (Activity is null)
        {
            return;
        }

        using var step = AbdmProfileShareTelemetry.ActivitySource.StartActivity(name, ActivityKind.Internal, Activity.Context);
        if (step is null)
        {
            return;
        }

        step.SetStartTime(At(startedAt));
        step.SetEndTime(At(endedAt));
        step.SetTag(AbdmTags.EntryId, Activity.GetTagItem(AbdmTags.EntryId));
        step.SetTag(AbdmTags.Outcome, outcome);
    }

    /// <summary>Tags the current span when it is one of the library's (for code that runs inside a span it did not start).</summary>
    public static void TagCurrent(string name, object? value)
    {
        if (Activity.Current is { } current && current.Source == AbdmProfileShareTelemetry.ActivitySource)
        {
            current.SetTag(name, value);
        }
    }

    /// <summary>Marks the current span failed when it is one of the library's.</summary>
    public static void FailCurrent(string description)
    {
        if (Activity.Current is { } current && current.Source == AbdmProfileShareTelemetry.ActivitySource)
        {
            current.SetStatus(ActivityStatusCode.Error, description);
        }
    }

    /// <summary>Stops the span and restores the ambient one.</summary>
    public void Dispose()
    {
        if (Activity is null)
        {
            return;
        }

        Activity.Dispose();
        Activity.Current = _ambient;
    }

    private DateTime At(long timestamp) => timestamp <= _anchorTimestamp
        ? _anchorUtc - Elapsed(timestamp, _anchorTimestamp)
        : _anchorUtc + Elapsed(_anchorTimestamp, timestamp);
}
