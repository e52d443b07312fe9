namespace Abdm.ProfileShare.Storage;

/// <summary>What happened to a queue entry.</summary>
public enum QueueChangeKind
{
    /// <summary>A new entry.</summary>
    Added,

    /// <summary>An entry changed (re-scan, decision, acknowledgement, claim, linking state, ...).</summary>
    Updated,

    /// <summary>An entry left the queue (completed, dismissed, rejected or expired).</summary>
    Removed,
}

/// <summary>
/// A change-feed event. It carries ids only (no patient data), so it can cross process boundaries;
/// subscribers read the entry when they need it.
/// </summary>
/// <param name="Kind">What happened.</param>
/// <param name="EntryId">The entry.</param>
/// <param name="HipId">The entry's HIP id.</param>
/// <param name="CounterCode">The entry's counter code.</param>
/// <param name="Version">The entry's version after the change.</param>
public sealed record QueueChange(QueueChangeKind Kind, Guid EntryId, string HipId, string CounterCode, long Version);
