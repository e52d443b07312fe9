using System.Globalization;
using Abdm.ProfileShare.Gateway;
using Abdm.ProfileShare.Gateway.Internal;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Abdm.ProfileShare.Diagnostics.Internal;

/// <summary>
/// Reports the latest gateway session request's outcome, as the session-token provider remembers it (no gateway
/// call per probe): healthy once a token was obtained (or before any was needed), unhealthy after the gateway
/// refused the client credentials, degraded while the gateway is unreachable.
/// </summary>
internal sealed class GatewaySessionHealthCheck(IGatewaySessionTokenProvider provider, TimeProvider timeProvider) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (provider is not GatewaySessionTokenProvider sessions)
        {
            return Task.FromResult(HealthCheckResult.Healthy($"Session tokens come from {provider.GetType().Name}, which reports no state."));
        }

        if (sessions.LastOutcome is not { } last)
        {
            return Task.FromResult(HealthCheckResult.Healthy("No gateway session was needed yet."));
        }

        var ago = string.Create(CultureInfo.InvariantCulture, $"{(timeProvider.GetUtcNow() - last.At).TotalSeconds:F0} s ago");
        var answer = last.StatusCode is { } status
            ? string.Create(CultureInfo.InvariantCulture, $"HTTP {status}{(last.ErrorCode is null ? "" : ", code " + last.ErrorCode)}")
            : "no answer";
        var result = last.Result switch
        {
            SessionRequestResult.Obtained => HealthCheckResult.Healthy($"A gateway session token was obtained {ago}."),
            SessionRequestResult.Unreachable => HealthCheckResult.Degraded($"The gateway's session endpoint could not be reached {ago} ({answer}); calls are retried."),
            SessionRequestResult.Refused => new HealthCheckResult(context.Registration.FailureStatus,
                $"The gateway refused the client credentials {ago} ({answer}): check {AbdmProfileShareOptions.SectionName}:Gateway:ClientId and ClientSecret."),
            _ => new HealthCheckResult(context.Registration.FailureStatus, $"The gateway's session response was unusable {ago} ({answer})."),
        };
        return Task.FromResult(result);
    }
}
