namespace Abdm.ProfileShare;

/// <summary>
/// How the HIP callbacks are authenticated and which input they accept. Secure by default: every callback
/// must carry a gateway-signed JWT verified against the gateway's published keys.
/// </summary>
/// <remarks>
/// A callback's <c>Authorization</c> JWT (with or without <c>Bearer </c>, at most 8 KiB) must be signed with RS256
/// or RS512 by the key its <c>kid</c> names in the gateway's JWKS, carry an <c>exp</c>, be within its lifetime
/// (<see cref="ClockSkew"/>, at most <see cref="MaxTokenLifetime"/> long), name an audience in <see cref="ValidAudiences"/>,
/// name the gateway as its client (<see cref="GatewayClientIds"/>) and, when set, an issuer in
/// <see cref="ValidIssuers"/>. A repeated token is accepted (the gateway reuses tokens) and remembered until it
/// expires or the key that verified it leaves the gateway's JWKS. Refusals are answered 401 with a generic body (the
/// reason is logged); when the gateway's keys cannot be fetched, 503 with <c>Retry-After</c>. Bodies must be JSON within <see cref="MaxBodyBytes"/>, <see cref="MaxJsonDepth"/> and
/// <see cref="MaxStringLength"/>; violations are answered 400, 413 or 415 without echoing any value.
/// </remarks>
public sealed class CallbackOptions
{
    /// <summary>
    /// The gateway's JWKS (<c>AbdmProfileShare:Callbacks:CertsUrl</c>), fetched through the
    /// <c>Abdm.ProfileShare.Gateway.Certs</c> HTTP client (<see cref="AbdmProfileShareBuilder.CertsHttpClientName"/>). Default: <c>{Gateway:BaseUrl}/v0.5/certs</c>, and on v3
    /// <c>{Gateway:BaseUrl}/api/hiecm/gateway/v3/certs</c> (fetched with the session token and the v3 headers: the v3
    /// JWKS is not public, and the v0.5 keys do not sign v3 callbacks). Only RSA signature keys of at least 2048 bits
    /// with a <c>kid</c> are used. Must be https outside the Development environment, except on a loopback address.
    /// </summary>
    public Uri? CertsUrl { get; set; }

    /// <summary>
    /// Accepted token issuers (<c>AbdmProfileShare:Callbacks:ValidIssuers</c>). Default: empty, which accepts any
    /// issuer (the signature by a key from the gateway's JWKS is what proves the sender). Set it to pin the
    /// gateway's Keycloak realm.
    /// </summary>
    public IList<string> ValidIssuers { get; } = [];

    /// <summary>
    /// Accepted token audiences (<c>AbdmProfileShare:Callbacks:ValidAudiences</c>). Default: <c>account</c>, the
    /// audience the v0.5 and the v3 gateway send. A token without an audience is accepted only when this list is empty or the
    /// audience is not checked (<see cref="ValidateAudience"/>).
    /// </summary>
    public IList<string> ValidAudiences { get; } = ["account"];

    /// <summary>
    /// Whether the token's audience is checked against <see cref="ValidAudiences"/>
    /// (<c>AbdmProfileShare:Callbacks:ValidateAudience</c>). Default (unset): checked on every wire version (the v0.5
    /// and the v3 gateway both send <c>aud</c> <c>account</c>). Set it to <see langword="false"/> only to opt out, for
    /// a gateway that sends no audience.
    /// </summary>
    public bool? ValidateAudience { get; set; }

    /// <summary>
    /// The client ids that identify the gateway as a callback's sender (<c>AbdmProfileShare:Callbacks:GatewayClientIds</c>),
    /// matched exactly against the token's <c>azp</c> and <c>clientId</c> claims. Default: <c>gateway</c>.
    /// </summary>
    /// <remarks>
    /// Every ABDM client (each HIP, HIU and PHR app) gets session tokens from the same realm, signed by the same key,
    /// with the same issuer and audience: only <c>azp</c>/<c>clientId</c> tell the gateway's token apart. A token
    /// naming neither is refused; when it names both, both must be listed. A token whose <c>azp</c> or
    /// <c>clientId</c> is this host's own <see cref="GatewayOptions.ClientId"/> is always refused. Configuring the
    /// list replaces the default. At least one non-empty entry is required.
    /// </remarks>
    public IList<string> GatewayClientIds { get; } = ["gateway"];

