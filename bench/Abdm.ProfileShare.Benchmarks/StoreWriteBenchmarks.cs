using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using BenchmarkDotNet.Attributes;

namespace Abdm.ProfileShare.Benchmarks;

/// <summary>
/// The store write of a new share: <see cref="InMemoryProfileShareStore.AcceptShareAsync"/> (dedup check, re-scan
/// lookup, token number, entry, acknowledgement outbox item, change notification). Each invocation writes 1,000
/// distinct shares into a fresh store, so the store stays small and the result is per share.
/// </summary>
public class StoreWriteBenchmarks
{
    private const int SharesPerInvoke = 1000;
    private ShareIntake[] _intakes = [];

    [GlobalSetup]
    public void Setup()
    {
        var now = DateTimeOffset.UtcNow;
        _intakes = Enumerable.Range(0, SharesPerInvoke).Select(i => BenchData.Intake(i, now)).ToArray();
    }

    [Benchmark(OperationsPerInvoke = SharesPerInvoke, Description = "InMemoryProfileShareStore.AcceptShareAsync (new share)")]
    public async Task<int> AcceptShare()
    {
        var store = new InMemoryProfileShareStore();
        var tokens = 0;
        foreach (var intake in _intakes)
        {
            tokens += (await store.AcceptShareAsync(intake)).Entry.TokenNumber;
        }

        return tokens;
    }
}
