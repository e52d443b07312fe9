namespace Abdm.ProfileShare.Model;

/// <summary>Where the demographic-auth chain that obtains the linking token stands.</summary>
public enum LinkingState
{
    /// <summary>Not started (waiting for the on-share, or for an operator to claim the entry).</summary>
    NotStarted,

    /// <summary><c>users/auth/init</c> is queued or sent; waiting for <c>on-init</c>.</summary>
    AwaitingTransaction,

    /// <summary><c>users/auth/confirm</c> is queued or sent; waiting for <c>on-confirm</c>.</summary>
    AwaitingToken,

    /// <summary>The linking token was received and stored.</summary>
    Linked,

    /// <summary>The gateway answered with an error (for example 1441 on a demographic mismatch).</summary>
    Failed,

    /// <summary>A callback did not arrive within the configured timeout.</summary>
    TimedOut,
}
