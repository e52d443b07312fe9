namespace Abdm.ProfileShare;

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
