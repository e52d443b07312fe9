using System.Diagnostics;
using Abdm.ProfileShare.Testing;
using Xunit.Abstractions;

namespace Abdm.ProfileShare.Durability.Tests;

/// <summary>
/// PostgreSQL stopped, and restarted (pg_ctl restart -m fast: every connection cut) in the middle of a burst of scans,
/// under a host on the PostgreSQL store. The restart runs on the second, restartable test cluster, so tests on the shared one are
/// not disturbed.
/// </summary>
/// <remarks>
/// What must hold: a share answered 202 was stored (no 2xx lost); a share that was not stored got 503, not a 2xx and not
/// a 500, and is stored once when the gateway delivers it again; no share gets two different on-shares; the host
/// recovers by itself (new scans are answered 202 without a restart of the host); the change feed of the host resumes,
/// including the entries added while its LISTEN connection was down.
/// </remarks>
[Collection(DurabilityCollection.Name)]
public sealed class PostgreSqlRestartTests(ITestOutputHelper output) : IDisposable
{
    private const string HipId = "HIP-DURABILITY-3";
    private const string ClientId = "durability-client";
    private const string ClientSecret = "durability-secret-not-real";
    private const int Burst = 60;

    private static readonly string[] Counters = ["counter-a", "counter-b", "counter-c"];
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(40);

    private readonly string _keyRing = Directory.CreateTempSubdirectory("abdm-keyring-").FullName;

    public void Dispose() => Directory.Delete(_keyRing, recursive: true);

    [Fact]
    public async Task Stopped_SharesGet503Quickly_ThenHostRecoversByItselfWhenPostgreSqlIsBack()
    {
        var connectionString = PostgreSqlServerFixture.RestartableConnectionString();
        await using var gateway = await AbdmGatewaySimulator.StartAsync(new GatewaySimulatorOptions { ClientId = ClientId, ClientSecret = ClientSecret });
        TestHostProcess? host = null;
        var stopped = false;
        try
        {
            host = await StartHostAsync(gateway, connectionString);
            gateway.RegisterHip(HipId, host.BaseUrl);
            var scans = new Scans(HipId, Counters);
            Assert.Equal(202, (await gateway.ScanAsync(scans.Next())).HipStatusCode);

            await PostgreSqlServerFixture.ControlAsync("stop");
            stopped = true;
            var clock = Stopwatch.StartNew();
            var whileDown = await gateway.ScanAsync(scans.Next());
            var answeredIn = clock.Elapsed;
            Assert.Equal(503, whileDown.HipStatusCode);
            Assert.True(answeredIn < TimeSpan.FromSeconds(5), $"The 503 took {answeredIn} (CommandTimeout is 5 s).");

            await PostgreSqlServerFixture.ControlAsync("start");
            stopped = false;
            var again = await gateway.ScanAsync(whileDown.Scan);
            var next = await gateway.ScanAsync(scans.Next());
            Assert.Equal((202, 202), (again.HipStatusCode ?? 0, next.HipStatusCode ?? 0));
            await Task.WhenAll(new[] { again, next }.Select(s => s.Acknowledgement.WaitAsync(Wait)));
            var entries = (await host.GetEntriesAsync(HipId)).Entries;
            Assert.Single(entries, e => e.ShareRequestId == whileDown.RequestId);
            output.WriteLine($"PostgreSQL stopped: a share was answered 503 in {answeredIn.TotalMilliseconds:0} ms; after the start, the redelivery and a new scan were answered 202 by the same host process");
        }
        catch
        {
            output.WriteLine(host?.Output ?? "");
            throw;
        }
        finally
        {
            if (stopped)
            {
                await PostgreSqlServerFixture.ControlAsync("start");
            }

            if (host is not null)
            {
                await host.DisposeAsync();
            }
        }
    }

