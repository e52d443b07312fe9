using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Storage;

/// <summary>
/// One atomic change: the entry's new state (written only if the stored version still equals
/// <see cref="QueueEntry.Version"/> of <see cref="Entry"/>), plus the outbox items, correlations and linking
/// token that go with it, and the outbox item the change completes.
/// </summary>
public sealed record EntryUpdate
{
    /// <summary>The entry's new state. Its <see cref="QueueEntry.Version"/> is the version that was read; the store writes version + 1.</summary>
    public required QueueEntry Entry { get; init; }

    /// <summary>Outbox items to add.</summary>
    public IReadOnlyList<OutboxItem> Enqueue { get; init; } = [];

    /// <summary>Correlations to record.</summary>
    public IReadOnlyList<Correlation> Correlations { get; init; } = [];

    /// <summary>The outbox item this change finishes (removed in the same transaction), if any.</summary>
    public Guid? CompleteOutboxItemId { get; init; }

    /// <summary>A linking token to store (replacing an earlier one for the same HIP id and PHR address).</summary>
    public LinkingTokenRecord? LinkingToken { get; init; }
}
