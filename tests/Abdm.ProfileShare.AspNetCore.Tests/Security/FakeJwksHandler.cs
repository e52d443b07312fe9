using System.Net;
using System.Text;

namespace Abdm.ProfileShare.AspNetCore.Tests.Security;

/// <summary>The gateway's JWKS endpoint, as the primary handler of the certs HttpClient: counts fetches, can be down or held.</summary>
internal sealed class FakeJwksHandler : HttpMessageHandler
{
    private int _fetches;
    private volatile string _jwks;
    private volatile TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FakeJwksHandler(string jwks) => _jwks = jwks;

    public int Fetches => Volatile.Read(ref _fetches);

    public Uri? LastRequestUri { get; private set; }

    /// <summary>When set, the endpoint answers with this status and no keys.</summary>
    public HttpStatusCode? FailWith { get; set; }

    /// <summary>When true, the connection fails (HttpRequestException).</summary>
    public bool Down { get; set; }

    /// <summary>When set, each fetch waits for it (to hold a fetch in flight).</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Completes when the next fetch arrives.</summary>
    public Task FetchArrived => _arrived.Task;

    public void Serve(string jwks) => _jwks = jwks;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _fetches);
        LastRequestUri = request.RequestUri;
        var arrived = _arrived;
        _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        arrived.TrySetResult();
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        }

        if (Down)
        {
            throw new HttpRequestException("synthetic: JWKS endpoint unreachable");
        }

        if (FailWith is { } status)
        {
            return new HttpResponseMessage(status) { Content = new StringContent("{\"error\":{\"code\":500}}", Encoding.UTF8, "application/json") };
        }

        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(_jwks, Encoding.UTF8, "application/json") };
    }
}
