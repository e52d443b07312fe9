namespace Abdm.ProfileShare;

/// <summary>The outbox processor.</summary>
public sealed class OutboxOptions
{
    /// <summary>How long a processor holds an item before another may take it over (<c>AbdmProfileShare:Outbox:LeaseDuration</c>). Default: 60 seconds.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>First delay after a failed attempt, doubled each time (<c>AbdmProfileShare:Outbox:RetryBaseDelay</c>). Default: 1 second.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest delay between attempts (<c>AbdmProfileShare:Outbox:RetryMaxDelay</c>). Default: 2 minutes.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Items run at once (<c>AbdmProfileShare:Outbox:MaxConcurrency</c>). Default: 16.</summary>
    public int MaxConcurrency { get; set; } = 16;

    /// <summary>
    /// How often an idle processor looks for items other instances left behind (expired leases)
    /// (<c>AbdmProfileShare:Outbox:IdleCheckInterval</c>). Default: 5 seconds. Local work wakes it at once.
    /// </summary>
    public TimeSpan IdleCheckInterval { get; set; } = TimeSpan.FromSeconds(5);
}
