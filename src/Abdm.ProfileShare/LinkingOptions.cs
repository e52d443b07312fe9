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
}
