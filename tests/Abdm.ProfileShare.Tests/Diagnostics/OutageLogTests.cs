using System.Net;
using Abdm.ProfileShare.Gateway;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Tests.TestSupport;
using Abdm.ProfileShare.Workflow.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Abdm.ProfileShare.Tests.Diagnostics;

/// <summary>An outage is one error when it starts and one information when it ends, not an error per failed attempt.</summary>
public sealed class OutageLogTests
{
    private const int Failures = 5;

    public static TheoryData<string> FailureKinds => ["http-503", "connection-refused"];

    [Theory]
    [MemberData(nameof(FailureKinds))]
    public async Task GatewayClient_NFailedCallsThenASuccess_OneErrorAndOneRecoveryInformation(string kind)
    {
        await using var h = GatewayHarness.Create(o => o.Resilience.MaxRetryAttempts = 0);
        var failure = kind == "http-503"
            ? FakeGateway.Answer(HttpStatusCode.ServiceUnavailable, """{"error":{"code":2500,"message":"Downstream system is down"}}""")
            : FakeGateway.Throw(new HttpRequestException("synthetic: connection refused"));
        h.Gateway.On("/v0.5/patients/profile/on-share", [.. Enumerable.Repeat(failure, Failures), FakeGateway.Answer(HttpStatusCode.Accepted)]);

        for (var i = 0; i < Failures; i++)
        {
            var ex = await Assert.ThrowsAsync<AbdmGatewayException>(() => h.Client.SendShareAcknowledgementAsync(Acknowledgement()));
            Assert.True(ex.IsTransient);
        }

        await h.Client.SendShareAcknowledgementAsync(Acknowledgement());

        var logs = h.Logs.GetSnapshot();
        var error = Assert.Single(logs, l => l.Level >= LogLevel.Error);
        Assert.Equal(1100, error.Id.Id);
        Assert.Contains("ABDM gateway", error.Message, StringComparison.Ordinal);
        var recovery = Assert.Single(logs, l => l.Id.Id == 1101);
        Assert.Equal(LogLevel.Information, recovery.Level);
        Assert.Contains($"{Failures} failed attempt(s)", recovery.Message, StringComparison.Ordinal);
        Assert.Equal(Failures - 1, logs.Count(l => l.Id.Id == 1102 && l.Level == LogLevel.Debug));
        Assert.DoesNotContain(logs, l => l.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task SessionProvider_CredentialsRefusedNTimesThenAccepted_OneErrorAndOneRecoveryInformation()
    {
        await using var h = GatewayHarness.Create();
        h.Gateway.SessionResponder = (call, _) => Task.FromResult(call <= Failures
            ? FakeGateway.Response(HttpStatusCode.Unauthorized, """{"error":{"code":1000,"message":"Invalid client secret"}}""")
            : h.Gateway.SessionOk(call));

        for (var i = 0; i < Failures; i++)
        {
            await Assert.ThrowsAsync<AbdmGatewayException>(() => h.Tokens.GetAccessTokenAsync().AsTask());
        }

        await h.Tokens.GetAccessTokenAsync();

        var logs = h.Logs.GetSnapshot();
        var error = Assert.Single(logs, l => l.Level >= LogLevel.Error);
        Assert.Equal(1100, error.Id.Id);
        Assert.Contains("refused the client credentials", error.Message, StringComparison.Ordinal);
        Assert.Single(logs, l => l.Id.Id == 1101 && l.Level == LogLevel.Information);
    }

    [Fact]
    public async Task OutboxProcessor_StoreDownForSeveralPumps_OneErrorThenOneRecoveryInformation()
    {
        var recovered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var s = ObservabilityServices.Create(logs: o => o.OutputSink = line =>
        {
            if (line.Contains("recovered", StringComparison.Ordinal))
            {
                recovered.TrySetResult();
            }
        });
        var processor = s.Services.GetServices<IHostedService>().OfType<OutboxProcessor>().Single();
        var signal = s.Services.GetRequiredService<OutboxSignal>();
        await processor.StartAsync(CancellationToken.None);
        try
        {
            s.Store.Down = true;
            for (var i = 1; i <= Failures; i++)
            {
                signal.Notify();
                await s.Store.WaitForFailuresAsync(i);
            }

            s.Store.Down = false;
            signal.Notify();
            await recovered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            await processor.StopAsync(CancellationToken.None);
        }

        var logs = s.Logs.GetSnapshot();
        var error = Assert.Single(logs, l => l.Level >= LogLevel.Error);
        Assert.Equal(1100, error.Id.Id);
        Assert.Contains("store", error.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(error.Exception);
        var recovery = Assert.Single(logs, l => l.Id.Id == 1101);
        Assert.Equal(LogLevel.Information, recovery.Level);
        Assert.True(logs.Count(l => l.Id.Id == 1102) >= Failures - 1);
    }

    private static ShareAcknowledgement Acknowledgement() => new()
    {
        RequestId = Guid.NewGuid(), ShareRequestId = Guid.NewGuid(), HealthId = "synthetic.patient@sbx", WireVersion = WireVersion.V05, Success = true,
    };
}
