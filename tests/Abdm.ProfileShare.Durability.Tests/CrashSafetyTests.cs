using System.Diagnostics;
using Abdm.ProfileShare.Testing;
using Xunit.Abstractions;

namespace Abdm.ProfileShare.Durability.Tests;

/// <summary>
/// Crash safety with the SQLite and the PostgreSQL store: the host runs as a separate process, is killed with SIGKILL
/// while work is pending at every step of the flow, and is restarted on the same database (file, or PostgreSQL schema)
/// and port.
/// </summary>
/// <remarks>
/// <para>The queue is read from the restarted host over its test endpoint (<c>GET /_test/entries</c>): that is the
/// restarted process reading the database the killed one wrote, through the SDK, as a counter screen would.</para>
/// <para>Delivery is at-least-once with a stable requestId: a call the crash interrupted is sent again after the
/// restart with the requestId it had, so the gateway may see the same on-share, init or confirm twice but never two
/// different ones for one share. The test counts distinct requestIds, not calls.</para>
/// <para>Not covered: a callback (on-init, on-confirm) the gateway sends while the host is down is lost (the gateway
/// does not retry callbacks), and that chain ends TimedOut after <c>Linking:CallbackTimeout</c>. The kill here happens
/// while every in-flight gateway call is held unanswered by the simulator, so no callback is in flight at that moment.</para>
/// </remarks>
[Collection(DurabilityCollection.Name)]
public sealed class CrashSafetyTests : IDisposable
{
    private const string HipId = "HIP-DURABILITY-1";
    private const string ClientId = "durability-client";
    private const string ClientSecret = "durability-secret-not-real";
    private const int PerPhase = 12;

    private static readonly string[] Counters = ["counter-a", "counter-b", "counter-c"];

    /// <summary>Longer than the test: a held call is still unanswered when the host dies.</summary>
    private static readonly TimeSpan Hold = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(25);

    private readonly ITestOutputHelper _output;
    private readonly string _directory = Directory.CreateTempSubdirectory("abdm-durability-").FullName;

    public CrashSafetyTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public Task KillMidFlow_RestartOnSameDatabase_EveryShareQueuedOnceAndEveryChainLinked() =>
        KillMidFlowAsync(new Dictionary<string, string> { ["TestHost:Store"] = "sqlite:" + Path.Combine(_directory, "profile-share.db") });

    [Fact]
    public async Task KillMidFlow_PostgreSql_RestartOnSameSchema_EveryShareQueuedOnceAndEveryChainLinked()
    {
        var postgres = new PostgreSqlServerFixture();
        await postgres.InitializeAsync();
        try
        {
            await KillMidFlowAsync(new Dictionary<string, string>
            {
                ["TestHost:Store"] = "postgres:" + postgres.ConnectionString,
                ["TestHost:KeyPrefix"] = postgres.NewSchema(), // the schema
            });
        }
        finally
        {
            await postgres.DisposeAsync();
        }
    }

