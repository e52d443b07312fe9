namespace Abdm.ProfileShare.Storage;

/// <summary>What an outbox item does when it runs.</summary>
public enum OutboxItemKind
{
    /// <summary>Ask the host about the share, look the patient up, then send the on-share acknowledgement.</summary>
    ShareAcknowledgement,

    /// <summary>Send <c>users/auth/init</c> (purpose LINK, mode DEMOGRAPHICS).</summary>
    AuthInit,

    /// <summary>Send <c>users/auth/confirm</c> with the demographics exactly as shared.</summary>
    AuthConfirm,

    /// <summary>A durable timer: mark the linking chain timed out if the awaited callback has not arrived.</summary>
    LinkingTimeout,

    /// <summary>Tell the host's linking handler that the chain ended (token received, or failed).</summary>
    LinkingNotification,

    /// <summary>v3: send <c>generate-token</c> with the ABHA address, name, gender and year of birth exactly as shared.</summary>
    GenerateLinkToken,
}
