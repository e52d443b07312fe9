using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Testing;
using Abdm.ProfileShare.FlowTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit.Abstractions;

namespace Abdm.ProfileShare.FlowTests;

/// <summary>
/// The gateway's rules for token requests, over real HTTP against the simulator enforcing the sandbox's measurements:
/// a stored token is reused (no call), one request per patient per window, ABDM-1092 waited out, ABDM-1027 ends the chain
/// and blocks the address. The windows are shortened (seconds) so the tests run fast; the rules are the same.
/// </summary>
public sealed class LinkingRulesFlowTests(ITestOutputHelper output)
{
    private FlowHostOptions Options(WireVersion version, Action<AbdmProfileShareOptions>? host = null, Action<GatewaySimulatorOptions>? simulator = null) => new()
    {
        Logs = new TestOutputLogs(output),
        WireVersion = version,
        ConfigureHost = host,
        ConfigureSimulator = simulator,
    };

    private static GatewayOperation TokenRequest(WireVersion version) => version == WireVersion.V3 ? GatewayOperation.GenerateToken : GatewayOperation.AuthInit;

    [Theory]
    [InlineData(WireVersion.V05)]
    [InlineData(WireVersion.V3)]
    public async Task ReturningPatientWithAStoredToken_LinkedWithoutAGatewayCall(WireVersion version)
    {
        await using var flow = await FlowHost.StartAsync(Options(version));
        var patient = SyntheticPatients.All[0];
        var first = await flow.EntryForAsync(await flow.ScanAsync(patient, version));
        await flow.WaitForEntryAsync(first.Id, e => e.Linking.State == LinkingState.Linked);
        Assert.Equal(Workflow.QueueActionOutcome.Done, (await flow.Queue.CompleteAsync(first.Id, "op-1", "MRN-1")).Outcome);

        var again = await flow.EntryForAsync(await flow.ScanAsync(patient, version, counter: "counter-2"));
        var linked = await flow.WaitForEntryAsync(again.Id, e => e.Linking.State == LinkingState.Linked);

        Assert.True(linked.Linking.ReusedToken);
        Assert.Single(flow.Gateway.Journal.Of(TokenRequest(version)));
        Assert.NotNull(await flow.Queue.GetLinkingTokenAsync(FlowHost.HipId, patient.HealthId));
    }

    [Theory]
    [InlineData(WireVersion.V05)]
    [InlineData(WireVersion.V3)]
    public async Task SecondScanInsideTheWindow_WaitsThenSendsOnce_WhenTheWindowEnds(WireVersion version)
    {
        // The first chain's callback never comes (no token stored), so the second scan's chain must wait out the window.
        // The gateway's own window (the sandbox's 6.2 minutes, 3 s here) is shorter than the host's, as by default (7 minutes).
        await using var flow = await FlowHost.StartAsync(Options(version, o =>
        {
            o.Linking.RequestWindow = TimeSpan.FromSeconds(4);
            o.Linking.CallbackTimeout = TimeSpan.FromSeconds(30);
        }, s => s.LinkTokenRequestWindow = TimeSpan.FromSeconds(3)));
        flow.Gateway.Faults.For(version == WireVersion.V3 ? GatewayOperation.OnGenerateToken : GatewayOperation.OnInit).Drop(times: 1);
        var patient = SyntheticPatients.All[1];
        await flow.EntryForAsync(await flow.ScanAsync(patient, version));
        await flow.Gateway.Journal.WaitForAsync(e => e.Operation == TokenRequest(version) && e.IsAccepted, FlowHost.Wait);

        var second = await flow.EntryForAsync(await flow.ScanAsync(patient, version, counter: "counter-2"));
        var throttled = await flow.WaitForEntryAsync(second.Id, e => e.Linking.State == LinkingState.Throttled);
        Assert.NotNull(throttled.Linking.ProceedAt);
        Assert.Single(flow.Gateway.Journal.Of(TokenRequest(version)));

        var linked = await flow.WaitForEntryAsync(second.Id, e => e.Linking.State == LinkingState.Linked);
        Assert.False(linked.Linking.ReusedToken);
        var requests = flow.Gateway.Journal.Of(TokenRequest(version));
        Assert.Equal(2, requests.Count);
        Assert.True(requests[1].Time - requests[0].Time >= TimeSpan.FromSeconds(4) - TimeSpan.FromMilliseconds(50), $"the second request went {requests[1].Time - requests[0].Time} after the first");
    }

