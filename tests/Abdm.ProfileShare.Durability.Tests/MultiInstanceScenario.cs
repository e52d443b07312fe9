using System.Diagnostics;
using Abdm.ProfileShare.Testing;
using Xunit.Abstractions;

namespace Abdm.ProfileShare.Durability.Tests;

/// <summary>
/// Two TestHost processes on one shared store (Redis, PostgreSQL), the gateway delivering every callback to the
/// instance that did not make the matching call: one queue, gapless tokens, every chain linked, and instance A's change
/// feed sees the entries created through B.
/// </summary>
internal static class MultiInstanceScenario
{
    private const string HipId = "HIP-DURABILITY-2";
    private const string ClientId = "durability-client";
    private const string ClientSecret = "durability-secret-not-real";
    private const int ScanCount = 300;

    private static readonly string[] Counters = ["counter-a", "counter-b", "counter-c"];
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(40);

    /// <param name="output">The test's output.</param>
    /// <param name="store">The TestHost settings that name the shared store (TestHost:Store, TestHost:KeyPrefix).</param>
    /// <param name="keyRing">The Data Protection key ring folder both instances share.</param>
    public static async Task RunAsync(ITestOutputHelper output, IReadOnlyDictionary<string, string> store, string keyRing)
    {
        var clock = Stopwatch.StartNew();
        await using var gateway = await AbdmGatewaySimulator.StartAsync(new GatewaySimulatorOptions { ClientId = ClientId, ClientSecret = ClientSecret });
        TestHostProcess? a = null;
        TestHostProcess? b = null;
        CallbackRouter? router = null;
        ChangeFeedClient? feed = null;
        try
        {
            var startingA = StartHostAsync("A", store, keyRing, gateway);
            var startingB = StartHostAsync("B", store, keyRing, gateway);
            try
            {
                a = await startingA;
            }
            finally
            {
                b = await OrNullAsync(startingB);
            }

            b ??= await startingB;
            router = await CallbackRouter.StartAsync(gateway.Journal, [("A", a.BaseUrl), ("B", b.BaseUrl)]);
            gateway.RegisterHip(HipId, router.BaseUrl);
            feed = await a.WatchAsync(HipId);
            output.WriteLine($"{clock.ElapsedMilliseconds,6} ms  instances A (pid {a.ProcessId}) and B (pid {b.ProcessId}) ready, A's change feed live");

            var scanning = Stopwatch.StartNew();
            var shares = await Scans.PlayAsync(gateway, new Scans(HipId, Counters).Next(ScanCount), concurrency: 16);
            Assert.All(shares, s => Assert.True(s.HipStatusCode == 202, $"The share was answered {s.HipStatusCode}: {s.DeliveryError}"));
            var scannedIn = scanning.ElapsedMilliseconds;
            await Task.WhenAll(shares.Select(s => s.Acknowledgement.WaitAsync(Wait)));
            await Task.WhenAll(shares.Select(s => gateway.Journal.WaitForLinkingTokenIssuedAsync(s.HealthId, Wait)));
            var linkedIn = scanning.ElapsedMilliseconds;

            // One queue, whichever instance reads it.
            var fromA = (await a.GetEntriesAsync(HipId)).Entries;
            var fromB = (await b.GetEntriesAsync(HipId)).Entries;
            Assert.Equal(fromA.OrderBy(e => e.Id).ToList(), fromB.OrderBy(e => e.Id).ToList());

            FlowAssertions.EachShareQueuedOnce(fromA, shares);
            FlowAssertions.TokensGapless(fromA, Counters);
            var resentOnShares = FlowAssertions.OneOnSharePerShare(gateway.Journal, shares);
            FlowAssertions.PhonesShowTokens(fromA, shares);
            var (resentInits, resentConfirms) = FlowAssertions.ChainsLinked(fromA, shares, gateway.Journal);

            // Every callback went to the instance that did not make the call it answers, and was accepted there.
            var deliveries = router.Deliveries;
            Assert.Equal(0, router.Unmatched);
            Assert.All(deliveries, d => Assert.Equal(202, d.StatusCode));
            var callbacks = deliveries.Where(d => d.Kind is "on-init" or "on-confirm").ToList();
            Assert.All(callbacks, d => Assert.True(d.Caller is not null && d.Caller != d.Target, $"A {d.Kind} went to {d.Target}, the caller was {d.Caller}."));
            Assert.True(deliveries.Count(d => d.Kind == "on-init") >= ScanCount);
            Assert.True(deliveries.Count(d => d.Kind == "on-confirm") >= ScanCount);
            var sharesTo = deliveries.Where(d => d.Kind == "share").ToLookup(d => d.Target, d => d.RequestId!.Value);
            Assert.Equal(ScanCount / 2, sharesTo["A"].Count());
            Assert.Equal(ScanCount / 2, sharesTo["B"].Count());

            // Both instances' outboxes did gateway work.
            var callsBy = new[] { GatewayOperation.OnShare, GatewayOperation.AuthInit, GatewayOperation.AuthConfirm }.ToDictionary(
                op => op,
                op => gateway.Journal.Of(op).Where(e => e.IsAccepted).ToLookup(e => e.Headers.GetValueOrDefault("X-Test-Instance")));
            Assert.All(callsBy.Values, by => Assert.True(by["A"].Any() && by["B"].Any(), "One instance made none of these calls."));

            // A's subscription saw every entry added, those created through B included.
            var entryOfShare = fromA.ToDictionary(e => e.ShareRequestId, e => e.Id);
            var createdThroughB = sharesTo["B"].Select(id => entryOfShare[id]).ToHashSet();
            var allEntries = fromA.Select(e => e.Id).ToHashSet();
            await feed.WaitUntilAsync(added => allEntries.IsSubsetOf(added), TimeSpan.FromSeconds(10));
            Assert.Subset(feed.Added.ToHashSet(), createdThroughB);

            output.WriteLine($"{clock.ElapsedMilliseconds,6} ms  {ScanCount} scans answered in {scannedIn} ms; all acknowledged and linked {linkedIn} ms after the first scan");
            output.WriteLine($"        shares routed: A {sharesTo["A"].Count()}, B {sharesTo["B"].Count()}; callbacks to the other instance: on-init {deliveries.Count(d => d.Kind == "on-init")}, on-confirm {deliveries.Count(d => d.Kind == "on-confirm")}");
            output.WriteLine($"        accepted calls by A/B: on-share {Split(callsBy[GatewayOperation.OnShare])}, init {Split(callsBy[GatewayOperation.AuthInit])}, confirm {Split(callsBy[GatewayOperation.AuthConfirm])}");
            output.WriteLine($"        resent with the same requestId: on-share {resentOnShares}, init {resentInits}, confirm {resentConfirms}");
            output.WriteLine($"        A's change feed: {feed.ChangeCount} changes, {feed.Added.Count} entries added ({createdThroughB.Count} created through B)");
            output.WriteLine($"        tokens per counter: {string.Join(", ", fromA.GroupBy(e => e.Counter).OrderBy(g => g.Key).Select(g => $"{g.Key} 1..{g.Max(e => e.Token)}"))}");
        }
        catch
        {
            output.WriteLine(a?.Output ?? "");
            output.WriteLine(b?.Output ?? "");
            output.WriteLine(gateway.Journal.Describe(40));
            throw;
        }
        finally
        {
            if (feed is not null)
            {
                await feed.DisposeAsync();
            }

            foreach (var host in new[] { a, b })
            {
                if (host is not null)
                {
                    await host.DisposeAsync();
                }
            }

            if (router is not null)
            {
                await router.DisposeAsync();
            }

        }
    }

    /// <summary>The started host, or null when it failed (awaiting the task again rethrows).</summary>
    private static async Task<TestHostProcess?> OrNullAsync(Task<TestHostProcess> starting)
    {
        try
        {
            return await starting;
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            return null;
        }
    }

    private static string Split<T>(ILookup<string?, T> byInstance) => $"{byInstance["A"].Count()}/{byInstance["B"].Count()}";

    private static Task<TestHostProcess> StartHostAsync(string instance, IReadOnlyDictionary<string, string> store, string keyRing, AbdmGatewaySimulator gateway) =>
        TestHostProcess.StartAsync(
            instance,
            new Dictionary<string, string>(store)
            {
                ["urls"] = "http://127.0.0.1:0",
                ["AbdmProfileShare:HipIds:0"] = HipId,
                ["AbdmProfileShare:Gateway:BaseUrl"] = gateway.BaseUrl.ToString(),
                ["AbdmProfileShare:Gateway:ClientId"] = ClientId,
                ["TestHost:KeyRing"] = keyRing,
                ["TestHost:Instance"] = instance,
            },
            new Dictionary<string, string> { ["AbdmProfileShare__Gateway__ClientSecret"] = ClientSecret });
}
