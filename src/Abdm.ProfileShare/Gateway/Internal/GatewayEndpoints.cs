using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Gateway.Internal;

/// <summary>
/// The gateway operation paths (swagger/abdm-profile-share-v0.5.yaml and swagger/abdm-profile-share-v3.yaml) and the
/// base URL each wire version appends them to.
/// </summary>
internal static class GatewayEndpoints
{
    public const string Sessions = "/v0.5/sessions";
    public const string Certs = "/v0.5/certs";
    public const string OnShareV05 = "/v0.5/patients/profile/on-share";
    public const string OnShareV10 = "/v1.0/patients/profile/on-share";
    public const string AuthInit = "/v0.5/users/auth/init";
    public const string AuthConfirm = "/v0.5/users/auth/confirm";

    public const string SessionsV3 = "/api/hiecm/gateway/v3/sessions";
    public const string CertsV3 = "/api/hiecm/gateway/v3/certs";
    public const string OnShareV3 = "/api/hiecm/patient-share/v3/on-share";
    public const string GenerateTokenV3 = "/api/hiecm/v3/token/generate-token";
    public const string BridgeServicesV3 = "/api/hiecm/gateway/v3/bridge-services";
    public const string OnRunningTokenStatusV3 = "/api/hiecm/patient-share/v3/running-token/on-status";

    /// <summary>Name of the typed <c>HttpClient</c> of <see cref="IAbdmGatewayClient"/> (session-token handler, resilience).</summary>
    public const string GatewayClientName = "Abdm.ProfileShare.Gateway";

    /// <summary>Named <c>HttpClient</c> for session calls (no session-token handler).</summary>
    public const string SessionsClientName = "Abdm.ProfileShare.Gateway.Sessions";

    /// <summary>
    /// Named <c>HttpClient</c> for fetching the gateway's signing keys: public in v0.5; in v3 the session token and the
    /// standard headers are added (<see cref="GatewayCertsHandler"/>).
    /// </summary>
    public const string CertsClientName = AbdmProfileShareBuilder.CertsHttpClientName;

    /// <summary>The configured base URL, or the sandbox's for the configured wire version.</summary>
    public static Uri BaseUrl(AbdmProfileShareOptions options) => options.GetGatewayBaseUrl();

    /// <summary>The sessions path of the configured wire version.</summary>
    public static string SessionsPath(WireVersion version) => version == WireVersion.V3 ? SessionsV3 : Sessions;

    /// <summary>The certs (JWKS) path of the configured wire version.</summary>
    public static string CertsPath(WireVersion version) => version == WireVersion.V3 ? CertsV3 : Certs;

    /// <summary>The JWKS URL: <c>Callbacks:CertsUrl</c>, else the configured version's certs under the base URL.</summary>
    public static Uri CertsUrl(AbdmProfileShareOptions options) =>
        options.Callbacks?.CertsUrl ?? Combine(BaseUrl(options), CertsPath(options.WireVersion));

    public static Uri Combine(Uri baseUrl, string path)
    {
        var text = baseUrl.OriginalString.TrimEnd('/');
        return new Uri(text + path, UriKind.Absolute);
    }
}
