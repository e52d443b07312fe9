namespace Abdm.ProfileShare;

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
