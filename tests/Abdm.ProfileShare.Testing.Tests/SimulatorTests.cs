using Abdm.ProfileShare.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Abdm.ProfileShare.Testing.Tests;

public sealed class SimulatorTests
{
    [Fact]
    public async Task StartAsync_InvalidOptions_ListsEveryProblem()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => AbdmGatewaySimulator.StartAsync(new GatewaySimulatorOptions { Port = -1, PathBase = "gateway/" }));

        Assert.Contains("ClientId", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ClientSecret", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Port", ex.Message, StringComparison.Ordinal);
        Assert.Contains("PathBase", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_FreePort_BaseUrlOnLoopbackUnderGateway()
    {
        await using var bed = await TestBed.StartAsync();

        Assert.Equal("127.0.0.1", bed.Gateway.BaseUrl.Host);
        Assert.NotEqual(0, bed.Gateway.BaseUrl.Port);
        Assert.Equal("/gateway", bed.Gateway.BaseUrl.AbsolutePath);
        Assert.Equal($"http://127.0.0.1:{bed.Gateway.BaseUrl.Port}/auth/realms/central-registry", bed.Gateway.Issuer);
    }

    [Fact]
    public async Task ScanAsync_ReplayedRequestId_SharesOneAcknowledgement()
    {
        await using var bed = await TestBed.StartAsync();
        var requestId = Guid.NewGuid();
        var scan = new SimulatedScan(TestBed.HipId, "c", SyntheticPatients.All[0]) { RequestId = requestId };

        var first = await bed.Gateway.ScanAsync(scan);
        var replay = await bed.Gateway.ScanAsync(scan);
        using var response = await bed.PostAsync(TestBed.OnSharePath(first), TestBed.OnShareBody(first));

        Assert.Equal(2, bed.Hip.CallsTo("/patients/profile/share").Count(c => (string?)c.Body["requestId"] == requestId.ToString()));
        Assert.Same(await first.Acknowledgement.WaitAsync(TestBed.Wait), await replay.Acknowledgement.WaitAsync(TestBed.Wait));
    }

    [Fact]
    public async Task DisposeAsync_PendingAcknowledgement_IsCanceled()
    {
        var bed = await TestBed.StartAsync();
        var (share, _) = await bed.ScanAsync();

        await bed.DisposeAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => share.Acknowledgement.WaitAsync(TestBed.Wait));
    }

    [Fact]
    public async Task Logs_FullFlowWithRejectionsAndMismatch_CarryNoPatientDataTokensOrSecrets()
    {
        var collector = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(collector)).SetMinimumLevel(LogLevel.Debug));
        await using var bed = await TestBed.StartAsync(o => o.LoggerFactory = loggerFactory);
        var patient = SyntheticPatients.All[1];
        bed.Gateway.Faults.For(GatewayOperation.OnInit).Delay(TimeSpan.FromMilliseconds(1), times: 1);

        var (share, call) = await bed.ScanAsync(1, WireVersion.V10);
        using var rejected = await bed.PostAsync(TestBed.OnSharePath(share), TestBed.OnShareBody(share), cmId: "abdm");
        using var accepted = await bed.PostAsync(TestBed.OnSharePath(share), TestBed.OnShareBody(share));
        var transactionId = await bed.TransactionAsync(patient);
        var mismatch = TestBed.ConfirmBody(transactionId, patient);
        mismatch["credential"]!["demographic"]!["name"] = "Wrong Name";
        using var mismatched = await bed.PostAsync("v0.5/users/auth/confirm", mismatch);
        using var confirmed = await bed.PostAsync("v0.5/users/auth/confirm", TestBed.ConfirmBody(transactionId, patient));
        var linkingToken = await bed.Gateway.Journal.WaitForLinkingTokenIssuedAsync(patient.HealthId, TestBed.Wait);
        using var wrongSecret = await bed.Http.PostAsync("v0.5/sessions", TestBed.Json(new System.Text.Json.Nodes.JsonObject { ["clientId"] = TestBed.ClientId, ["clientSecret"] = "sim-wrong-secret" }));

        var messages = collector.GetSnapshot().Select(r => r.Message + " " + string.Join(" ", r.StructuredState?.Select(s => s.Value) ?? [])).ToList();
        Assert.Contains(messages, m => m.Contains("Rejected", StringComparison.Ordinal));
        string[] secrets = [patient.Name, patient.HealthId, patient.Mobile!, patient.AbhaNumber!, TestBed.ClientSecret, "sim-wrong-secret", linkingToken, call.BearerToken, await bed.TokenAsync(), "Wrong Name"];
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(messages, m => m.Contains(secret, StringComparison.Ordinal));
        }
    }
}
