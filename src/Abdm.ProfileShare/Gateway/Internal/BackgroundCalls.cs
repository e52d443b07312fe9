using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;

namespace Abdm.ProfileShare.Gateway.Internal;

/// <summary>
/// The gateway calls no caller owns: the shared session-token request and the signing-keys fetch run on after the
/// caller that started them stops waiting (single flight). Through <see cref="BackgroundCallHandler"/> (the outermost
/// handler of the sessions and certs clients) each is cancelled when the host stops, <see cref="StopAsync"/> waits
/// until none is running, and none starts after it. The clients' resilience pipelines are disposed with the container
/// and wait for executions still running then (up to Polly's timeout, on the app's <see cref="TimeProvider"/>): a call
/// left running delayed the shutdown, and under a test's fake clock stopped it for good.
/// </summary>
internal sealed class BackgroundCalls : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<TaskCompletionSource, byte> _running = new();

    public BackgroundCalls() => Stopping = _stopping.Token;

    /// <summary>Cancelled when the host stops.</summary>
    public CancellationToken Stopping { get; }

    /// <summary>
    /// Runs <paramref name="call"/> with a token the host's stop also cancels, or, once the host has stopped, throws
    /// <see cref="OperationCanceledException"/> without running it. A call is registered before that check, so
    /// <see cref="StopAsync"/> either waits for it or it sees the stop.
    /// </summary>
    public async Task<T> RunAsync<T, TState>(Func<TState, CancellationToken, Task<T>> call, TState state, CancellationToken cancellationToken)
    {
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _running.TryAdd(running, 0);
        try
        {
            Stopping.ThrowIfCancellationRequested();
            using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, Stopping);
            return await call(state, either.Token).ConfigureAwait(false);
        }
        finally
        {
            _running.TryRemove(running, out _);
            running.SetResult();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Cancels the calls still running and waits for them to end (or for the host's shutdown timeout).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_running.Keys.Select(r => r.Task)).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose() => _stopping.Dispose();
}

/// <summary>Runs each request of the sessions or certs client as one of the <see cref="BackgroundCalls"/>.</summary>
internal sealed class BackgroundCallHandler(BackgroundCalls calls) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        calls.RunAsync(static (s, token) => s.Handler.SendInnerAsync(s.Request, token), (Handler: this, Request: request), cancellationToken);

    private Task<HttpResponseMessage> SendInnerAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);
}
