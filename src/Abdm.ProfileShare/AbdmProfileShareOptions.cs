using Abdm.ProfileShare.Gateway.Internal;
using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare;

/// <summary>
/// Configuration of Abdm.ProfileShare, bound from the <c>AbdmProfileShare</c> configuration section
/// (for example <c>AbdmProfileShare:Gateway:ClientId</c>) or set in code.
/// </summary>
public sealed class AbdmProfileShareOptions
{
    /// <summary>The default configuration section name: <c>AbdmProfileShare</c>.</summary>
    public const string SectionName = "AbdmProfileShare";

    /// <summary>
    /// The HIP (facility) ids this host serves (<c>AbdmProfileShare:HipIds</c>). A callback whose
    /// <c>X-HIP-ID</c> is not listed is refused. Required: at least one.
    /// </summary>
    public IList<string> HipIds { get; } = [];

    /// <summary>
    /// The wire version of this deployment's outbound gateway calls (<c>AbdmProfileShare:WireVersion</c>: <c>V05</c>,
    /// <c>V10</c> or <c>V3</c>). Default: <see cref="WireVersion.V05"/>.
    /// </summary>
    /// <remarks>
    /// Callbacks of every version are accepted whatever this says. <c>V05</c> and <c>V10</c> use the v0.5 gateway
    /// (<c>/v0.5/sessions</c>, <c>/v0.5/certs</c>, the demographic-auth chain for the linking token) and answer each
    /// v0.5 or v1.0 share with the on-share of its own version (a v3 share gets the configured version's);
    /// <c>V3</c> makes every outbound call a v3 call (<c>/api/hiecm/...</c>: sessions, certs with the session token,
    /// on-share with the token's expiry, and <c>generate-token</c> for the linking token).
    /// In configuration the value is case-insensitive and may also be spelled as ABDM's documents do: <c>v0.5</c>,
    /// <c>v1.0</c> or <c>v3</c>; any other value stops start-up with a message that names this key and the valid values.
    /// </remarks>
    public WireVersion WireVersion { get; set; } = WireVersion.V05;

    /// <summary>The ABDM gateway and its credentials (<c>AbdmProfileShare:Gateway</c>).</summary>
    public GatewayOptions Gateway { get; set; } = new();

    /// <summary>
    /// The gateway base URL in effect: <see cref="GatewayOptions.BaseUrl"/>, or the ABDM sandbox's for
    /// <see cref="WireVersion"/> (<c>https://dev.abdm.gov.in/gateway</c>, or <c>https://dev.abdm.gov.in</c> for v3).
    /// </summary>
    /// <returns>The absolute base URL the operation paths are appended to.</returns>
    public Uri GetGatewayBaseUrl() =>
        Gateway?.BaseUrl ?? new Uri(WireVersion == WireVersion.V3 ? "https://dev.abdm.gov.in" : "https://dev.abdm.gov.in/gateway");

    /// <summary>
    /// The gateway's JWKS URL in effect, which callback authentication fetches the signing keys from:
    /// <see cref="CallbackOptions.CertsUrl"/>, or the certs path of <see cref="WireVersion"/> under
    /// <see cref="GetGatewayBaseUrl"/> (<c>/v0.5/certs</c>, or <c>/api/hiecm/gateway/v3/certs</c> for v3).
    /// </summary>
    /// <returns>The absolute JWKS URL.</returns>
    public Uri GetCertsUrl() => GatewayEndpoints.CertsUrl(this);

    /// <summary>What only the v3 wire needs (<c>AbdmProfileShare:V3</c>).</summary>
    public WireV3Options V3 { get; set; } = new();

    /// <summary>The counter QR codes (<c>AbdmProfileShare:Qr</c>).</summary>
    public CounterQrOptions Qr { get; set; } = new();

    /// <summary>Timeouts, retries and the circuit breaker for gateway calls (<c>AbdmProfileShare:Resilience</c>).</summary>
    public GatewayResilienceOptions Resilience { get; set; } = new();

    /// <summary>The counter queue (<c>AbdmProfileShare:Queue</c>).</summary>
    public QueueOptions Queue { get; set; } = new();

    /// <summary>The linking-token chain (<c>AbdmProfileShare:Linking</c>).</summary>
    public LinkingOptions Linking { get; set; } = new();

    /// <summary>The outbox that sends gateway calls off the request path (<c>AbdmProfileShare:Outbox</c>).</summary>
    public OutboxOptions Outbox { get; set; } = new();

    /// <summary>Authentication and input limits of the HIP callbacks (<c>AbdmProfileShare:Callbacks</c>).</summary>
    public CallbackOptions Callbacks { get; set; } = new();
}

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

