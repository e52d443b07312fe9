using System.Net;
using Abdm.ProfileShare.Gateway;
using Abdm.ProfileShare.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Checks = Abdm.ProfileShare.AbdmProfileShareHealthCheckBuilderExtensions;

namespace Abdm.ProfileShare.Tests.Diagnostics;

public sealed class HealthCheckTests
{
    [Fact]
    public async Task AddHealthChecks_CalledTwice_RegistersTheFiveChecksOnceWithTheirTags()
    {
        var services = new ServiceCollection();
        var builder = services.AddAbdmProfileShare();
        builder.AddHealthChecks(o => o.Tags.Add("ready"));
        builder.AddHealthChecks();

        await using var provider = services.BuildServiceProvider();
        var registrations = provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations;

        Assert.Equal([Checks.StoreCheckName, Checks.OutboxCheckName, Checks.GatewaySessionCheckName, Checks.BridgeServicesCheckName, Checks.SigningKeysCheckName],
            registrations.Select(r => r.Name).ToArray());
        Assert.All(registrations, r => Assert.Equal(["abdm", "ready"], r.Tags.Order(StringComparer.Ordinal)));
        Assert.All(registrations, r => Assert.Equal(TimeSpan.FromSeconds(5), r.Timeout));
    }

    [Fact]
    public async Task StoreCheck_StoreDown_UnhealthyThenHealthyAgain()
    {
        await using var s = ObservabilityServices.Create();
        Assert.Equal(HealthStatus.Healthy, (await s.CheckAsync(Checks.StoreCheckName)).Status);

        s.Store.Down = true;
        var down = await s.CheckAsync(Checks.StoreCheckName);
        Assert.Equal(HealthStatus.Unhealthy, down.Status);
        Assert.Contains("unreachable", down.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("synthetic", down.Description, StringComparison.Ordinal); // the exception type, not its message

        s.Store.Down = false;
        Assert.Equal(HealthStatus.Healthy, (await s.CheckAsync(Checks.StoreCheckName)).Status);
    }

    [Fact]
    public async Task OutboxCheck_PendingItemOlderThanThreshold_UnhealthyThenHealthyOnceItCompletes()
    {
        await using var s = ObservabilityServices.Create();
        var accepted = await s.AcceptShareAsync();
        Assert.Equal(HealthStatus.Healthy, (await s.CheckAsync(Checks.OutboxCheckName)).Status);

        // The threshold is Linking:RequestWindow (7 min) + 1 min: a throttled token request legitimately waits that long.
        s.Time.Advance(TimeSpan.FromMinutes(7));
        Assert.Equal(HealthStatus.Healthy, (await s.CheckAsync(Checks.OutboxCheckName)).Status);

        s.Time.Advance(TimeSpan.FromMinutes(2));
        var stuck = await s.CheckAsync(Checks.OutboxCheckName);
        Assert.Equal(HealthStatus.Unhealthy, stuck.Status);
        Assert.Equal(1, stuck.Data["pending"]);
        Assert.Equal(540d, stuck.Data["oldest_pending_age_seconds"]);
        Assert.Equal(480d, stuck.Data["threshold_seconds"]);

        var leased = Assert.Single(await s.Store.LeaseOutboxItemsAsync("test", s.Time.GetUtcNow(), TimeSpan.FromMinutes(1), 10));
        Assert.Equal(accepted.Entry.Id, leased.EntryId);
        await s.Store.CompleteOutboxItemAsync(leased.Id);
        var recovered = await s.CheckAsync(Checks.OutboxCheckName);
        Assert.Equal(HealthStatus.Healthy, recovered.Status);
        Assert.Equal(0, recovered.Data["pending"]);
    }

    [Fact]
    public async Task OutboxCheck_ThresholdBelowCallbackTimeout_WaitsForTheTimerToBeOverdue()
    {
        await using var s = ObservabilityServices.Create(o => o.Linking.CallbackTimeout = TimeSpan.FromMinutes(10), h => h.OutboxStuckThreshold = TimeSpan.FromMinutes(1));
        await s.AcceptShareAsync();

        s.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(HealthStatus.Healthy, (await s.CheckAsync(Checks.OutboxCheckName)).Status);

        s.Time.Advance(TimeSpan.FromMinutes(1.5));
        Assert.Equal(HealthStatus.Unhealthy, (await s.CheckAsync(Checks.OutboxCheckName)).Status);
    }

    [Fact]
    public async Task OutboxCheck_StoreDown_Unhealthy()
    {
        await using var s = ObservabilityServices.Create();
        s.Store.Down = true;

        Assert.Equal(HealthStatus.Unhealthy, (await s.CheckAsync(Checks.OutboxCheckName)).Status);
    }

    [Fact]
    public async Task SessionCheck_CredentialsRefusedThenUnreachableThenAccepted_UnhealthyDegradedHealthy_WithoutCallingTheGateway()
    {
        await using var s = ObservabilityServices.Create();
        var tokens = s.Services.GetRequiredService<IGatewaySessionTokenProvider>();
        var before = await s.CheckAsync(Checks.GatewaySessionCheckName);
        Assert.Equal(HealthStatus.Healthy, before.Status);
        Assert.Equal(0, s.Gateway.CallsTo("/v0.5/sessions"));

        s.Gateway.SessionResponder = (_, _) => Task.FromResult(FakeGateway.Response(HttpStatusCode.Unauthorized, """{"error":{"code":1000,"message":"Invalid client secret"}}"""));
        await Assert.ThrowsAsync<AbdmGatewayException>(() => tokens.GetAccessTokenAsync().AsTask());
        var refused = await s.CheckAsync(Checks.GatewaySessionCheckName);
        Assert.Equal(HealthStatus.Unhealthy, refused.Status);
        Assert.Contains("refused the client credentials", refused.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(GatewayHarness.ClientSecret, refused.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Unhealthy, (await s.CheckAsync(Checks.GatewaySessionCheckName)).Status);
        Assert.Equal(1, s.Gateway.CallsTo("/v0.5/sessions")); // probes never call the gateway

        s.Gateway.SessionResponder = (_, _) => Task.FromResult(FakeGateway.Response(HttpStatusCode.ServiceUnavailable));
        await Assert.ThrowsAsync<AbdmGatewayException>(() => tokens.GetAccessTokenAsync().AsTask());
        Assert.Equal(HealthStatus.Degraded, (await s.CheckAsync(Checks.GatewaySessionCheckName)).Status);

        s.Gateway.SessionResponder = (call, _) => Task.FromResult(s.Gateway.SessionOk(call));
        await tokens.GetAccessTokenAsync();
        Assert.Equal(HealthStatus.Healthy, (await s.CheckAsync(Checks.GatewaySessionCheckName)).Status);
        Assert.Equal(3, s.Gateway.CallsTo("/v0.5/sessions"));
    }

    [Fact]
    public async Task SigningKeysCheck_CallbacksNotMapped_Healthy()
    {
        await using var s = ObservabilityServices.Create();

        var entry = await s.CheckAsync(Checks.SigningKeysCheckName);

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Contains("not mapped", entry.Description, StringComparison.Ordinal);
    }
}
