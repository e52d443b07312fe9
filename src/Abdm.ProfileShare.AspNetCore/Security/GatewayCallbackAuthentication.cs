using Abdm.ProfileShare.AspNetCore.Security.Internal;
using Abdm.ProfileShare.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.AspNetCore.Security;

/// <summary>
/// Creates the <see cref="IGatewayCallbackAuthenticator"/> the callback endpoints use.
/// </summary>
/// <remarks>
/// Secure by default: every callback must carry a JWT signed by a key from the gateway's JWKS
/// (<c>{Gateway:BaseUrl}/v0.5/certs</c>, on v3 <c>{Gateway:BaseUrl}/api/hiecm/gateway/v3/certs</c>, or
/// <c>AbdmProfileShare:Callbacks:CertsUrl</c>), with algorithm RS256 or RS512, within its lifetime
/// (<c>Callbacks:ClockSkew</c>, at most <c>Callbacks:MaxTokenLifetime</c> long), for an audience in
/// <c>Callbacks:ValidAudiences</c> (default <c>account</c>, on every wire version unless <c>Callbacks:ValidateAudience</c>
/// is <see langword="false"/>), from the gateway's client (<c>azp</c>/<c>clientId</c> in <c>Callbacks:GatewayClientIds</c>,
/// default <c>gateway</c>, never this host's own <c>Gateway:ClientId</c>) and, when <c>Callbacks:ValidIssuers</c> is set,
/// from one of those issuers. The answer to a request this host awaits may also carry a token that expired less than
/// <c>Callbacks:LateDeliveryGrace</c> ago (the gateway's late redelivery).
/// </remarks>
public static class GatewayCallbackAuthentication
{
    /// <summary>
    /// Returns the <see cref="IGatewayCallbackAuthenticator"/> registered in <paramref name="services"/>, or else
    /// creates the default gateway-JWT authenticator (with its own signing-key cache). Call it once, when the
    /// endpoints are mapped.
    /// </summary>
    /// <param name="services">The application's services (after <c>AddAbdmProfileShare</c>).</param>
    /// <returns>The authenticator.</returns>
    /// <exception cref="InvalidOperationException">
    /// <c>AbdmProfileShare:Callbacks:DisableTokenValidation</c> is <see langword="true"/> outside the Development
    /// environment, or with a gateway that is not on a loopback address.
    /// </exception>
    public static IGatewayCallbackAuthenticator Create(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.GetRequiredService<IOptions<AbdmProfileShareOptions>>();
        var disabled = options.Value.Callbacks?.DisableTokenValidation ?? false;
        var environment = services.GetService<IHostEnvironment>();
        // The same rule as the start-up validation, for hosts that map the endpoints without starting (tests, tools).
        if (AbdmProfileShareDeploymentValidator.DisableTokenValidationRefusal(options.Value, environment) is { } refusal)
        {
            throw new InvalidOperationException(refusal);
        }

        if (services.GetService<IGatewayCallbackAuthenticator>() is { } registered)
        {
            return registered;
        }

        if (disabled)
        {
            var logger = services.GetService<ILoggerFactory>()?.CreateLogger(typeof(GatewayCallbackAuthentication).FullName!);
            if (logger is not null)
            {
                SecurityLog.TokenValidationDisabled(logger, environment!.EnvironmentName);
            }

            return ActivatorUtilities.CreateInstance<UnverifiedCallbackAuthenticator>(services);
        }

        var keys = ActivatorUtilities.CreateInstance<GatewaySigningKeyCache>(services);
        return ActivatorUtilities.CreateInstance<GatewayJwtCallbackAuthenticator>(services, keys);
    }
}
