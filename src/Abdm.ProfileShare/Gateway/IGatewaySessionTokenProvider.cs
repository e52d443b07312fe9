namespace Abdm.ProfileShare.Gateway;

/// <summary>
/// Provides the gateway session token (<c>POST /v0.5/sessions</c> with the client id and secret): cached until
/// its <c>expiresIn</c> minus a margin, one request in flight however many callers wait.
/// </summary>
public interface IGatewaySessionTokenProvider
{
    /// <summary>Returns a current access token, fetching a new one when needed.</summary>
    /// <param name="cancellationToken">Stops this caller's wait (not the shared fetch).</param>
    /// <returns>The access token (secret: never log it).</returns>
    ValueTask<string> GetAccessTokenAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Drops <paramref name="accessToken"/> if it is the cached token (the gateway refused it), so the next call
    /// fetches a new one.
    /// </summary>
    /// <param name="accessToken">The token the gateway refused.</param>
    void Invalidate(string accessToken);
}
