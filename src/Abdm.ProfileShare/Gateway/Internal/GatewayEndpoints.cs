namespace Abdm.ProfileShare.Gateway.Internal;

/// <summary>The gateway operation paths (swagger/abdm-profile-share-v0.5.yaml).</summary>
internal static class GatewayEndpoints
{
    public const string Sessions = "/v0.5/sessions";
    public const string Certs = "/v0.5/certs";
    public const string OnShareV05 = "/v0.5/patients/profile/on-share";
    public const string OnShareV10 = "/v1.0/patients/profile/on-share";
    public const string AuthInit = "/v0.5/users/auth/init";
    public const string AuthConfirm = "/v0.5/users/auth/confirm";

    /// <summary>Name of the typed <c>HttpClient</c> of <see cref="IAbdmGatewayClient"/> (session-token handler, resilience).</summary>
    public const string GatewayClientName = "Abdm.ProfileShare.Gateway";

    /// <summary>Named <c>HttpClient</c> for session calls (no session-token handler).</summary>
    public const string SessionsClientName = "Abdm.ProfileShare.Gateway.Sessions";

    /// <summary>Named <c>HttpClient</c> for fetching the gateway's signing keys (no session token: the JWKS is public).</summary>
    public const string CertsClientName = "Abdm.ProfileShare.Gateway.Certs";

    public static Uri Combine(Uri baseUrl, string path)
    {
        var text = baseUrl.OriginalString.TrimEnd('/');
        return new Uri(text + path, UriKind.Absolute);
    }
}
