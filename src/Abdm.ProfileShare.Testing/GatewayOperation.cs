namespace Abdm.ProfileShare.Testing;

/// <summary>The operations the simulator receives (from the HIP) and sends (to the HIP).</summary>
public enum GatewayOperation
{
    /// <summary>Received: <c>POST {base}/v0.5/sessions</c>.</summary>
    Sessions,

    /// <summary>Received: <c>GET {base}/v0.5/certs</c>.</summary>
    Certs,

    /// <summary>Received: <c>GET {base}/v0.5/.well-known/openid-configuration</c>.</summary>
    OpenIdConfiguration,

    /// <summary>Received: <c>POST {base}/v0.5/patients/profile/on-share</c> and <c>POST {base}/v1.0/patients/profile/on-share</c>.</summary>
    OnShare,

    /// <summary>Received: <c>POST {base}/v0.5/users/auth/init</c>.</summary>
    AuthInit,

    /// <summary>Received: <c>POST {base}/v0.5/users/auth/confirm</c>.</summary>
    AuthConfirm,

    /// <summary>Sent: <c>POST {hip}/v0.5/patients/profile/share</c> or <c>POST {hip}/v1.0/patients/profile/share</c>.</summary>
    Share,

    /// <summary>Sent: <c>POST {hip}/v0.5/users/auth/on-init</c>.</summary>
    OnInit,

    /// <summary>Sent: <c>POST {hip}/v0.5/users/auth/on-confirm</c>.</summary>
    OnConfirm,
}
