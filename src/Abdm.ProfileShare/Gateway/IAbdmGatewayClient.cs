namespace Abdm.ProfileShare.Gateway;

/// <summary>
/// The calls a HIP makes to the ABDM gateway. Every call carries a session token
/// (<c>Authorization: Bearer …</c>), <c>X-CM-ID</c> taken from the PHR address suffix, the command's
/// requestId (the same on every retry of that call) and a UTC timestamp: in the body in v0.5 and v1.0, in the
/// <c>REQUEST-ID</c> and <c>TIMESTAMP</c> headers in v3 (<c>AbdmProfileShare:WireVersion</c>).
/// </summary>
/// <remarks>
/// Every method either completes (the gateway answered 2xx) or throws <see cref="AbdmGatewayException"/>.
/// The implementation is thread-safe and is a typed client from <c>IHttpClientFactory</c>.
/// </remarks>
public interface IAbdmGatewayClient
{
    /// <summary>
    /// Sends the on-share acknowledgement: <c>POST /v0.5/patients/profile/on-share</c>, or
    /// <c>/v1.0/patients/profile/on-share</c> with the token number for a v1.0 share.
    /// </summary>
    /// <param name="acknowledgement">What to acknowledge.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the gateway accepted the call.</returns>
    Task SendShareAcknowledgementAsync(ShareAcknowledgement acknowledgement, CancellationToken cancellationToken = default);

    /// <summary>Starts demographic auth for a linking token: <c>POST /v0.5/users/auth/init</c> (purpose LINK, mode DEMOGRAPHICS, requester HIP).</summary>
    /// <param name="request">Who and for which HIP.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the gateway accepted the call.</returns>
    Task InitLinkingAuthAsync(LinkingAuthInit request, CancellationToken cancellationToken = default);

    /// <summary>Confirms demographic auth: <c>POST /v0.5/users/auth/confirm</c> with the demographics exactly as shared.</summary>
    /// <param name="request">The transaction and the demographics.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the gateway accepted the call.</returns>
    Task ConfirmDemographicAuthAsync(DemographicAuthConfirm request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Asks for a linking token on the v3 wire: <c>POST /api/hiecm/v3/token/generate-token</c> with the ABHA address,
    /// name, gender, year of birth (and ABHA number) exactly as shared; the token arrives on <c>on-generate-token</c>.
    /// </summary>
    /// <param name="request">Who and for which HIP.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the gateway accepted the call.</returns>
    Task RequestLinkTokenAsync(LinkTokenRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Fetches the gateway's signing keys: <c>GET /v0.5/certs</c>, or on the v3 wire <c>GET /api/hiecm/gateway/v3/certs</c>
    /// (with the session token).
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The keys of the set, as published (none when the set is empty).</returns>
    Task<IReadOnlyList<GatewaySigningKey>> GetCertsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists the services registered against this bridge (v3 only): <c>GET /api/hiecm/gateway/v3/bridge-services</c> with
    /// the session token. Their ids are what <c>X-HIP-ID</c> (and <c>AbdmProfileShare:HipIds</c>) must carry.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The services, as listed (none when the bridge has none).</returns>
    Task<IReadOnlyList<BridgeService>> GetBridgeServicesAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Answers the gateway's running-token status request (v3 only):
    /// <c>POST /api/hiecm/patient-share/v3/running-token/on-status</c> with the counter's running token and average service
    /// time, or the error.
    /// </summary>
    /// <param name="answer">The answer.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the gateway accepted the call.</returns>
    Task SendRunningTokenStatusAsync(RunningTokenStatusAnswer answer, CancellationToken cancellationToken = default);
}
