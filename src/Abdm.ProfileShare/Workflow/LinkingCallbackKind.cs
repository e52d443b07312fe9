namespace Abdm.ProfileShare.Workflow;

/// <summary>Which of the linking chain's callbacks arrived.</summary>
public enum LinkingCallbackKind
{
    /// <summary>v0.5/v1.0 <c>users/auth/on-init</c>: the transaction id, or an error.</summary>
    AuthOnInit,

    /// <summary>v0.5/v1.0 <c>users/auth/on-confirm</c>: the linking token, or an error (1441 when the demographics did not match).</summary>
    AuthOnConfirm,

    /// <summary>v3 <c>on-generate-token</c>: the link token, or an error (<c>ABDM-1092</c>, ...).</summary>
    OnGenerateToken,
}
