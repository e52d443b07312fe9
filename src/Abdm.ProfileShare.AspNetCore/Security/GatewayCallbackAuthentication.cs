using Microsoft.Extensions.DependencyInjection;

namespace Abdm.ProfileShare.AspNetCore.Security;

/// <summary>Creates the authenticator of the gateway callbacks.</summary>
public static class GatewayCallbackAuthentication
{
    /// <summary>Returns the <see cref="IGatewayCallbackAuthenticator"/> registered in <paramref name="services"/>.</summary>
    /// <param name="services">The application's services.</param>
    /// <returns>The authenticator.</returns>
    public static IGatewayCallbackAuthenticator Create(IServiceProvider services) =>
        services.GetRequiredService<IGatewayCallbackAuthenticator>();
}