    private async Task KillMidFlowAsync(IReadOnlyDictionary<string, string> store)
    {
        var clock = Stopwatch.StartNew();
        await using var gateway = await AbdmGatewaySimulator.StartAsync(new GatewaySimulatorOptions { ClientId = ClientId, ClientSecret = ClientSecret });
        TestHostProcess? host = null;
        TestHostProcess? restarted = null;
        try
        {
            host = await StartHostAsync("before the crash", 0, store, gateway);
            gateway.RegisterHip(HipId, host.BaseUrl);
            var scans = new Scans(HipId, Counters);
            _output.WriteLine($"{clock.ElapsedMilliseconds,6} ms  host {host.ProcessId} ready on port {host.Port}");

            // 1. Complete chains.
            var linked = await PlayAllAnsweredAsync(gateway, scans.Next(PerPhase));
            await Task.WhenAll(linked.Select(s => gateway.Journal.WaitForLinkingTokenIssuedAsync(s.HealthId, Wait)));

            // 2. Confirms held by the gateway: the host has the transaction and waits for its linking token.
            gateway.Faults.For(GatewayOperation.AuthConfirm).Delay(Hold);
            var awaitingToken = await PlayAllAnsweredAsync(gateway, scans.Next(PerPhase));
            await Task.WhenAll(awaitingToken.Select(s => gateway.Journal.WaitForAsync(
                e => e.Operation == GatewayOperation.OnInit && e.IsDelivered && e.HealthId == s.HealthId, Wait)));

            // 3. Inits held: acknowledged, linking started, no transaction yet.
            gateway.Faults.For(GatewayOperation.AuthInit).Delay(Hold);
            var awaitingTransaction = await PlayAllAnsweredAsync(gateway, scans.Next(PerPhase));
            await Task.WhenAll(awaitingTransaction.Select(s => gateway.Journal.WaitForOnShareAsync(s.RequestId, Wait)));

            // 4. On-shares held: queued, the phone still waits.
            gateway.Faults.For(GatewayOperation.OnShare).Delay(Hold);
            var unacknowledged = await PlayAllAnsweredAsync(gateway, scans.Next(PerPhase));
            _output.WriteLine($"{clock.ElapsedMilliseconds,6} ms  {PerPhase} linked, {PerPhase} awaiting the token, {PerPhase} awaiting the transaction, {PerPhase} unacknowledged");

            // 5. Scans racing the kill: SIGKILL as soon as three of them were answered, while others are in flight;
            //    then scans that reach the dead host (the phone gets no 202).
            var answered = 0;
            var killNow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var racing = Scans.PlayAsync(gateway, scans.Next(PerPhase / 2), concurrency: 3, share =>
            {
                if (share.HipStatusCode == 202 && Interlocked.Increment(ref answered) == 3)
                {
                    killNow.TrySetResult();
                }
            });
            await killNow.Task.WaitAsync(Wait);
            await host.KillAsync();
            var killedAt = clock.ElapsedMilliseconds;
            var racingShares = (await racing.WaitAsync(Wait)).ToList();
            var whileDown = await Scans.PlayAsync(gateway, scans.Next(PerPhase / 2), concurrency: 3);
            Assert.All(whileDown, s => Assert.Null(s.HipStatusCode));
            racingShares.AddRange(whileDown);
            var unanswered = racingShares.Where(s => s.HipStatusCode != 202).ToList();
            _output.WriteLine($"{killedAt,6} ms  SIGKILL; scans racing it and after it: {racingShares.Count - unanswered.Count} answered 202, {unanswered.Count} not answered");

            // The gateway recovers; the host comes back on the same file and port.
            gateway.Faults.Clear();
            restarted = await StartHostAsync("after the crash", host.Port, store, gateway);
            Assert.Equal(host.BaseUrl, restarted.BaseUrl);
            _output.WriteLine($"{clock.ElapsedMilliseconds,6} ms  host {restarted.ProcessId} ready on the same port");

            // Shares that got no 202 may still have been stored before the process died (the 202 is written after the commit).
            var queuedBeforeReplay = (await restarted.GetEntriesAsync(HipId)).Entries.Select(e => e.ShareRequestId).ToHashSet();
            var storedButUnanswered = unanswered.Count(s => queuedBeforeReplay.Contains(s.RequestId));
            Assert.All(racingShares.Where(s => s.HipStatusCode == 202), s => Assert.Contains(s.RequestId, queuedBeforeReplay));

            // The phone retries what got no 202, with the same requestId; it also repeats a few that did get one.
            var replays = unanswered
                .Concat(racingShares.Where(s => s.HipStatusCode == 202).Take(2))
                .Concat(linked.Take(2)).Concat(unacknowledged.Take(2)).Concat(awaitingTransaction.Take(1)).ToList();
            foreach (var share in replays)
            {
                var again = await gateway.ScanAsync(share.Scan);
                Assert.Equal(share.RequestId, again.RequestId);
                Assert.True(again.HipStatusCode == 202, $"The replayed share was answered {again.HipStatusCode}: {again.DeliveryError}");
            }

            var all = linked.Concat(awaitingToken).Concat(awaitingTransaction).Concat(unacknowledged).Concat(racingShares).ToList();
            await Task.WhenAll(all.Select(s => s.Acknowledgement.WaitAsync(Wait)));
            await Task.WhenAll(all.Select(s => gateway.Journal.WaitForLinkingTokenIssuedAsync(s.HealthId, Wait)));
            var recoveredAt = clock.ElapsedMilliseconds;

            // The interrupted calls: each held request the kill cut off was answered later under the same requestId.
            var interrupted = new Dictionary<GatewayOperation, int>();
            foreach (var operation in new[] { GatewayOperation.OnShare, GatewayOperation.AuthInit, GatewayOperation.AuthConfirm })
            {
                await gateway.Journal.WaitForAsync(e => e.Operation == operation && IsCutOff(e), Wait);
                var cutOff = gateway.Journal.Of(operation).Where(IsCutOff).ToList();
                var accepted = gateway.Journal.Of(operation).Where(e => e.IsAccepted).Select(e => e.RequestId).ToHashSet();
                Assert.All(cutOff, e => Assert.Contains(e.RequestId, accepted));
                interrupted[operation] = cutOff.Select(e => e.RequestId).Distinct().Count();
            }

            var queue = await restarted.GetEntriesAsync(HipId);
            var entries = queue.Entries;
            Assert.Equal(5 * PerPhase, all.Count);
            FlowAssertions.EachShareQueuedOnce(entries, all);
            FlowAssertions.TokensGapless(entries, Counters);
            var resentOnShares = FlowAssertions.OneOnSharePerShare(gateway.Journal, all);
            FlowAssertions.PhonesShowTokens(entries, all);
            var (resentInits, resentConfirms) = FlowAssertions.ChainsLinked(entries, all, gateway.Journal);

            _output.WriteLine($"{recoveredAt,6} ms  all {all.Count} shares acknowledged and linked ({recoveredAt - killedAt} ms after the kill)");
            _output.WriteLine($"        interrupted by the kill and completed after the restart: on-share {interrupted[GatewayOperation.OnShare]}, init {interrupted[GatewayOperation.AuthInit]}, confirm {interrupted[GatewayOperation.AuthConfirm]}");
            _output.WriteLine($"        racing shares without a 202 already stored by the killed host: {storedButUnanswered} of {unanswered.Count}");
            _output.WriteLine($"        phone replays: {replays.Count}; resent with the same requestId and accepted again: on-share {resentOnShares}, init {resentInits}, confirm {resentConfirms}");
            _output.WriteLine($"        tokens per counter: {string.Join(", ", entries.GroupBy(e => e.Counter).OrderBy(g => g.Key).Select(g => $"{g.Key} 1..{g.Max(e => e.Token)}"))}");
            _output.WriteLine($"{clock.ElapsedMilliseconds,6} ms  done");
        }
        catch
        {
            _output.WriteLine(host?.Output ?? "");
            _output.WriteLine(restarted?.Output ?? "");
            _output.WriteLine(gateway.Journal.Describe(40));
            throw;
        }
        finally
        {
            if (restarted is not null)
            {
                await restarted.DisposeAsync();
            }

            if (host is not null)
            {
                await host.DisposeAsync();
            }
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temporary folder; the OS cleans it up.
        }
    }

