using Abdm.ProfileShare.AspNetCore.Diagnostics.Internal;
using Abdm.ProfileShare.AspNetCore.Endpoints.Internal;
using Abdm.ProfileShare.AspNetCore.Internal;
using Abdm.ProfileShare.AspNetCore.Security;
using Abdm.ProfileShare.Workflow;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Abdm.ProfileShare.AspNetCore;

/// <summary>Maps the HIP callbacks the ABDM gateway calls.</summary>
public static class AbdmProfileShareEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the HIP callbacks: <c>POST /v0.5/patients/profile/share</c>, <c>POST /v1.0/patients/profile/share</c>,
    /// <c>POST /v0.5/users/auth/on-init</c>, <c>POST /v0.5/users/auth/on-confirm</c>, <c>GET /v0.5/heartbeat</c>, and the
    /// v3 <c>POST /api/v3/hip/patient/share</c>, <c>POST /api/v3/hip/token/on-generate-token</c> and <c>POST /api/v3/hip/patient/running-token/status</c> (every version is
    /// accepted whatever <c>AbdmProfileShare:WireVersion</c> says).
    /// Every POST is authenticated with the gateway's JWT and its <c>X-HIP-ID</c> checked against
    /// <c>AbdmProfileShare:HipIds</c>. The callbacks are excluded from the app's OpenAPI description.
    /// </summary>
    /// <remarks>
    /// Add a prefix with <c>app.MapGroup("/abdm").MapAbdmProfileShare()</c>; the gateway's callback URL is then
    /// <c>https://host/abdm</c>. Conventions added to the returned builder apply to every callback.
    /// </remarks>
    /// <param name="endpoints">The endpoint route builder.</param>
    /// <returns>A builder for conventions on all the callbacks.</returns>
    /// <exception cref="InvalidOperationException"><c>AddAbdmProfileShare</c> was not called.</exception>
    public static IEndpointConventionBuilder MapAbdmProfileShare(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var services = endpoints.ServiceProvider;
        if (services.GetService<IProfileShareInbox>() is null)
        {
            throw new InvalidOperationException(
                "Unable to find the Abdm.ProfileShare services. Call 'services.AddAbdmProfileShare(...)' (namespace Abdm.ProfileShare) in the application's service configuration before calling 'MapAbdmProfileShare()'.");
        }

        var authenticator = GatewayCallbackAuthentication.Create(services);
        var handlers = ActivatorUtilities.CreateInstance<CallbackEndpoints>(services, authenticator);

        var group = endpoints.MapGroup("");
        group.MapPost("/v0.5/patients/profile/share", handlers.ShareV05Async).WithDisplayName("ABDM profile share (v0.5)");
        group.MapPost("/v1.0/patients/profile/share", handlers.ShareV10Async).WithDisplayName("ABDM profile share (v1.0)");
        group.MapPost("/v0.5/users/auth/on-init", handlers.AuthOnInitAsync).WithDisplayName("ABDM users/auth/on-init");
        group.MapPost("/v0.5/users/auth/on-confirm", handlers.AuthOnConfirmAsync).WithDisplayName("ABDM users/auth/on-confirm");
        group.MapGet("/v0.5/heartbeat", handlers.HeartbeatAsync).WithDisplayName("ABDM heartbeat");
        group.MapPost("/api/v3/hip/patient/share", handlers.ShareV3Async).WithDisplayName("ABDM profile share (v3)");
        group.MapPost("/api/v3/hip/token/on-generate-token", handlers.OnGenerateTokenAsync).WithDisplayName("ABDM v3 on-generate-token");
        group.MapPost("/api/v3/hip/patient/running-token/status", handlers.RunningTokenStatusAsync).WithDisplayName("ABDM v3 running-token status");
        group.ExcludeFromDescription();
        return new ProfileShareEndpointConventionBuilder(group);
    }

    // Wraps the group so callers can add conventions but not map further routes into it (as MapIdentityApi does).
    private sealed class ProfileShareEndpointConventionBuilder(IEndpointConventionBuilder inner) : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention) => inner.Add(convention);

        public void Finally(Action<EndpointBuilder> finallyConvention) => inner.Finally(finallyConvention);
    }
}