    /// <summary>
    /// How long after its <c>exp</c> a callback token is still accepted on a late delivery of an answer this host
    /// awaits (<c>AbdmProfileShare:Callbacks:LateDeliveryGrace</c>). Default: 20 minutes. Zero turns late deliveries off.
    /// At most 1 hour.
    /// </summary>
    /// <remarks>
    /// The gateway delivers a callback again about 16 minutes later with the same, by then expired, token. Only
    /// <c>on-init</c>, <c>on-confirm</c> (v0.5/v1.0) and <c>on-generate-token</c> (v3) accept such a token, and only
    /// when everything but its expiry is valid and the callback answers a request this host sent and still awaits
    /// (including a chain that timed out waiting for exactly that answer). Shares never accept an expired token.
    /// </remarks>
    public TimeSpan LateDeliveryGrace { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>
    /// The longest accepted token lifetime (<c>AbdmProfileShare:Callbacks:MaxTokenLifetime</c>): <c>exp - iat</c>, or
    /// <c>exp</c> - now for a token without <c>iat</c>. Default: 1 hour (the gateway's tokens live 20 minutes).
    /// At least 1 minute.
    /// </summary>
    public TimeSpan MaxTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Clock skew allowed when checking a token's <c>exp</c> and <c>nbf</c> (<c>AbdmProfileShare:Callbacks:ClockSkew</c>).
    /// Default: 2 minutes. At most 10 minutes.
    /// </summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long fetched keys are used before they are refreshed (<c>AbdmProfileShare:Callbacks:KeysRefreshInterval</c>).
    /// Default: 1 hour. At least 1 minute. The refresh runs in the background: callbacks keep being verified with
    /// the known keys meanwhile.
    /// </summary>
    public TimeSpan KeysRefreshInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The shortest time between two key fetches (<c>AbdmProfileShare:Callbacks:KeysRefetchMinInterval</c>): a token
    /// naming an unknown <c>kid</c> triggers a refetch at most this often, however many arrive, and concurrent
    /// callers share one fetch. Default: 30 seconds. Between 1 second and <see cref="KeysRefreshInterval"/>.
    /// </summary>
    public TimeSpan KeysRefetchMinInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long known keys keep being used after their refresh time when the gateway cannot be reached
    /// (<c>AbdmProfileShare:Callbacks:StaleKeysGracePeriod</c>). Default: 6 hours.
    /// </summary>
    public TimeSpan StaleKeysGracePeriod { get; set; } = TimeSpan.FromHours(6);

    /// <summary>
    /// Development only: accept callbacks without verifying the gateway token
    /// (<c>AbdmProfileShare:Callbacks:DisableTokenValidation</c>). Default: <see langword="false"/>. Allowed only when
    /// the host environment is Development <b>and</b> <c>Gateway:BaseUrl</c> is a loopback address (a simulator on this
    /// machine): refused at start, naming this key, in any other environment (Staging, Production, any other name, or
    /// none) and with a remote gateway. Announced by a warning when the callbacks are mapped and on every callback.
    /// </summary>
    public bool DisableTokenValidation { get; set; }

    /// <summary>
    /// Largest accepted callback body in bytes (<c>AbdmProfileShare:Callbacks:MaxBodyBytes</c>); a larger
    /// Content-Length, or a body that streams past it, is answered 413. Default: 65536 (64 KiB). Between 1 KiB and 16 MiB.
    /// </summary>
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Longest accepted string value or property name in a callback body, in characters
    /// (<c>AbdmProfileShare:Callbacks:MaxStringLength</c>). Default: 2048. At least 64. Numbers are limited to 64 characters.
    /// </summary>
    public int MaxStringLength { get; set; } = 2048;

    /// <summary>
    /// Deepest accepted JSON nesting (objects and arrays) in a callback body
    /// (<c>AbdmProfileShare:Callbacks:MaxJsonDepth</c>). Default: 16. Between 4 and 32.
    /// </summary>
    public int MaxJsonDepth { get; set; } = 16;
}