    /// <summary>A held request whose client vanished (the kill) before the simulator answered: not processed.</summary>
    private static bool IsCutOff(JournalEntry entry) =>
        entry.Direction == JournalDirection.Received && entry.StatusCode is null && entry.Detail?.Contains("gave up", StringComparison.Ordinal) == true;

    private static async Task<IReadOnlyList<SimulatedShare>> PlayAllAnsweredAsync(AbdmGatewaySimulator gateway, IReadOnlyList<SimulatedScan> scans)
    {
        var shares = await Scans.PlayAsync(gateway, scans, concurrency: 4);
        Assert.All(shares, s => Assert.True(s.HipStatusCode == 202, $"The share was answered {s.HipStatusCode}: {s.DeliveryError}"));
        return shares;
    }

    private Task<TestHostProcess> StartHostAsync(string name, int port, IReadOnlyDictionary<string, string> store, AbdmGatewaySimulator gateway) =>
        TestHostProcess.StartAsync(
            name,
            new Dictionary<string, string>(store)
            {
                ["urls"] = $"http://127.0.0.1:{port}",
                ["AbdmProfileShare:HipIds:0"] = HipId,
                ["AbdmProfileShare:Gateway:BaseUrl"] = gateway.BaseUrl.ToString(),
                ["AbdmProfileShare:Gateway:ClientId"] = ClientId,
                ["TestHost:KeyRing"] = Path.Combine(_directory, "keys"),

                // Held calls must stay in flight until the kill: no attempt timeout, no retry before it.
                ["AbdmProfileShare:Resilience:AttemptTimeout"] = "00:00:30",
                ["AbdmProfileShare:Resilience:TotalTimeout"] = "00:00:30",
                ["AbdmProfileShare:Outbox:MaxConcurrency"] = "64",

                // The restarted host takes over the dead one's leased items when their lease expires.
                ["AbdmProfileShare:Outbox:LeaseDuration"] = "00:00:04",
            },
            new Dictionary<string, string> { ["AbdmProfileShare__Gateway__ClientSecret"] = ClientSecret });
}
