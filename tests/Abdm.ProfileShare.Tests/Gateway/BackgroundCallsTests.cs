using Abdm.ProfileShare.Gateway;
using Abdm.ProfileShare.Gateway.Internal;
using Abdm.ProfileShare.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Abdm.ProfileShare.Tests.Gateway;

/// <summary>The session and certs calls no caller owns end with the host: cancelled by StopAsync, which waits for them.</summary>
public sealed class BackgroundCallsTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task StopAsync_CallStillRunning_CancelsItAndReturnsOnceItEnded()
    {
        using var calls = new BackgroundCalls();
        var inner = new HangingHandler();
        using var invoker = new HttpMessageInvoker(new BackgroundCallHandler(calls) { InnerHandler = inner });
        var call = invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://gw.test/certs"), CancellationToken.None);
        await inner.Started.Task.WaitAsync(Wait);

        await calls.StopAsync(CancellationToken.None).WaitAsync(Wait);

        Assert.True(inner.Ended.Task.IsCompleted, "StopAsync returned before the call ended");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }

    [Fact]
    public async Task SendAsync_AfterStop_RefusedWithoutReachingThePipeline()
    {
        using var calls = new BackgroundCalls();
        await calls.StopAsync(CancellationToken.None);
        var inner = new HangingHandler();
        using var invoker = new HttpMessageInvoker(new BackgroundCallHandler(calls) { InnerHandler = inner });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://gw.test/certs"), CancellationToken.None).WaitAsync(Wait));
        Assert.False(inner.Started.Task.IsCompleted, "a call started after the stop reached the pipeline");
    }

    [Fact]
    public async Task SessionRequest_RunningWhenTheHostStops_EndsWithoutBeingReportedAsAnOutage()
    {
        var gateway = new FakeGateway();
        var requested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new TaskCompletionSource<HttpResponseMessage>();
        gateway.SessionResponder = (_, _) =>
        {
            requested.TrySetResult();
            return never.Task; // ends only by cancellation
        };
        await using var h = GatewayHarness.Create(gateway: gateway);
        using var waiter = new CancellationTokenSource();
        var token = h.Tokens.GetAccessTokenAsync(waiter.Token).AsTask();
        await requested.Task.WaitAsync(Wait);
        await waiter.CancelAsync(); // the caller stops waiting; the shared request runs on
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => token);

        await h.Services.GetRequiredService<BackgroundCalls>().StopAsync(CancellationToken.None).WaitAsync(Wait);

        Assert.DoesNotContain(h.Logs.GetSnapshot(), r => r.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
        Assert.Null(((GatewaySessionTokenProvider)h.Tokens).LastOutcome);
    }

    [Fact]
    public async Task SessionsAndCertsClients_AfterTheHostStopped_ReachNoGateway()
    {
        await using var h = V3GatewayHarness.Create();
        var session = await h.Tokens.GetAccessTokenAsync(); // cached: the certs call needs no new session
        await h.Services.GetRequiredService<BackgroundCalls>().StopAsync(CancellationToken.None);
        using var certs = h.Services.GetRequiredService<IHttpClientFactory>().CreateClient(GatewayEndpoints.CertsClientName);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => certs.GetAsync(new Uri(V3FakeGateway.Host + V3FakeGateway.Certs)).WaitAsync(Wait));
        h.Tokens.Invalidate(session);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => h.Tokens.GetAccessTokenAsync().AsTask().WaitAsync(Wait));

        Assert.Single(h.Gateway.RequestsTo(V3FakeGateway.Sessions)); // the one before the stop
        Assert.Empty(h.Gateway.RequestsTo(V3FakeGateway.Certs));
    }

    private sealed class HangingHandler : HttpMessageHandler
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
                return new HttpResponseMessage();
            }
            finally
            {
                Ended.TrySetResult();
            }
        }
    }
}
