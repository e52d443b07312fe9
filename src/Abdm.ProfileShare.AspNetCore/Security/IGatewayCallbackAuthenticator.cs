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
    /// <returns>
    /// The result. A failure is answered with 401 (a generic body; the reason is logged) and nothing is stored; an
    /// <see cref="CallbackAuthenticationResult.IsUnavailable"/> failure with 503 and <c>Retry-After</c>; a
    /// <see cref="CallbackAuthenticationResult.IsLate"/> failure is accepted only by a callback that answers a
    /// request this host still awaits.
    /// </returns>
    ValueTask<CallbackAuthenticationResult> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken = default);
}

/// <summary>The result of authenticating a callback.</summary>
/// <param name="Succeeded">Whether the callback is from the gateway.</param>
/// <param name="Failure">Why not: for the log only, never returned to the caller (it holds no token content or patient data).</param>
public readonly record struct CallbackAuthenticationResult(bool Succeeded, string? Failure)
{
    /// <summary>
    /// Set when the token is valid in every respect (signature, sender, issuer, audience) except that it expired
    /// this long ago, within <c>Callbacks:LateDeliveryGrace</c>: a late delivery, which <see cref="Succeeded"/> does
    /// not cover. Only the answer to a request this host still awaits accepts it.
    /// </summary>
    public TimeSpan? LateBy { get; init; }

    /// <summary>
    /// Set when the callback could not be verified because the gateway's signing keys are unavailable (the gateway
    /// or its session is down): answered 503 with this as <c>Retry-After</c>, so the gateway delivers it again.
    /// </summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Whether this is a late delivery (<see cref="LateBy"/> is set).</summary>
    public bool IsLate => LateBy is not null;

    /// <summary>Whether verification was impossible for now (<see cref="RetryAfter"/> is set).</summary>
    public bool IsUnavailable => RetryAfter is not null;

    /// <summary>A success.</summary>
    public static CallbackAuthenticationResult Success { get; } = new(true, null);

    /// <summary>A failure.</summary>
    /// <param name="reason">Why.</param>
    /// <returns>The result.</returns>
    public static CallbackAuthenticationResult Fail(string reason) => new(false, reason);

    /// <summary>A token valid except that it expired <paramref name="lateBy"/> ago (see <see cref="LateBy"/>).</summary>
    /// <param name="lateBy">How long ago the token expired.</param>
    /// <returns>The result.</returns>
    public static CallbackAuthenticationResult Late(TimeSpan lateBy) => new(false, "token expired") { LateBy = lateBy };

    /// <summary>The callback cannot be verified now (see <see cref="RetryAfter"/>).</summary>
    /// <param name="reason">Why.</param>
    /// <param name="retryAfter">When the gateway should try again.</param>
    /// <returns>The result.</returns>
    public static CallbackAuthenticationResult Unavailable(string reason, TimeSpan retryAfter) => new(false, reason) { RetryAfter = retryAfter };
}
