using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.AspNetCore.Security.Internal;

/// <summary>
/// The <c>abdm_jwks</c> health check (<see cref="AbdmProfileShareHealthCheckBuilderExtensions.SigningKeysCheckName"/>)
/// while the default gateway-JWT authentication verifies callbacks: the state of its signing-key cache, from what the
/// cache knows (no fetch per probe). An unhealthy state takes the registration's failure status.
/// </summary>
/// <remarks>
/// The core's <c>AddHealthChecks()</c> registers the check (with the app's tags and timeout) reporting that no keys are
/// used; <see cref="Attach"/> points that registration at the cache when the authenticator is created (the cache lives
/// as long as the mapped endpoints, not in the container).
/// </remarks>
internal sealed class GatewaySigningKeysHealthCheck(GatewaySigningKeyCache keys) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var result = keys.GetHealth();
        return Task.FromResult(result.Status == HealthStatus.Unhealthy && context.Registration.FailureStatus != HealthStatus.Unhealthy
            ? new HealthCheckResult(context.Registration.FailureStatus, result.Description, result.Exception, result.Data)
            : result);
    }

    /// <summary>
    /// Makes the <c>abdm_jwks</c> registration, when the app added the health checks, report <paramref name="keys"/>. The
    /// health check service reads its registrations on every run, so this takes effect from the next probe; the latest
    /// cache created wins (one per mapping, as the endpoints).
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="keys">The cache the authenticator verifies callbacks with.</param>
    public static void Attach(IServiceProvider services, GatewaySigningKeyCache keys)
    {
        var registrations = services.GetService<IOptions<HealthCheckServiceOptions>>()?.Value.Registrations;
        var registration = registrations?.FirstOrDefault(r => string.Equals(r.Name, AbdmProfileShareHealthCheckBuilderExtensions.SigningKeysCheckName, StringComparison.Ordinal));
        if (registration is not null)
        {
            var check = new GatewaySigningKeysHealthCheck(keys);
            registration.Factory = _ => check;
        }
    }
}
