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
