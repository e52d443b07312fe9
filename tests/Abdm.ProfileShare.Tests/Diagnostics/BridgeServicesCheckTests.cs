using System.Net;
using Abdm.ProfileShare.Diagnostics.Internal;
using Abdm.ProfileShare.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Tests.Diagnostics;

/// <summary>
/// On v3, X-HIP-ID is the bridge service id: the check lists the bridge's services and reports a configured HIP id that is
/// not one of them, suggesting the service id when the HFR facility id was configured.
/// </summary>
public sealed class BridgeServicesCheckTests
{
    private const string BridgeServices = "/api/hiecm/gateway/v3/bridge-services";

    private static string Listing(params string[] ids) =>
        $$"""{"bridge":{"id":"test-bridge","name":"Test bridge","active":true},"services":[{{string.Join(",", ids.Select(id => $$"""{"id":"{{id}}","name":"Test service","types":["HIP"],"active":true}"""))}}]}""";

    [Fact]
    public async Task ConfiguredIdIsAService_Healthy_AndTheListingIsCached()
    {
        await using var h = V3GatewayHarness.Create(o => { o.HipIds.Clear(); o.HipIds.Add("IN9910000001_1"); });
        h.Gateway.On(BridgeServices, (HttpStatusCode.OK, Listing("IN9910000001_1", "IN9910000001_2")));
        using var check = Check(h);

        var result = await HealthOf(check);
        await HealthOf(check);

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal(2, result.Data["services"]);
        var call = Assert.Single(h.Gateway.RequestsTo(BridgeServices));
        Assert.Equal(HttpMethod.Get, call.Method);
        Assert.StartsWith("Bearer ", call.Header("Authorization"), StringComparison.Ordinal);
        Assert.NotNull(call.Header("REQUEST-ID"));
    }

    [Fact]
    public async Task HfrIdConfigured_FailsNamingTheKeyAndSuggestingTheServiceId()
    {
        await using var h = V3GatewayHarness.Create(o => { o.HipIds.Clear(); o.HipIds.Add("IN9910000001"); });
        h.Gateway.On(BridgeServices, (HttpStatusCode.OK, Listing("IN9910000001_1")));
        using var check = Check(h);

        var result = await HealthOf(check);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("'IN9910000001' is not a service of this bridge", result.Description, StringComparison.Ordinal);
        Assert.Contains("did you mean its service id 'IN9910000001_1'", result.Description, StringComparison.Ordinal);
        Assert.Contains("AbdmProfileShare:HipIds", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownIdWithoutALookalike_FailsWithoutASuggestion()
    {
        await using var h = V3GatewayHarness.Create(o => { o.HipIds.Clear(); o.HipIds.Add("IN9910000002_1"); });
        h.Gateway.On(BridgeServices, (HttpStatusCode.OK, Listing("IN9910000001_1")));
        using var check = Check(h);

        var result = await HealthOf(check);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.DoesNotContain("did you mean", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GatewayDoesNotAnswerTheListing_Degraded()
    {
        await using var h = V3GatewayHarness.Create(o => o.Resilience.MaxRetryAttempts = 0);
        h.Gateway.On(BridgeServices, (HttpStatusCode.BadGateway, null));
        using var check = Check(h);

        var result = await HealthOf(check);

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Contains("HTTP 502", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task V05_HealthyWithoutAnyCall()
    {
        await using var h = GatewayHarness.Create();
        using var check = new BridgeServiceCheck(h.Services, h.Services.GetRequiredService<IOptionsMonitor<AbdmProfileShareOptions>>(), TimeProvider.System);

        var result = await HealthOf(check);

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal(0, h.Gateway.CallsTo("/v0.5/bridge-services") + h.Gateway.CallsTo(BridgeServices));
    }

    private static BridgeServiceCheck Check(V3GatewayHarness h) =>
        new(h.Services, h.Services.GetRequiredService<IOptionsMonitor<AbdmProfileShareOptions>>(), (TimeProvider?)h.Time ?? TimeProvider.System);

    private static Task<HealthCheckResult> HealthOf(BridgeServiceCheck check) =>
        new BridgeServicesHealthCheck(check).CheckHealthAsync(new HealthCheckContext
        {
            Registration = new HealthCheckRegistration(AbdmProfileShareHealthCheckBuilderExtensions.BridgeServicesCheckName, _ => null!, HealthStatus.Unhealthy, []),
        });
}
