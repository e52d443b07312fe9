namespace Abdm.ProfileShare;

/// <summary>The linking-token chain (demographic auth).</summary>
public sealed class LinkingOptions
{
    /// <summary>When to send <c>users/auth/init</c> (<c>AbdmProfileShare:Linking:Start</c>). Default: <see cref="LinkingStart.AfterAcknowledgement"/>.</summary>
    public LinkingStart Start { get; set; } = LinkingStart.AfterAcknowledgement;

    /// <summary>
    /// How long to wait for <c>on-init</c> or <c>on-confirm</c> after the call was accepted before the chain is
    /// marked timed out (<c>AbdmProfileShare:Linking:CallbackTimeout</c>). Default: 2 minutes.
    /// </summary>
    public TimeSpan CallbackTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Whether a chain that is about to request a token links the entry at once with the patient's stored, unexpired,
    /// unused token instead (<c>AbdmProfileShare:Linking:ReuseTokens</c>): no gateway call, and the host's
    /// <c>ILinkingTokenHandler</c> is told as for a new token. ABDM's v3 link token lives 182.5 days and ABDM asks HIPs to
    /// reuse it; a second request inside the gateway's window is refused (<c>ABDM-1092</c>) and repeated refusals block
    /// the patient's ABHA address for 24 hours (<c>ABDM-1027</c>). Default: <see langword="true"/>.
    /// </summary>
    public bool ReuseTokens { get; set; } = true;

    /// <summary>
    /// How long after a token request for a patient at a HIP (v3 <c>generate-token</c>, v0.5 <c>users/auth/init</c>)
    /// no other is sent, across every instance sharing the store (<c>AbdmProfileShare:Linking:RequestWindow</c>). A chain
    /// that would start inside it waits (linking state <c>Throttled</c>, with the time it proceeds) and proceeds once when
    /// it ends, unless a token arrived meanwhile. An <c>ABDM-1092</c> answer ("Duplicate Link token request") makes the
    /// chain wait a whole window; it is never retried at once. The sandbox refuses a second request for about 6.2
    /// minutes. Default: 7 minutes.
    /// </summary>
    public TimeSpan RequestWindow { get; set; } = TimeSpan.FromMinutes(7);

    /// <summary>
    /// The gateway error codes that mean the patient's ABHA address is blocked from token requests
    /// (<c>AbdmProfileShare:Linking:BlockedErrorCodes</c>): the chain fails with the gateway's message and no request is
    /// sent for that address at that HIP for <see cref="BlockDuration"/>, by any instance, across restarts. Compared
    /// without regard to case. Setting the list in configuration replaces the default. Default: <c>ABDM-1027</c>
    /// ("You are blocked. Please try again after 24 hours.").
    /// </summary>
    public IList<string> BlockedErrorCodes { get; } = ["ABDM-1027"];

    /// <summary>How long a block (<see cref="BlockedErrorCodes"/>) holds (<c>AbdmProfileShare:Linking:BlockDuration</c>). Default: 24 hours.</summary>
    public TimeSpan BlockDuration { get; set; } = TimeSpan.FromHours(24);
}
