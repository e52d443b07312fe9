using Microsoft.AspNetCore.Http;

namespace Abdm.ProfileShare.AspNetCore.Security;

/// <summary>
/// Authenticates a gateway callback from its <c>Authorization</c> header (a gateway-signed JWT, with or without
/// the <c>Bearer </c> prefix). Register your own implementation to replace the default.
/// </summary>
public interface IGatewayCallbackAuthenticator
{
    /// <summary>Authenticates the request.</summary>
    /// <param name="request">The callback request.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The result; a failure is answered with 401 and nothing is stored.</returns>
    ValueTask<CallbackAuthenticationResult> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken = default);
}

/// <summary>The result of authenticating a callback.</summary>
/// <param name="Succeeded">Whether the callback is from the gateway.</param>
/// <param name="Failure">Why not (safe to return to the caller: no token content, no patient data).</param>
public readonly record struct CallbackAuthenticationResult(bool Succeeded, string? Failure)
{
    /// <summary>A success.</summary>
    public static CallbackAuthenticationResult Success { get; } = new(true, null);

    /// <summary>A failure.</summary>
    /// <param name="reason">Why.</param>
    /// <returns>The result.</returns>
    public static CallbackAuthenticationResult Fail(string reason) => new(false, reason);
}