    [Fact]
    public async Task Duplicate1092_IsWaitedOutThenSucceedsOnce()
    {
        // The host's window is shorter than the gateway's: the gateway refuses the second request with ABDM-1092, and
        // the host waits a whole window before asking again, once.
        await using var flow = await FlowHost.StartAsync(Options(WireVersion.V3,
            o => o.Linking.RequestWindow = TimeSpan.FromSeconds(2),
            s => s.LinkTokenRequestWindow = TimeSpan.FromSeconds(3)));
        flow.Gateway.Faults.For(GatewayOperation.OnGenerateToken).Drop(times: 1);
        var patient = SyntheticPatients.All[2];
        await flow.EntryForAsync(await flow.ScanAsync(patient, WireVersion.V3));
        await flow.Gateway.Journal.WaitForAsync(e => e.Operation == GatewayOperation.GenerateToken && e.IsAccepted, FlowHost.Wait);

        var second = await flow.EntryForAsync(await flow.ScanAsync(patient, WireVersion.V3, counter: "counter-2"));
        var linked = await flow.WaitForEntryAsync(second.Id, e => e.Linking.State == LinkingState.Linked, TimeSpan.FromSeconds(30));

        var requests = flow.Gateway.Journal.Of(GatewayOperation.GenerateToken);
        Assert.Equal(3, requests.Count);
        Assert.Equal(400, requests[1].StatusCode);
        Assert.True(requests[2].IsAccepted);
        Assert.True(requests[2].Time - requests[1].Time >= TimeSpan.FromSeconds(2) - TimeSpan.FromMilliseconds(50));
        Assert.NotEqual(requests[1].RequestId, requests[2].RequestId);
        Assert.Null(linked.Linking.ErrorCode);
    }

