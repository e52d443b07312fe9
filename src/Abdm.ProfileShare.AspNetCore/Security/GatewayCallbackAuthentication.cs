using Abdm.ProfileShare.AspNetCore.Security.Internal;
using Abdm.ProfileShare.Workflow;
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
    /// creates the default gateway-JWT authenticator (with its own signing-key cache, which the <c>abdm_jwks</c> health
    /// check then reports). Call it once, when the endpoints are mapped.
    /// </summary>
    /// <param name="services">The application's services (after <c>AddAbdmProfileShare</c>).</param>
    /// <returns>The authenticator.</returns>
    /// <exception cref="InvalidOperationException"><c>AddAbdmProfileShare</c> was not called.</exception>
    /// <exception cref="OptionsValidationException">
    /// The options are invalid; among them, <c>AbdmProfileShare:Callbacks:DisableTokenValidation</c> is
    /// <see langword="true"/> outside the Development environment, or with a gateway that is not on a loopback address.
    /// </exception>
    public static IGatewayCallbackAuthenticator Create(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.GetService<IProfileShareInbox>() is null)
        {
            throw new InvalidOperationException(
                "Unable to find the Abdm.ProfileShare services. Call 'services.AddAbdmProfileShare(...)' (namespace Abdm.ProfileShare) in the application's service configuration before creating the callback authentication.");
        }

        // Reading the options runs AddAbdmProfileShare's validators, the deployment rules among them: a refused
        // DisableTokenValidation throws here too, for hosts that map the endpoints without starting (tests, tools).
        var options = services.GetRequiredService<IOptions<AbdmProfileShareOptions>>();
        var disabled = options.Value.Callbacks?.DisableTokenValidation ?? false;
        var environment = services.GetService<IHostEnvironment>();
        if (disabled && environment?.IsDevelopment() != true)
        {
            // Only if the validators were removed: the bypass is never for a deployed host, whatever else is configured.
            throw new InvalidOperationException(
                $"{AbdmProfileShareOptions.SectionName}:Callbacks:DisableTokenValidation = true is refused outside the Development environment; remove it.");
        }

        if (services.GetService<IGatewayCallbackAuthenticator>() is { } registered)
        {
            if (registered is GatewayJwtCallbackAuthenticator jwt)
            {
                GatewaySigningKeysHealthCheck.Attach(services, jwt.Keys);
            }

            return registered;
        }

        if (disabled)
        {
            var logger = services.GetService<ILoggerFactory>()?.CreateLogger(typeof(GatewayCallbackAuthentication).FullName!);
            if (logger is not null)
            {
                SecurityLog.TokenValidationDisabled(logger, environment!.EnvironmentName); // Development: checked above
            }

            return ActivatorUtilities.CreateInstance<UnverifiedCallbackAuthenticator>(services);
        }

        var keys = ActivatorUtilities.CreateInstance<GatewaySigningKeyCache>(services);
        GatewaySigningKeysHealthCheck.Attach(services, keys);
        return ActivatorUtilities.CreateInstance<GatewayJwtCallbackAuthenticator>(services, keys);
    }
}