/// <summary>The ABDM gateway and this HIP's credentials.</summary>
public sealed class GatewayOptions
{
    /// <summary>
    /// The gateway base URL (<c>AbdmProfileShare:Gateway:BaseUrl</c>); operation paths such as
    /// <c>/v0.5/sessions</c> or <c>/api/hiecm/gateway/v3/sessions</c> are appended.
    /// </summary>
    /// <remarks>
    /// Default (the ABDM sandbox): <c>https://dev.abdm.gov.in/gateway</c> for <c>V05</c> and <c>V10</c>,
    /// <c>https://dev.abdm.gov.in</c> for <c>V3</c> (v3 paths start at the host). Production:
    /// <c>https://apis.abdm.gov.in</c> (v3). Must be https outside the Development environment (refused at start,
    /// naming this key); plain http is allowed to a loopback address (a simulator on this machine) in any environment.
    /// </remarks>
    public Uri? BaseUrl { get; set; }

    /// <summary>The client id issued by ABDM (<c>AbdmProfileShare:Gateway:ClientId</c>). Required.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>
    /// The client secret issued by ABDM (<c>AbdmProfileShare:Gateway:ClientSecret</c>). Required. Keep it in a
    /// secret store or an environment variable (<c>AbdmProfileShare__Gateway__ClientSecret</c>), never in a
    /// committed file. Never logged.
    /// </summary>
    public string ClientSecret { get; set; } = "";

    /// <summary>
    /// The <c>X-CM-ID</c> sent when a PHR address has no suffix (<c>AbdmProfileShare:Gateway:DefaultConsentManagerId</c>).
    /// </summary>
    /// <remarks>Default: <c>sbx</c>. Use <c>abdm</c> in production.</remarks>
    public string DefaultConsentManagerId { get; set; } = "sbx";

