namespace Abdm.ProfileShare;

/// <summary>The counter queue.</summary>
public sealed class QueueOptions
{
    /// <summary>
    /// How long a token number is valid from when it was issued (the patient's first scan)
    /// (<c>AbdmProfileShare:Queue:RescanWindow</c>). Default: 30 minutes, ABDM's rule. A re-scan by the same patient
    /// at the same counter within it gets the same token (the entry is refreshed) and, in v3, the remaining validity
    /// as the on-share <c>expiry</c>; a scan after it gets a new token.
    /// </summary>
    public TimeSpan RescanWindow { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How long an entry stays in the queue after its latest scan (<c>AbdmProfileShare:Queue:EntryLifetime</c>).
    /// Default: 4 hours. Must be at least <see cref="RescanWindow"/>.
    /// </summary>
    public TimeSpan EntryLifetime { get; set; } = TimeSpan.FromHours(4);

    /// <summary>
    /// How long expired entries are kept (for deduplication and audit) before they are purged
    /// (<c>AbdmProfileShare:Queue:Retention</c>). Default: 24 hours.
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// The time zone whose local day numbers tokens (<c>AbdmProfileShare:Queue:TimeZone</c>, an IANA or Windows id).
    /// Default: <c>Asia/Kolkata</c>.
    /// </summary>
    public string TimeZone { get; set; } = "Asia/Kolkata";

    /// <summary>
    /// The counter code used when a share carries no <c>hipCode</c> (<c>AbdmProfileShare:Queue:DefaultCounterCode</c>).
    /// Default: <c>default</c>.
    /// </summary>
    public string DefaultCounterCode { get; set; } = "default";
}
