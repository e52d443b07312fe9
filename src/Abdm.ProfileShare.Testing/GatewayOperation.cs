namespace Abdm.ProfileShare.Testing;

/// <summary>
/// The operations the simulator receives (from the HIP) and sends (to the HIP). The v3 operations reuse the name of
/// their v0.5 counterpart (v3 sessions are <see cref="Sessions"/>, v3 on-share is <see cref="OnShare"/>, ...).
/// </summary>
public enum GatewayOperation
{
    /// <summary>Received: <c>POST {base}/v0.5/sessions</c> and (v3) <c>POST {root}/api/hiecm/gateway/v3/sessions</c>.</summary>
    Sessions,

    /// <summary>Received: <c>GET {base}/v0.5/certs</c> and (v3) <c>GET {root}/api/hiecm/gateway/v3/certs</c>.</summary>
    Certs,

    /// <summary>
    /// Received: <c>GET {base}/v0.5/.well-known/openid-configuration</c> and (v3)
    /// <c>GET {root}/api/hiecm/gateway/v3/.well-known/openid-configuration</c>.
    /// </summary>
    OpenIdConfiguration,

    /// <summary>
    /// Received: <c>POST {base}/v0.5/patients/profile/on-share</c>, <c>POST {base}/v1.0/patients/profile/on-share</c>
    /// and (v3) <c>POST {root}/api/hiecm/patient-share/v3/on-share</c>.
    /// </summary>
    OnShare,

    /// <summary>Received: <c>POST {base}/v0.5/users/auth/init</c>.</summary>
    AuthInit,

    /// <summary>Received: <c>POST {base}/v0.5/users/auth/confirm</c>.</summary>
    AuthConfirm,

    /// <summary>
    /// Sent: <c>POST {hip}/v0.5/patients/profile/share</c>, <c>POST {hip}/v1.0/patients/profile/share</c> or (v3)
    /// <c>POST {hip}/api/v3/hip/patient/share</c>.
    /// </summary>
    Share,

    /// <summary>Sent: <c>POST {hip}/v0.5/users/auth/on-init</c>.</summary>
    OnInit,

    /// <summary>Sent: <c>POST {hip}/v0.5/users/auth/on-confirm</c>.</summary>
    OnConfirm,

    /// <summary>Received (v3): <c>POST {root}/api/hiecm/v3/token/generate-token</c>, the HIP asking for a link token.</summary>
    GenerateToken,

    /// <summary>Sent (v3): <c>POST {hip}/api/v3/hip/token/on-generate-token</c>, the link token (or an error) for a generate-token.</summary>
    OnGenerateToken,

    /// <summary>Received (v3): <c>GET {root}/api/hiecm/gateway/v3/bridge-services</c>, the bridge's service ids.</summary>
    BridgeServices,

    /// <summary>
    /// Sent (v3): <c>POST {hip}/api/v3/hip/patient/running-token/status</c>, the gateway asking which token a counter
    /// serves now (<see cref="AbdmGatewaySimulator.RequestRunningTokenStatusAsync"/>).
    /// </summary>
    RunningTokenStatus,

    /// <summary>Received (v3): <c>POST {root}/api/hiecm/patient-share/v3/running-token/on-status</c>, the HIP's answer.</summary>
    OnRunningTokenStatus,
}
