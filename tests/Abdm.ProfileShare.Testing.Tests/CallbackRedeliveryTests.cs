using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;

namespace Abdm.ProfileShare.Testing.Tests;

/// <summary>A callback the HIP did not accept is delivered once more, later, with the same bearer token.</summary>
public sealed class CallbackRedeliveryTests
{
    private const string CallbackPath = "/api/v3/hip/token/on-generate-token";

    private static async Task<(TestBed Bed, FakeTimeProvider Time)> StartAsync(Action<GatewaySimulatorOptions>? configure = null)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var bed = await TestBed.StartAsync(o =>
        {
            o.TimeProvider = time;
            configure?.Invoke(o);
        });
        return (bed, time);
    }

    [Fact]
    public async Task OnGenerateToken_HipAnswers500_RedeliveredOnceAfterTheDelayWithTheSameTokenAndMessage()
    {
        var (bed, time) = await StartAsync();
        await using var _ = bed;
        bed.Hip.StatusCode = 500;
        var request = TestBed.GenerateToken(TestBed.GenerateTokenBody(SyntheticPatients.All[0]));
        using (var response = await bed.SendV3Async(request))
        {
            Assert.Equal(202, (int)response.StatusCode);
        }

        var first = await bed.Gateway.Journal.WaitForAsync(e => e.Operation == GatewayOperation.OnGenerateToken && e.StatusCode == 500, TestBed.Wait);
        Assert.False(first.IsRedelivery);
        bed.Hip.StatusCode = 200;
        time.Advance(TimeSpan.FromMinutes(16) - TimeSpan.FromSeconds(1));
        Assert.Single(bed.Hip.CallsTo(CallbackPath));

        time.Advance(TimeSpan.FromSeconds(1));
        var again = await bed.Gateway.Journal.WaitForAsync(e => e.Operation == GatewayOperation.OnGenerateToken && e.IsRedelivery, TestBed.Wait);

        Assert.Equal(200, again.StatusCode);
        Assert.Equal(first.RequestId, again.RequestId);
        var calls = bed.Hip.CallsTo(CallbackPath);
        Assert.Equal(2, calls.Count);
        Assert.Equal(calls[0].Headers["Authorization"], calls[1].Headers["Authorization"]);
        Assert.Equal(calls[0].Headers["REQUEST-ID"], calls[1].Headers["REQUEST-ID"]);
        Assert.Equal(calls[0].Headers["TIMESTAMP"], calls[1].Headers["TIMESTAMP"]);
        Assert.Equal(calls[0].Text, calls[1].Text);

        // Sixteen minutes after the first delivery, on the simulator clock.
        Assert.Equal(time.GetUtcNow() - TimeSpan.FromMinutes(16), first.Time);
    }

    [Fact]
    public async Task OnGenerateToken_RedeliveryAlsoRefused_NotSentAThirdTime()
    {
        var (bed, time) = await StartAsync(o => o.CallbackRedeliveryDelay = TimeSpan.FromMinutes(1));
        await using var _ = bed;
        bed.Hip.StatusCode = 503;
        using (var response = await bed.SendV3Async(TestBed.GenerateToken(TestBed.GenerateTokenBody(SyntheticPatients.All[0]))))
        {
            Assert.Equal(202, (int)response.StatusCode);
        }

        await bed.Gateway.Journal.WaitForAsync(e => e.Operation == GatewayOperation.OnGenerateToken && e.StatusCode == 503, TestBed.Wait);
        time.Advance(TimeSpan.FromMinutes(1));
        await bed.Gateway.Journal.WaitForAsync(e => e.Operation == GatewayOperation.OnGenerateToken && e.IsRedelivery, TestBed.Wait);
        time.Advance(TimeSpan.FromMinutes(1));

        // A later callback is journaled after anything the advance could have started.
        bed.Hip.StatusCode = 200;
        using (var response = await bed.SendV3Async(TestBed.GenerateToken(TestBed.GenerateTokenBody(SyntheticPatients.All[1]))))
        {
            Assert.Equal(202, (int)response.StatusCode);
        }

        await bed.Gateway.Journal.WaitForLinkTokenIssuedAsync(SyntheticPatients.All[1].HealthId, TestBed.Wait);
        Assert.Equal(2, bed.Gateway.Journal.Of(GatewayOperation.OnGenerateToken).Count(e => e.HealthId == SyntheticPatients.All[0].HealthId));
    }

    [Fact]
    public async Task OnInit_HipUnreachable_RedeliveryAttempted()
    {
        var (bed, time) = await StartAsync(o => o.CallbackRedeliveryDelay = TimeSpan.FromMinutes(2));
        await using var _ = bed;
        bed.Gateway.RegisterHip(TestBed.HipId, new Uri($"http://127.0.0.1:{ClosedPort()}/hip"));
        using (var response = await bed.PostAsync("v0.5/users/auth/init", TestBed.InitBody(SyntheticPatients.All[0].HealthId)))
        {
            Assert.Equal(202, (int)response.StatusCode);
        }

        var first = await bed.Gateway.Journal.WaitForAsync(e => e.Operation == GatewayOperation.OnInit, TestBed.Wait);
        Assert.Null(first.StatusCode);
        time.Advance(TimeSpan.FromMinutes(2));

        var again = await bed.Gateway.Journal.WaitForAsync(e => e.Operation == GatewayOperation.OnInit && e.IsRedelivery, TestBed.Wait);
        Assert.Equal(first.RequestId, again.RequestId);
        Assert.Null(again.StatusCode);
    }

    [Fact]
    public async Task OnGenerateToken_RedeliveryOff_NotRedelivered()
    {
        var (bed, time) = await StartAsync(o => o.RedeliverCallbacks = false);
        await using var _ = bed;
        bed.Hip.StatusCode = 500;
        using (var response = await bed.SendV3Async(TestBed.GenerateToken(TestBed.GenerateTokenBody(SyntheticPatients.All[0]))))
        {
            Assert.Equal(202, (int)response.StatusCode);
        }

        await bed.Gateway.Journal.WaitForAsync(e => e.Operation == GatewayOperation.OnGenerateToken && e.StatusCode == 500, TestBed.Wait);
        time.Advance(TimeSpan.FromMinutes(16));
        bed.Hip.StatusCode = 200;
        using (var response = await bed.SendV3Async(TestBed.GenerateToken(TestBed.GenerateTokenBody(SyntheticPatients.All[1]))))
        {
            Assert.Equal(202, (int)response.StatusCode);
        }

        await bed.Gateway.Journal.WaitForLinkTokenIssuedAsync(SyntheticPatients.All[1].HealthId, TestBed.Wait);
        Assert.DoesNotContain(bed.Gateway.Journal.Entries, e => e.IsRedelivery);
        Assert.Single(bed.Gateway.Journal.Of(GatewayOperation.OnGenerateToken), e => e.HealthId == SyntheticPatients.All[0].HealthId);
    }

    [Fact]
    public async Task Share_HipAnswers500_NotRedelivered()
    {
        var (bed, time) = await StartAsync();
        await using var _ = bed;
        bed.Hip.StatusCode = 500;
        var share = await bed.Gateway.ScanAsync(new SimulatedScan(TestBed.HipId, "c1", SyntheticPatients.All[0], Model.WireVersion.V3));
        Assert.Equal(500, share.HipStatusCode);
        time.Advance(TimeSpan.FromMinutes(16));

        bed.Hip.StatusCode = 200;
        using (var response = await bed.SendV3Async(TestBed.GenerateToken(TestBed.GenerateTokenBody(SyntheticPatients.All[1]))))
        {
            Assert.Equal(202, (int)response.StatusCode);
        }

        await bed.Gateway.Journal.WaitForLinkTokenIssuedAsync(SyntheticPatients.All[1].HealthId, TestBed.Wait);
        Assert.Single(bed.Gateway.Journal.Of(GatewayOperation.Share));
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
