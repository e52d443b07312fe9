namespace Abdm.ProfileShare.Model;

/// <summary>
/// Where the chain that obtains the linking token stands: the v0.5 demographic-auth chain (init, on-init, confirm,
/// on-confirm) or the v3 generate-token call and its on-generate-token callback.
/// </summary>
public enum LinkingState
{
    /// <summary>Not started (waiting for the on-share, or for an operator to claim the entry).</summary>
    NotStarted,

    /// <summary><c>users/auth/init</c> is queued or sent; waiting for <c>on-init</c>.</summary>
    AwaitingTransaction,

    /// <summary><c>users/auth/confirm</c> (v3: <c>generate-token</c>) is queued or sent; waiting for <c>on-confirm</c> (v3: <c>on-generate-token</c>).</summary>
    AwaitingToken,

    /// <summary>The linking token was received and stored.</summary>
    Linked,

    /// <summary>The gateway answered with an error (for example 1441 on a demographic mismatch, or v3 <c>ABDM-1051</c>).</summary>
    Failed,

    /// <summary>A callback did not arrive within the configured timeout.</summary>
    TimedOut,

    /// <summary>
    /// The token request waits until <see cref="LinkingStatus.ProceedAt"/>: a request for the same patient at this HIP was
    /// sent less than <c>Linking:RequestWindow</c> ago (ABDM refuses a second one inside its window with <c>ABDM-1092</c>),
    /// or the gateway just answered <c>ABDM-1092</c>. It is sent once when the window ends, unless a token arrived
    /// meanwhile (then <see cref="Linked"/>).
    /// </summary>
    Throttled,
}
