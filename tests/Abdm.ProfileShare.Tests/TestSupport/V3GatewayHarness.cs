using Abdm.ProfileShare.Gateway.Internal;
using Abdm.ProfileShare.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Abdm.ProfileShare.Tests.TestSupport;

/// <summary>
/// The v3 gateway harness: <see cref="GatewayHarnessBase"/> on <see cref="WireVersion.V3"/> with base URL
/// <see cref="V3FakeGateway.Host"/>, and the gateway, sessions and certs clients answered by a <see cref="V3FakeGateway"/>.
/// </summary>
internal sealed class V3GatewayHarness : GatewayHarnessBase
{
    /// <summary>The spec's TIMESTAMP example instant, <c>2022-10-06T15:10:00.587Z</c>.</summary>
    public static readonly DateTimeOffset Start = new(2022, 10, 6, 15, 10, 0, 587, TimeSpan.Zero);

    private V3GatewayHarness(V3FakeGateway gateway, FakeTimeProvider? time, ServiceProvider services)
        : base(time, services) => Gateway = gateway;

    public V3FakeGateway Gateway { get; }

    /// <summary>The client the callback authentication fetches the JWKS with.</summary>
    public HttpClient CertsHttpClient => Services.GetRequiredService<IHttpClientFactory>().CreateClient(GatewayEndpoints.CertsClientName);

    public static V3GatewayHarness Create(Action<AbdmProfileShareOptions>? configure = null, bool fakeTime = true)
    {
        var gateway = new V3FakeGateway();
        var time = fakeTime ? new FakeTimeProvider(Start) : null;
        var services = BuildServices(gateway, time, options =>
        {
            options.WireVersion = WireVersion.V3;
            options.Gateway.BaseUrl = new Uri(V3FakeGateway.Host);
        }, configure, certs: true);
        return new V3GatewayHarness(gateway, time, services);
    }
}
