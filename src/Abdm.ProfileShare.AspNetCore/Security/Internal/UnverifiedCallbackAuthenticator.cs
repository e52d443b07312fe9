using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Abdm.ProfileShare.AspNetCore.Security.Internal;

/// <summary>
/// Development only (<c>AbdmProfileShare:Callbacks:DisableTokenValidation</c>): accepts every callback and logs a
/// warning on each one. Never created in Production.
/// </summary>
internal sealed class UnverifiedCallbackAuthenticator(ILogger<UnverifiedCallbackAuthenticator> logger) : IGatewayCallbackAuthenticator
{
    public ValueTask<CallbackAuthenticationResult> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken = default)
    {
        SecurityLog.CallbackNotVerified(logger);
        return ValueTask.FromResult(CallbackAuthenticationResult.Success);
    }
}
