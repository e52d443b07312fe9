using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Abdm.ProfileShare.AspNetCore.Tests.Diagnostics;

/// <summary>A measurement as a listener saw it.</summary>
internal sealed record RecordedMeasurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags)
{
    public string? Tag(string name) => Tags.TryGetValue(name, out var value) ? value?.ToString() : null;
}

/// <summary>
/// Records, in memory, the spans of <c>Abdm.ProfileShare</c> and ASP.NET Core (an <see cref="ActivityListener"/>) and
/// the measurements of one meter instance (a <see cref="MeterListener"/>): a host's own meter, so tests running in
/// parallel never see each other's numbers. Spans are told apart by trace id.
/// </summary>
internal sealed class TelemetryRecorder : IDisposable
{
    private readonly ActivityListener _activities;
    private readonly MeterListener _meters;
    private readonly ConcurrentQueue<Activity> _started = new();
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ConcurrentQueue<RecordedMeasurement> _measurements = new();
    private readonly Lock _gate = new();
    private readonly List<(Func<Activity, bool> Match, TaskCompletionSource<Activity> Signal)> _waiters = [];

    public TelemetryRecorder(Meter meter)
    {
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name is AbdmProfileShareTelemetry.Name or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = _started.Enqueue,
            ActivityStopped = OnStopped,
        };
        ActivitySource.AddActivityListener(_activities);

        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meters.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _meters.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _meters.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _meters.Start();
    }

    /// <summary>Spans of the library that ended, in the trace of <paramref name="traceId"/>, by start time.</summary>
    public IReadOnlyList<Activity> Spans(ActivityTraceId traceId) =>
        [.. _stopped.Where(a => a.Source.Name == AbdmProfileShareTelemetry.Name && a.TraceId == traceId).OrderBy(a => a.StartTimeUtc)];

    /// <summary>Every span of ASP.NET Core that started (request spans).</summary>
    public IReadOnlyList<Activity> AspNetCoreSpans => [.. _started.Where(a => a.Source.Name == "Microsoft.AspNetCore")];

    public IReadOnlyList<RecordedMeasurement> Measurements(string instrument) => [.. _measurements.Where(m => m.Instrument == instrument)];

    /// <summary>Sums the measurements of a counter whose tags include <paramref name="tags"/>.</summary>
    public double Sum(string instrument, params (string Name, string Value)[] tags) =>
        Measurements(instrument).Where(m => tags.All(t => m.Tag(t.Name) == t.Value)).Sum(m => m.Value);

    /// <summary>Reads the observable gauges now and returns what they reported.</summary>
    public IReadOnlyList<RecordedMeasurement> Observe(string instrument)
    {
        var before = _measurements.Count;
        _meters.RecordObservableInstruments();
        return [.. _measurements.Skip(before).Where(m => m.Instrument == instrument)];
    }

    /// <summary>Completes when a span matching <paramref name="match"/> has ended.</summary>
    public Task<Activity> WaitForSpanAsync(Func<Activity, bool> match, TimeSpan? timeout = null)
    {
        var signal = new TaskCompletionSource<Activity>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_stopped.FirstOrDefault(match) is { } done)
            {
                return Task.FromResult(done);
            }

            _waiters.Add((match, signal));
        }

        return signal.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(15));
    }

    public void Dispose()
    {
        _activities.Dispose();
        _meters.Dispose();
    }

    private void OnStopped(Activity activity)
    {
        List<TaskCompletionSource<Activity>> matched = [];
        lock (_gate)
        {
            _stopped.Enqueue(activity);
            foreach (var waiter in _waiters.ToList())
            {
                if (waiter.Match(activity))
                {
                    matched.Add(waiter.Signal);
                    _waiters.Remove(waiter);
                }
            }
        }

        foreach (var signal in matched)
        {
            signal.TrySetResult(activity);
        }
    }

    private void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _measurements.Enqueue(new RecordedMeasurement(instrument.Name, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), copy));
    }
}
