using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Abdm.ProfileShare.Diagnostics.Internal;

/// <summary>
/// The <c>abdm_jwks</c> check when no callback transport verifies callbacks with the gateway's signing keys here:
/// healthy. A transport that does (<c>Abdm.ProfileShare.AspNetCore</c>'s gateway-JWT authentication) points the check's
/// registration at its key cache when it creates it (<see cref="HealthCheckRegistration.Factory"/>, found by
/// <see cref="AbdmProfileShareHealthCheckBuilderExtensions.SigningKeysCheckName"/>).
/// </summary>
internal sealed class SigningKeysHealthCheck : IHealthCheck
{
    /// <summary>The description of the check while no signing keys are used.</summary>
    internal const string NotUsedDescription =
        "No gateway signing keys are used here: the callbacks are not mapped in this process, or a custom authenticator verifies them.";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(HealthCheckResult.Healthy(NotUsedDescription));
}