    [Fact]
    public async Task Blocked1027_FailsTheChainAndNoFurtherRequestIsSent()
    {
        // One refusal earns the block here (the sandbox needs a few): the next request is accepted and answered ABDM-1027.
        await using var flow = await FlowHost.StartAsync(Options(WireVersion.V3,
            o => o.Linking.RequestWindow = TimeSpan.FromSeconds(1),
            s =>
            {
                s.LinkTokenRequestWindow = TimeSpan.FromMinutes(5);
                s.RefusalsBeforeBlock = 1;
            }));
        flow.Gateway.Faults.For(GatewayOperation.OnGenerateToken).Drop(times: 1);
        var patient = SyntheticPatients.All[3];
        await flow.EntryForAsync(await flow.ScanAsync(patient, WireVersion.V3));
        await flow.Gateway.Journal.WaitForAsync(e => e.Operation == GatewayOperation.GenerateToken && e.IsAccepted, FlowHost.Wait);

        var second = await flow.EntryForAsync(await flow.ScanAsync(patient, WireVersion.V3, counter: "counter-2"));
        var failed = await flow.WaitForEntryAsync(second.Id, e => e.Linking.State == LinkingState.Failed, TimeSpan.FromSeconds(30));
        Assert.Equal("ABDM-1027", failed.Linking.ErrorCode);
        var sent = flow.Gateway.Journal.Of(GatewayOperation.GenerateToken).Count;

        var third = await flow.EntryForAsync(await flow.ScanAsync(patient, WireVersion.V3, counter: "counter-3"));
        var blocked = await flow.WaitForEntryAsync(third.Id, e => e.Linking.State == LinkingState.Failed);

        Assert.Equal("ABDM-1027", blocked.Linking.ErrorCode);
        Assert.Contains("blocked", blocked.Linking.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(sent, flow.Gateway.Journal.Of(GatewayOperation.GenerateToken).Count);
    }

    [Fact]
    public async Task RunningTokenStatus_AnswersTheLastCalledTokenAndAMeasuredAverage_Or1031()
    {
        await using var flow = await FlowHost.StartAsync(Options(WireVersion.V3, o => o.Linking.Start = LinkingStart.Manual));
        var empty = await flow.Gateway.RequestRunningTokenStatusAsync(FlowHost.HipId, "counter-9").WaitAsync(FlowHost.Wait);
        Assert.Equal("ABDM-1031", empty.ErrorCode);
        Assert.Null(empty.RunningTokenNumber);

        var entries = new List<QueueEntry>();
        for (var i = 0; i < 3; i++)
        {
            var share = await flow.ScanAsync(SyntheticPatients.All[4 + i], WireVersion.V3);
            await FlowHost.PhoneAsync(share);
            entries.Add(await flow.WaitForEntryAsync((await flow.EntryForAsync(share)).Id, e => e.Status == QueueEntryStatus.Waiting));
        }

        foreach (var entry in entries.Take(2))
        {
            Assert.Equal(Workflow.QueueActionOutcome.Done, (await flow.Queue.ClaimAsync(entry.Id, "op-1")).Outcome);
            Assert.Equal(Workflow.QueueActionOutcome.Done, (await flow.Queue.CompleteAsync(entry.Id, "op-1", "MRN-" + entry.TokenNumber)).Outcome);
        }

        Assert.Equal(Workflow.QueueActionOutcome.Done, (await flow.Queue.ClaimAsync(entries[2].Id, "op-1")).Outcome);

        var status = await flow.Gateway.RequestRunningTokenStatusAsync(FlowHost.HipId, "counter-1").WaitAsync(FlowHost.Wait);

        Assert.True(status.IsSuccess, $"{status.ErrorCode} {status.DeliveryError}");
        Assert.Equal(entries[2].TokenNumber.ToString(System.Globalization.CultureInfo.InvariantCulture), status.RunningTokenNumber);
        Assert.Equal(1, status.AverageTokenServiceTimeInMinutes); // measured in milliseconds here: rounded up to the minimum
        var running = await flow.Queue.GetRunningTokenAsync(FlowHost.HipId, "counter-1");
        Assert.Equal(2, running.ServedToday);
        Assert.Equal(entries[2].TokenNumber, running.TokenNumber);
    }
}

/// <summary>
/// On v3, X-HIP-ID must be the bridge service id: a host configured with the HFR facility id is told so by its health
/// check, while the simulator (like the sandbox) accepts its token request with 202 and never calls back.
/// </summary>
public sealed class BridgeServiceIdFlowTests(ITestOutputHelper output)
{
    [Fact]
    public async Task HfrIdConfigured_HealthCheckNamesTheServiceId_AndTheGatewayDropsTheCallback()
    {
        await using var flow = await FlowHost.StartAsync(new FlowHostOptions
        {
            Logs = new TestOutputLogs(output),
            WireVersion = WireVersion.V3,
            ConfigureSimulator = s => s.BridgeServiceIds.Add(FlowHost.HipId + "_1"),
            ConfigureBuilder = b => b.AddHealthChecks(),
        });

        var health = await flow.App.Services.GetRequiredService<HealthCheckService>()
            .CheckHealthAsync(r => r.Name == AbdmProfileShareHealthCheckBuilderExtensions.BridgeServicesCheckName);
        var check = health.Entries[AbdmProfileShareHealthCheckBuilderExtensions.BridgeServicesCheckName];
        Assert.Equal(HealthStatus.Unhealthy, check.Status);
        Assert.Contains($"did you mean its service id '{FlowHost.HipId}_1'", check.Description, StringComparison.Ordinal);

        var patient = SyntheticPatients.All[7];
        var entry = await flow.EntryForAsync(await flow.ScanAsync(patient, WireVersion.V3));
        var request = await flow.Gateway.Journal.WaitForAsync(e => e.Operation == GatewayOperation.GenerateToken, FlowHost.Wait);
        Assert.Equal(202, request.StatusCode);
        Assert.NotNull(request.Detail);
        Assert.Empty(flow.Gateway.Journal.Of(GatewayOperation.OnGenerateToken));
        Assert.Equal(LinkingState.AwaitingToken, (await flow.Queue.GetAsync(entry.Id))!.Linking.State);
    }
}

/// <summary>A gateway block survives a restart of the host: it is in the store (SQLite here), not in memory.</summary>
public sealed class LinkingBlockRestartFlowTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"abdm-block-{Guid.NewGuid():N}.db");

    [Fact]
    public async Task Blocked1027_BlockHoldsAfterTheHostRestarts_NoRequestSent()
    {
        var patient = SyntheticPatients.All[5];
        await using (var first = await StartAsync(s =>
        {
            s.LinkTokenRequestWindow = TimeSpan.FromMinutes(5);
            s.RefusalsBeforeBlock = 1;
        }))
        {
            first.Gateway.Faults.For(GatewayOperation.OnGenerateToken).Drop(times: 1);
            await first.EntryForAsync(await first.ScanAsync(patient, WireVersion.V3));
            await first.Gateway.Journal.WaitForAsync(e => e.Operation == GatewayOperation.GenerateToken && e.IsAccepted, FlowHost.Wait);
            var second = await first.EntryForAsync(await first.ScanAsync(patient, WireVersion.V3, counter: "counter-2"));
            var failed = await first.WaitForEntryAsync(second.Id, e => e.Linking.State == LinkingState.Failed, TimeSpan.FromSeconds(30));
            Assert.Equal("ABDM-1027", failed.Linking.ErrorCode);
        }

        // A new process on the same database, and a gateway that would now accept the request: nothing is sent.
        await using var restarted = await StartAsync(null);
        var again = await restarted.EntryForAsync(await restarted.ScanAsync(patient, WireVersion.V3, counter: "counter-3"));
        var blocked = await restarted.WaitForEntryAsync(again.Id, e => e.Linking.State == LinkingState.Failed);

        Assert.Equal("ABDM-1027", blocked.Linking.ErrorCode);
        Assert.Contains("blocked", blocked.Linking.ErrorMessage, StringComparison.Ordinal);
        Assert.Empty(restarted.Gateway.Journal.Of(GatewayOperation.GenerateToken));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _database, _database + "-wal", _database + "-shm" })
        {
            File.Delete(file);
        }
    }

    private Task<FlowHost> StartAsync(Action<GatewaySimulatorOptions>? simulator) => FlowHost.StartAsync(new FlowHostOptions
    {
        Logs = new TestOutputLogs(output),
        WireVersion = WireVersion.V3,
        ConfigureHost = o => o.Linking.RequestWindow = TimeSpan.FromSeconds(1),
        ConfigureSimulator = simulator,
        ConfigureBuilder = b => Abdm.ProfileShare.Sqlite.SqliteStoreBuilderExtensions.UseSqliteStore(b,
            new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = _database }.ToString()),
    });
}
