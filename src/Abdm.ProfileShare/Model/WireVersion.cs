namespace Abdm.ProfileShare.Model;

/// <summary>
/// An ABDM wire version. A share records the version it arrived in; a deployment is configured with the version
/// its outbound gateway calls use (<c>AbdmProfileShare:WireVersion</c>).
/// </summary>
public enum WireVersion
{
    /// <summary><c>/v0.5/patients/profile/share</c>, acknowledged by <c>/v0.5/patients/profile/on-share</c>.</summary>
    V05,

    /// <summary><c>/v1.0/patients/profile/share</c>, acknowledged by <c>/v1.0/patients/profile/on-share</c> with a token number.</summary>
    V10,

    /// <summary>
    /// ABDM v3: <c>/api/v3/hip/patient/share</c> (requestId and timestamp in the <c>REQUEST-ID</c> and <c>TIMESTAMP</c>
    /// headers), acknowledged by <c>/api/hiecm/patient-share/v3/on-share</c> with the token number and its expiry; the
    /// linking token comes from <c>/api/hiecm/v3/token/generate-token</c>.
    /// </summary>
    V3,
}
