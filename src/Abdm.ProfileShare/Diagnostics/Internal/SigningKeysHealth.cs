using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Abdm.ProfileShare.Diagnostics.Internal;

/// <summary>A component that can tell whether the gateway's signing keys are usable (the ASP.NET Core package's key cache).</summary>
internal interface ISigningKeysHealth
{
    /// <summary>The keys' state, from what the component already knows (no fetch).</summary>
    HealthCheckResult GetHealth();
}

/// <summary>
/// Where the callback endpoints' signing-key cache (created when the callbacks are mapped) makes itself known to the
/// JWKS health check.
/// </summary>
internal sealed class SigningKeysMonitor
{
    private volatile ISigningKeysHealth? _source;

    public ISigningKeysHealth? Source
    {
        get => _source;
        set => _source = value;
    }
}

/// <summary>Reports the state of the gateway's signing keys (JWKS) used to verify callbacks.</summary>
internal sealed class SigningKeysHealthCheck(SigningKeysMonitor monitor) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (monitor.Source is not { } source)
        {
            return Task.FromResult(HealthCheckResult.Healthy(
                "No gateway signing keys are used here: the callbacks are not mapped in this process, or a custom authenticator verifies them."));
        }

        var result = source.GetHealth();
        return Task.FromResult(result.Status == HealthStatus.Unhealthy && context.Registration.FailureStatus != HealthStatus.Unhealthy
            ? new HealthCheckResult(context.Registration.FailureStatus, result.Description, result.Exception, result.Data)
            : result);
    }
}