    private Task<TestHostProcess> StartHostAsync(AbdmGatewaySimulator gateway, string connectionString) =>
        TestHostProcess.StartAsync("postgres", new Dictionary<string, string>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["AbdmProfileShare:HipIds:0"] = HipId,
            ["AbdmProfileShare:Gateway:BaseUrl"] = gateway.BaseUrl.ToString(),
            ["AbdmProfileShare:Gateway:ClientId"] = ClientId,
            ["TestHost:Store"] = "postgres:" + connectionString,
            ["TestHost:KeyPrefix"] = $"restart_{Guid.NewGuid():N}",
            ["TestHost:KeyRing"] = _keyRing,
        }, new Dictionary<string, string> { ["AbdmProfileShare__Gateway__ClientSecret"] = ClientSecret });

    [Fact]
    public async Task RestartMidBurst_No2xxLostRefusedOnes503AndStoredOnceOnRedeliveryChangeFeedResumes()
    {
        var connectionString = PostgreSqlServerFixture.RestartableConnectionString();
        var clock = Stopwatch.StartNew();
        await using var gateway = await AbdmGatewaySimulator.StartAsync(new GatewaySimulatorOptions { ClientId = ClientId, ClientSecret = ClientSecret });
        TestHostProcess? host = null;
        ChangeFeedClient? feed = null;
        try
        {
            host = await StartHostAsync(gateway, connectionString);
            gateway.RegisterHip(HipId, host.BaseUrl);
            feed = await host.WatchAsync(HipId);
            var scans = new Scans(HipId, Counters);

            // The burst; PostgreSQL restarts once ten shares were answered, while the others are in flight.
            var answered = 0;
            var restartNow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var burst = Scans.PlayAsync(gateway, scans.Next(Burst), concurrency: 4, share =>
            {
                if (share.HipStatusCode == 202 && Interlocked.Increment(ref answered) == 10)
                {
                    restartNow.TrySetResult();
                }
            });
            await restartNow.Task.WaitAsync(Wait);
            var restartedAt = clock.ElapsedMilliseconds;
            await PostgreSqlServerFixture.ControlAsync("restart");
            var restartTook = clock.ElapsedMilliseconds - restartedAt;
            var shares = await burst.WaitAsync(Wait);

            var refused = shares.Where(s => s.HipStatusCode != 202).ToList();
            Assert.All(refused, s => Assert.True(s.HipStatusCode == 503, $"A share was answered {s.HipStatusCode?.ToString() ?? "nothing"}: {s.DeliveryError}"));

            // The host recovered by itself: the gateway delivers the refused shares again (same requestId), and new scans are answered.
            var redelivered = new List<SimulatedShare>();
            foreach (var share in refused)
            {
                var again = await gateway.ScanAsync(share.Scan);
                Assert.Equal(share.RequestId, again.RequestId);
                Assert.True(again.HipStatusCode == 202, $"The redelivered share was answered {again.HipStatusCode}: {again.DeliveryError}");
                redelivered.Add(again);
            }

            var after = await Scans.PlayAsync(gateway, scans.Next(12), concurrency: 4);
            Assert.All(after, s => Assert.True(s.HipStatusCode == 202, $"A share after the restart was answered {s.HipStatusCode}: {s.DeliveryError}"));

            var all = shares.Where(s => s.HipStatusCode == 202).Concat(redelivered).Concat(after).ToList();
            await Task.WhenAll(all.Select(s => s.Acknowledgement.WaitAsync(Wait)));
            var entries = (await host.GetEntriesAsync(HipId)).Entries;
            FlowAssertions.EachShareQueuedOnce(entries, all);
            FlowAssertions.TokensGapless(entries, Counters);
            var resentOnShares = FlowAssertions.OneOnSharePerShare(gateway.Journal, all);
            FlowAssertions.PhonesShowTokens(entries, all);

            // The change feed resumed: every entry, those added while the LISTEN connection was down included.
            var ids = entries.Select(e => e.Id).ToHashSet();
            await feed.WaitUntilAsync(added => ids.IsSubsetOf(added), Wait);

            output.WriteLine($"{clock.ElapsedMilliseconds,6} ms  {Burst} scans in the burst; PostgreSQL restart took {restartTook} ms");
            output.WriteLine($"        answered 202: {Burst - refused.Count}, 503: {refused.Count} (all stored once on redelivery); after the restart: {after.Count} answered 202");
            output.WriteLine($"        on-shares resent with the same requestId: {resentOnShares}; change feed: {feed.Added.Count} entries added, {feed.ChangeCount} changes");
        }
        catch
        {
            output.WriteLine(host?.Output ?? "");
            output.WriteLine(gateway.Journal.Describe(40));
            throw;
        }
        finally
        {
            if (feed is not null)
            {
                await feed.DisposeAsync();
            }

            if (host is not null)
            {
                await host.DisposeAsync();
            }
        }
    }
}
