using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Abdm.ProfileShare.Tests.TestSupport;

/// <summary>The v0.5 gateway harness: <see cref="GatewayHarnessBase"/> with a <see cref="FakeGateway"/> at <see cref="FakeGateway.BaseUrl"/>.</summary>
internal sealed class GatewayHarness : GatewayHarnessBase
{
    /// <summary>The seed's on-share timestamp, <c>2022-05-11T04:58:00.037Z</c>.</summary>
    public static readonly DateTimeOffset Start = new(2022, 5, 11, 4, 58, 0, 37, TimeSpan.Zero);

    private GatewayHarness(FakeGateway gateway, FakeTimeProvider? time, ServiceProvider services)
        : base(time, services) => Gateway = gateway;

    public FakeGateway Gateway { get; }

    /// <summary>Builds the harness.</summary>
    /// <param name="configure">Further options (after valid defaults and a 1 ms retry delay).</param>
    /// <param name="fakeTime">Register a <see cref="FakeTimeProvider"/> at <see cref="Start"/> as the TimeProvider.</param>
    /// <param name="gateway">The scripted gateway (a fresh one by default).</param>
    public static GatewayHarness Create(Action<AbdmProfileShareOptions>? configure = null, bool fakeTime = true, FakeGateway? gateway = null)
    {
        gateway ??= new FakeGateway();
        var time = fakeTime ? new FakeTimeProvider(Start) : null;
        var services = BuildServices(gateway.Handler, time, options => options.Gateway.BaseUrl = new Uri(FakeGateway.BaseUrl), configure, certs: false);
        return new GatewayHarness(gateway, time, services);
    }
}
