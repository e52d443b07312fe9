using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Abdm.ProfileShare.FlowTests.Support;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Testing;
using Xunit.Abstractions;

namespace Abdm.ProfileShare.FlowTests;

/// <summary>Runs the load test alone, after the other tests, so it neither starves their timeouts nor is starved by them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LoadCollection
{
    public const string Name = "Load";
}

/// <summary>A busy morning: many phones, several counters, one HIP, the SQLite store on a file.</summary>
[Collection(LoadCollection.Name)]
public sealed class LoadTests(ITestOutputHelper output)
{
    private const int Scans = 500;
    private const int Phones = 20;
    private const int Counters = 5;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Scan_500PatientsFrom20PhonesAt5Counters_EveryChainCompletesWithGaplessTokens()
    {
        var patients = SyntheticPopulation.Create(Scans);
        await using var flow = await FlowHost.StartAsync(new FlowHostOptions { Store = FlowStore.Sqlite });
        using var budget = new CancellationTokenSource(Budget);
        var clock = Stopwatch.StartNew();

        // Each phone scans, waits for what its screen shows, then the next patient takes it; scan i goes to
        // counter (i mod 5) + 1, even scans in v1.0 (the phone shows the token), odd ones in v0.5.
        var next = -1;
        var scans = new ConcurrentBag<(SharedPatientProfile Patient, SimulatedShare Share, PhoneAcknowledgement Phone)>();
        var phones = Enumerable.Range(0, Phones).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < Scans)
            {
                var counter = "counter-" + ((i % Counters) + 1).ToString(CultureInfo.InvariantCulture);
                var version = i % 2 == 0 ? WireVersion.V10 : WireVersion.V05;
                var share = await flow.Gateway.ScanAsync(new SimulatedScan(FlowHost.HipId, counter, patients[i], version), budget.Token);
                Assert.True(share.HipStatusCode == 202, $"The host answered a share {share.HipStatusCode?.ToString(CultureInfo.InvariantCulture) ?? share.DeliveryError}.");
                var phone = await share.Acknowledgement.WaitAsync(budget.Token);
                scans.Add((patients[i], share, phone));
            }
        })).ToList();
        await Task.WhenAll(phones);
        var acknowledged = clock.Elapsed;

        // Every chain ends with a linking token the host accepted (it stores the token before answering 202).
        var journal = flow.Gateway.Journal;
        var remaining = Budget - clock.Elapsed > TimeSpan.Zero ? Budget - clock.Elapsed : TimeSpan.FromMilliseconds(1);
        var issued = await Task.WhenAll(patients.Select(p => journal.WaitForLinkingTokenIssuedAsync(p.HealthId, remaining, budget.Token)));
        var linked = clock.Elapsed;
        output.WriteLine($"{Scans} scans from {Phones} phones: all acknowledged after {acknowledged.TotalSeconds:F1} s, all linking tokens issued after {linked.TotalSeconds:F1} s.");

        Assert.Equal(Scans, scans.Count);
        Assert.All(scans, s => Assert.True(s.Phone.IsSuccess));
        Assert.DoesNotContain(journal.Entries, e => e.Rejection is not null);

        var acceptedOnShares = journal.Accepted(GatewayOperation.OnShare).GroupBy(e => e.RespRequestId).ToDictionary(g => g.Key!.Value, g => g.Count());
        Assert.Equal(Scans, acceptedOnShares.Count);
        Assert.All(scans, s => Assert.Equal(1, acceptedOnShares.GetValueOrDefault(s.Share.RequestId)));

        var entries = await flow.Queue.ListAsync(FlowHost.HipId, null);
        Assert.Equal(Scans, entries.Count);
        foreach (var counter in entries.GroupBy(e => e.CounterCode))
        {
            Assert.Equal(Enumerable.Range(1, Scans / Counters), counter.Select(e => e.TokenNumber).Order());
        }

        var byHealthId = entries.ToDictionary(e => e.Profile.HealthId, StringComparer.OrdinalIgnoreCase);
        foreach (var (patient, share, phone) in scans)
        {
            var entry = byHealthId[patient.HealthId];
            Assert.Equal(share.Scan.CounterCode, entry.CounterCode);
            Assert.Equal(share.RequestId, entry.LatestShareRequestId);
            Assert.Equal(share.Version == WireVersion.V10 ? entry.TokenNumber.ToString(CultureInfo.InvariantCulture) : null, phone.TokenNumber);
        }

        for (var i = 0; i < Scans; i++)
        {
            var entry = byHealthId[patients[i].HealthId];
            Assert.Equal(LinkingState.Linked, entry.Linking.State);
            var stored = await flow.Queue.GetLinkingTokenAsync(FlowHost.HipId, patients[i].HealthId);
            Assert.NotNull(stored);
            Assert.Equal(issued[i], stored.Token);
            Assert.Equal(entry.Id, stored.EntryId);
        }

        Assert.True(clock.Elapsed < Budget, $"The load took {clock.Elapsed}.");
    }
}