    /// <summary>
    /// How long before the session token's <c>expiresIn</c> it is refreshed
    /// (<c>AbdmProfileShare:Gateway:SessionRefreshMargin</c>).
    /// </summary>
    /// <remarks>Default: 60 seconds (at most half the token's lifetime is used).</remarks>
    public TimeSpan SessionRefreshMargin { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>Resilience of gateway calls (Polly v8 through Microsoft.Extensions.Http.Resilience).</summary>
public sealed class GatewayResilienceOptions
{
    /// <summary>Timeout of one attempt (<c>AbdmProfileShare:Resilience:AttemptTimeout</c>). Default: 10 seconds.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Timeout of a call including its retries (<c>AbdmProfileShare:Resilience:TotalTimeout</c>). Default: 30 seconds.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Retries after the first attempt, on transient failures only (connection errors, timeouts, 408, 429, 5xx)
    /// (<c>AbdmProfileShare:Resilience:MaxRetryAttempts</c>). Default: 3. Zero disables retries.
    /// </summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>Base delay of the jittered exponential back-off (<c>AbdmProfileShare:Resilience:RetryBaseDelay</c>). Default: 500 ms.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Failure ratio that opens the circuit (<c>AbdmProfileShare:Resilience:CircuitBreakerFailureRatio</c>). Default: 0.5.</summary>
    public double CircuitBreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Calls in the sampling window before the circuit may open (<c>AbdmProfileShare:Resilience:CircuitBreakerMinimumThroughput</c>). Default: 10.</summary>
    public int CircuitBreakerMinimumThroughput { get; set; } = 10;

    /// <summary>The circuit breaker's sampling window (<c>AbdmProfileShare:Resilience:CircuitBreakerSamplingDuration</c>). Default: 30 seconds.</summary>
    public TimeSpan CircuitBreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the circuit stays open (<c>AbdmProfileShare:Resilience:CircuitBreakerBreakDuration</c>). Default: 15 seconds.</summary>
    public TimeSpan CircuitBreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>The counter queue.</summary>
public sealed class QueueOptions
{
    /// <summary>
    /// How long a token number is valid from when it was issued (the patient's first scan)
    /// (<c>AbdmProfileShare:Queue:RescanWindow</c>). Default: 30 minutes, ABDM's rule. A re-scan by the same patient
    /// at the same counter within it gets the same token (the entry is refreshed) and, in v3, the remaining validity
    /// as the on-share <c>expiry</c>; a scan after it gets a new token.
    /// </summary>
    public TimeSpan RescanWindow { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How long an entry stays in the queue after its latest scan (<c>AbdmProfileShare:Queue:EntryLifetime</c>).
    /// Default: 4 hours. Must be at least <see cref="RescanWindow"/>.
    /// </summary>
    public TimeSpan EntryLifetime { get; set; } = TimeSpan.FromHours(4);

    /// <summary>
    /// How long expired entries are kept (for deduplication and audit) before they are purged
    /// (<c>AbdmProfileShare:Queue:Retention</c>). Default: 24 hours.
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// The time zone whose local day numbers tokens (<c>AbdmProfileShare:Queue:TimeZone</c>, an IANA or Windows id).
    /// Default: <c>Asia/Kolkata</c>.
    /// </summary>
    public string TimeZone { get; set; } = "Asia/Kolkata";

    /// <summary>
    /// The counter code used when a share carries no <c>hipCode</c> (<c>AbdmProfileShare:Queue:DefaultCounterCode</c>).
    /// Default: <c>default</c>.
    /// </summary>
    public string DefaultCounterCode { get; set; } = "default";
}

/// <summary>When the linking-token chain starts.</summary>
public enum LinkingStart
{
    /// <summary>As soon as the gateway accepted a SUCCESS on-share.</summary>
    AfterAcknowledgement,

    /// <summary>When an operator claims the entry.</summary>
    OnClaim,

    /// <summary>Never automatically; the host calls <c>ICounterQueue.StartLinkingAsync</c>.</summary>
    Manual,
}

/// <summary>The linking-token chain (demographic auth).</summary>
public sealed class LinkingOptions
{
    /// <summary>When to send <c>users/auth/init</c> (<c>AbdmProfileShare:Linking:Start</c>). Default: <see cref="LinkingStart.AfterAcknowledgement"/>.</summary>
    public LinkingStart Start { get; set; } = LinkingStart.AfterAcknowledgement;

    /// <summary>
    /// How long to wait for <c>on-init</c> or <c>on-confirm</c> after the call was accepted before the chain is
    /// marked timed out (<c>AbdmProfileShare:Linking:CallbackTimeout</c>). Default: 2 minutes.
    /// </summary>
    public TimeSpan CallbackTimeout { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>The outbox processor.</summary>
public sealed class OutboxOptions
{
    /// <summary>How long a processor holds an item before another may take it over (<c>AbdmProfileShare:Outbox:LeaseDuration</c>). Default: 60 seconds.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>First delay after a failed attempt, doubled each time (<c>AbdmProfileShare:Outbox:RetryBaseDelay</c>). Default: 1 second.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest delay between attempts (<c>AbdmProfileShare:Outbox:RetryMaxDelay</c>). Default: 2 minutes.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Items run at once (<c>AbdmProfileShare:Outbox:MaxConcurrency</c>). Default: 16.</summary>
    public int MaxConcurrency { get; set; } = 16;

    /// <summary>
    /// How often an idle processor looks for items other instances left behind (expired leases)
    /// (<c>AbdmProfileShare:Outbox:IdleCheckInterval</c>). Default: 5 seconds. Local work wakes it at once.
    /// </summary>
    public TimeSpan IdleCheckInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>The unit of the v3 on-share <c>acknowledgement.profile.expiry</c> (ABDM has not published it).</summary>
public enum TokenExpiryUnit
{
    /// <summary>Seconds (1800 for a fresh 30-minute token): what integrators send and the sandbox accepts.</summary>
    Seconds,

    /// <summary>Whole minutes, rounded up.</summary>
    Minutes,
}

/// <summary>What only the ABDM v3 wire needs.</summary>
public sealed class WireV3Options
{
    /// <summary>
    /// The unit of the on-share <c>expiry</c> (<c>AbdmProfileShare:V3:ExpiryUnit</c>). Default:
    /// <see cref="TokenExpiryUnit.Seconds"/>. The value sent is the token's remaining validity (see
    /// <see cref="QueueOptions.RescanWindow"/>), as a JSON number.
    /// </summary>
    public TokenExpiryUnit ExpiryUnit { get; set; } = TokenExpiryUnit.Seconds;

    /// <summary>
    /// The error code of a FAILED on-share when the host or the profile rules reject a share
    /// (<c>AbdmProfileShare:V3:RejectionErrorCode</c>). Default: <c>ABDM-9999</c>. A share whose intent is not
    /// <c>PROFILE_SHARE</c> is answered with <c>ABDM-1149</c> ("Intent type is not supported at HIP end").
    /// </summary>
    public string RejectionErrorCode { get; set; } = "ABDM-9999";
}

/// <summary>The counter QR codes a HIP prints.</summary>
public sealed class CounterQrOptions
{
    /// <summary>
    /// The PHR app's share-profile page for the URL form of the QR (<c>AbdmProfileShare:Qr:ShareProfileUrl</c>), to
    /// which <c>?hip-id=&lt;HIP&gt;&amp;counter-id=&lt;COUNTER&gt;</c> is added. Default:
    /// <c>https://phrsbx.abdm.gov.in/share-profile</c> (the sandbox PHR host; ABDM gives the production one at onboarding).
    /// </summary>
    public Uri ShareProfileUrl { get; set; } = new("https://phrsbx.abdm.gov.in/share-profile");
}
