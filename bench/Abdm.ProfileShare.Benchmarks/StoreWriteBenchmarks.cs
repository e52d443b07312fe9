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
        _intakes = Enumerable.Range(0, SharesPerInvoke).Select(i => new ShareIntake
        {
            ShareRequestId = Guid.NewGuid(),
            HipId = BenchData.HipId,
            CounterCode = "counter-" + (i % 4),
            Profile = new SharedPatientProfile
            {
                HealthId = $"bench.{i:D6}@sbx",
                Name = $"Bench Testpatient {i:D6}",
                Gender = Gender.Female,
                YearOfBirth = 1990,
                MonthOfBirth = 2,
                DayOfBirth = 27,
                Address = new PatientAddress("12 Sample Street", "Bengaluru Urban", "Karnataka", "560001"),
                Mobile = $"+91-9000{i:D6}",
                Identifiers = [new ProfileIdentifier("MOBILE", $"+91-9000{i:D6}")],
            },
            WireVersion = WireVersion.V05,
            ReceivedAt = now,
            ServiceDay = DateOnly.FromDateTime(now.UtcDateTime),
            RescanWindow = TimeSpan.FromMinutes(30),
            EntryLifetime = TimeSpan.FromHours(4),
            NewEntryId = Guid.CreateVersion7(now),
            AcknowledgementItemId = Guid.CreateVersion7(now),
            AcknowledgementRequestId = Guid.NewGuid(),
        }).ToArray();
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
