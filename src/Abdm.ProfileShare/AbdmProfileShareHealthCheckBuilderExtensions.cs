using Abdm.ProfileShare.Diagnostics.Internal;
using Abdm.ProfileShare.Gateway;
using Abdm.ProfileShare.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare;

/// <summary>Adds Abdm.ProfileShare's health checks to the host's health checks.</summary>
public static class AbdmProfileShareHealthCheckBuilderExtensions
{
    /// <summary>The store check's name: the store answers a ping.</summary>
    public const string StoreCheckName = "abdm_store";

    /// <summary>The outbox check's name: no pending item is older than the stuck threshold.</summary>
    public const string OutboxCheckName = "abdm_outbox";

    /// <summary>The session check's name: the latest gateway session request succeeded.</summary>
    public const string GatewaySessionCheckName = "abdm_gateway_session";

    /// <summary>
    /// The JWKS check's name: the gateway's signing keys used to verify callbacks are usable. The callback transport
    /// that verifies callbacks with them (<c>Abdm.ProfileShare.AspNetCore</c>) reports through the registration of this
    /// name: it points the registration's factory at its key cache when it creates its authenticator.
    /// </summary>
    public const string SigningKeysCheckName = "abdm_jwks";

    /// <summary>
    /// The name of the check that compares <c>AbdmProfileShare:HipIds</c> with the bridge's services on v3
    /// (<c>GET /api/hiecm/gateway/v3/bridge-services</c>): failing when a configured id is not a service id (the gateway
    /// would accept calls with it and never call back), degraded when the listing cannot be read, healthy on v0.5/v1.0.
    /// Registering the checks also logs the same finding once after start (events 1020/1021).
    /// </summary>
    public const string BridgeServicesCheckName = "abdm_bridge_services";

    /// <summary>
    /// Registers the health checks (with <c>services.AddHealthChecks()</c>): <c>abdm_store</c> (the store answers
    /// <see cref="IProfileShareStore.PingAsync"/>), <c>abdm_outbox</c> (no pending outbox item older than
    /// <see cref="AbdmProfileShareHealthCheckOptions.OutboxStuckThreshold"/>), <c>abdm_gateway_session</c> (the latest
    /// session request's outcome: unhealthy when the gateway refused the credentials, degraded while it is unreachable;
    /// no gateway call per probe) and <c>abdm_jwks</c> (the callback signing keys: unhealthy when none is usable and
    /// the latest fetch failed, degraded when stale keys are used; no fetch per probe; healthy when no callback is
    /// verified with them in this process). Map them with
    /// <c>app.MapHealthChecks(...)</c>.
    /// </summary>
    /// <remarks>Only the first call registers the checks; later calls change nothing.</remarks>
    /// <param name="builder">The builder from <c>AddAbdmProfileShare</c>.</param>
    /// <param name="configure">Sets the stuck threshold, the timeout and the tags.</param>
    /// <returns>The builder.</returns>
    public static AbdmProfileShareBuilder AddHealthChecks(this AbdmProfileShareBuilder builder, Action<AbdmProfileShareHealthCheckOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var checks = services.AddHealthChecks();
        if (services.Any(d => d.ServiceType == typeof(HealthChecksMarker)))
        {
            return builder;
        }

        services.AddSingleton<HealthChecksMarker>();
        var options = new AbdmProfileShareHealthCheckOptions();
        configure?.Invoke(options);
        var tags = options.Tags.ToArray();

        checks.Add(new HealthCheckRegistration(StoreCheckName,
            sp => new StoreHealthCheck(sp.GetRequiredService<IProfileShareStore>()), HealthStatus.Unhealthy, tags, options.Timeout));
        checks.Add(new HealthCheckRegistration(OutboxCheckName,
            sp => new OutboxHealthCheck(sp.GetRequiredService<IProfileShareStore>(), sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<IOptionsMonitor<AbdmProfileShareOptions>>(), options), HealthStatus.Unhealthy, tags, options.Timeout));
        checks.Add(new HealthCheckRegistration(GatewaySessionCheckName,
            sp => new GatewaySessionHealthCheck(sp.GetRequiredService<IGatewaySessionTokenProvider>(), sp.GetRequiredService<TimeProvider>()),
            HealthStatus.Unhealthy, tags, options.Timeout));
        // With the checks, the bridge-services check also runs once after start and logs what it found (v3 only).
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, BridgeServiceStartupLog>());
        checks.Add(new HealthCheckRegistration(BridgeServicesCheckName,
            sp => new BridgeServicesHealthCheck(sp.GetRequiredService<BridgeServiceCheck>()), HealthStatus.Unhealthy, tags, options.Timeout));
        checks.Add(new HealthCheckRegistration(SigningKeysCheckName,
            _ => new SigningKeysHealthCheck(), HealthStatus.Unhealthy, tags, options.Timeout));
        return builder;
    }

    private sealed class HealthChecksMarker;
}
