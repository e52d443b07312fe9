namespace Abdm.ProfileShare.TestHost;

/// <summary>
/// Names this instance on every gateway call (<c>X-Test-Instance</c>). The simulator journals request headers, so a
/// test can tell which instance made an auth init or confirm and deliver its callback to the other one.
/// </summary>
internal sealed class InstanceHeaderHandler(string instance) : DelegatingHandler
{
    public const string HeaderName = "X-Test-Instance";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Remove(HeaderName);
        request.Headers.TryAddWithoutValidation(HeaderName, instance);
        return base.SendAsync(request, cancellationToken);
    }
}
