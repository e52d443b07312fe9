using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace Abdm.ProfileShare;

/// <summary>
/// The name under which Abdm.ProfileShare emits traces (an <see cref="System.Diagnostics.ActivitySource"/>) and
/// metrics (a <see cref="Meter"/>), for OpenTelemetry or any other listener:
/// <c>.WithTracing(t => t.AddSource(AbdmProfileShareTelemetry.Name))</c> and
/// <c>.WithMetrics(m => m.AddMeter(AbdmProfileShareTelemetry.Name))</c>. No OpenTelemetry package is needed by
/// the library itself.
/// </summary>
/// <remarks>
/// <para>Every span of one queue entry's life (the share callback, the on-share, the linking chain's calls and
/// callbacks, the host notification) carries the same trace id, <see cref="GetTraceId"/> of the entry id, however
/// far apart in time and process the steps run. A span started while handling an HTTP request links to that
/// request's span.</para>
/// <para>Span names, tags and metric tags carry ids, HIP ids, counter codes, states, outcomes and gateway error
/// codes: never a name, ABHA number, PHR address, mobile number or token.</para>
/// </remarks>
public static class AbdmProfileShareTelemetry
{
    /// <summary>The <see cref="System.Diagnostics.ActivitySource"/> and <see cref="Meter"/> name: <c>Abdm.ProfileShare</c>.</summary>
    public const string Name = "Abdm.ProfileShare";

    /// <summary>The version of the source and the meter: the package's informational version.</summary>
    internal static readonly string Version =
        typeof(AbdmProfileShareTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "";

    /// <summary>The source of every span of the library.</summary>
    internal static readonly ActivitySource ActivitySource = new(Name, Version);

    /// <summary>
    /// The trace id of every span of a queue entry's life: the entry id's 16 bytes (RFC 4122 order), so the trace id
    /// written as hex is the entry id without its dashes.
    /// </summary>
    /// <param name="entryId">The queue entry id (<c>QueueEntry.Id</c>).</param>
    /// <returns>The trace id.</returns>
    public static ActivityTraceId GetTraceId(Guid entryId)
    {
        Span<byte> bytes = stackalloc byte[16];
        entryId.TryWriteBytes(bytes, bigEndian: true, out _);
        return ActivityTraceId.CreateFromBytes(bytes);
    }

    /// <summary>
    /// Creates the library's meter from the host's <see cref="IMeterFactory"/>: one meter per service provider, so
    /// its gauges describe that host's store and several hosts in one process (tests) never mix their numbers.
    /// </summary>
    internal static Meter CreateMeter(IMeterFactory meterFactory) =>
        meterFactory.Create(new MeterOptions(Name) { Version = Version });
}
