using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Testing;

namespace Abdm.ProfileShare.Durability.Tests;

/// <summary>Numbers scans across counters and wire versions, and plays them with a bounded concurrency.</summary>
internal sealed class Scans(string hipId, IReadOnlyList<string> counters)
{
    private int _next;

    /// <summary>A scan of a new synthetic patient, at the next counter, v1.0 and v0.5 alternately, with its requestId fixed (so the phone can replay it).</summary>
    public SimulatedScan Next()
    {
        var index = Interlocked.Increment(ref _next) - 1;
        return new SimulatedScan(hipId, counters[index % counters.Count], DurabilityPatients.Create(index), index % 2 == 0 ? WireVersion.V10 : WireVersion.V05)
        {
            RequestId = Guid.NewGuid(),
        };
    }

    public IReadOnlyList<SimulatedScan> Next(int count) => [.. Enumerable.Range(0, count).Select(_ => Next())];

    /// <summary>Plays the scans, at most <paramref name="concurrency"/> at once; <paramref name="answered"/> sees each share as the HIP answered it.</summary>
    public static async Task<IReadOnlyList<SimulatedShare>> PlayAsync(
        AbdmGatewaySimulator gateway, IReadOnlyList<SimulatedScan> scans, int concurrency, Action<SimulatedShare>? answered = null)
    {
        var shares = new SimulatedShare[scans.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, scans.Count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, cancellationToken) =>
        {
            shares[i] = await gateway.ScanAsync(scans[i], cancellationToken);
            answered?.Invoke(shares[i]);
        });
        return shares;
    }
}
