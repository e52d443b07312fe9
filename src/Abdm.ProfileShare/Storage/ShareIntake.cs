using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Storage;

/// <summary>
/// A validated share to accept atomically: deduplicate by requestId, refresh a re-scan or allocate a token
/// and create the entry, and enqueue its acknowledgement.
/// </summary>
public sealed record ShareIntake
{
    /// <summary>The gateway's requestId of the share (the idempotency key).</summary>
    public required Guid ShareRequestId { get; init; }

    /// <summary>The HIP id.</summary>
    public required string HipId { get; init; }

    /// <summary>The counter code.</summary>
    public required string CounterCode { get; init; }

    /// <summary>The shared profile.</summary>
    public required SharedPatientProfile Profile { get; init; }

    /// <summary>The wire version of the share.</summary>
    public required WireVersion WireVersion { get; init; }

    /// <summary>When the share was received.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The local day at <see cref="ReceivedAt"/> (token numbers restart each day).</summary>
    public required DateOnly ServiceDay { get; init; }

    /// <summary>
    /// How long a token is valid from its first scan: a re-scan by the same PHR address at the same counter whose active
    /// entry was first scanned at or after <c><see cref="ReceivedAt"/> - RescanWindow</c> refreshes that entry and keeps
    /// its token; re-scans do not extend the window.
    /// </summary>
    public required TimeSpan RescanWindow { get; init; }

    /// <summary>How long an entry stays in the queue after its latest scan.</summary>
    public required TimeSpan EntryLifetime { get; init; }

    /// <summary>The id to give a new entry.</summary>
    public required Guid NewEntryId { get; init; }

    /// <summary>The id of the acknowledgement outbox item to enqueue.</summary>
    public required Guid AcknowledgementItemId { get; init; }

    /// <summary>The requestId the on-share acknowledgement will carry.</summary>
    public required Guid AcknowledgementRequestId { get; init; }

    /// <summary>
    /// A hash of what the share asks for (the workflow computes it from the HIP, the counter and the normalised
    /// profile), or <see langword="null"/> when unknown. A store keeps it with the requestId's deduplication record
    /// and, when the same requestId arrives again, reports whether the hashes differ
    /// (<see cref="ShareIntakeResult.ContentConflict"/>). Opaque to stores: compare it ordinally, never parse it.
    /// </summary>
    public string? ContentHash { get; init; }

    /// <summary>The entry a <see cref="ShareIntakeOutcome.Created"/> intake stores (status Received, version 1).</summary>
    /// <param name="tokenNumber">The token number the store allocated.</param>
    /// <returns>The new entry.</returns>
    public QueueEntry NewEntry(int tokenNumber) => new()
    {
        Id = NewEntryId,
        HipId = HipId,
        CounterCode = CounterCode,
        TokenNumber = tokenNumber,
        ServiceDay = ServiceDay,
        Profile = Profile,
        WireVersion = WireVersion,
        LatestShareRequestId = ShareRequestId,
        FirstScannedAt = ReceivedAt,
        LastScannedAt = ReceivedAt,
        ExpiresAt = ReceivedAt + EntryLifetime,
        Version = 1,
    };

    /// <summary>
    /// The entry a <see cref="ShareIntakeOutcome.Rescanned"/> intake stores: <paramref name="existing"/> refreshed (profile,
    /// wire version, latest share requestId, scan count + 1, last scan time, expiry, acknowledgement Pending, version + 1),
    /// keeping its token number.
    /// </summary>
    /// <param name="existing">The active entry of the same patient at the same counter.</param>
    /// <returns>The refreshed entry.</returns>
    public QueueEntry Rescan(QueueEntry existing)
    {
        ArgumentNullException.ThrowIfNull(existing);
        return existing with
        {
            Profile = Profile,
            WireVersion = WireVersion,
            LatestShareRequestId = ShareRequestId,
            ScanCount = existing.ScanCount + 1,
            LastScannedAt = ReceivedAt,
            ExpiresAt = ReceivedAt + EntryLifetime,
            Acknowledgement = AcknowledgementState.Pending,
            Version = existing.Version + 1,
        };
    }

    /// <summary>The acknowledgement outbox item a Created or Rescanned intake enqueues, due at once.</summary>
    /// <param name="entryId">The entry it belongs to.</param>
    /// <returns>The item.</returns>
    public OutboxItem AcknowledgementItem(Guid entryId) => new()
    {
        Id = AcknowledgementItemId,
        Kind = OutboxItemKind.ShareAcknowledgement,
        EntryId = entryId,
        RequestId = AcknowledgementRequestId,
        CorrelatesTo = ShareRequestId,
        CreatedAt = ReceivedAt,
        DueAt = ReceivedAt,
    };
}

/// <summary>What accepting a share did.</summary>
public enum ShareIntakeOutcome
{
    /// <summary>A new entry with a new token number.</summary>
    Created,

    /// <summary>The same patient re-scanned at the same counter within the window: the entry was refreshed and keeps its token.</summary>
    Rescanned,

    /// <summary>The requestId was seen before: nothing changed.</summary>
    Duplicate,
}

/// <summary>The result of <see cref="IProfileShareStore.AcceptShareAsync"/>.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Entry">The entry as stored after the call.</param>
public sealed record ShareIntakeResult(ShareIntakeOutcome Outcome, QueueEntry Entry)
{
    /// <summary>
    /// For a <see cref="ShareIntakeOutcome.Duplicate"/>: the requestId was first accepted with another
    /// <see cref="ShareIntake.ContentHash"/> (the same requestId, a different body). Nothing changed either way.
    /// <see langword="false"/> when either hash is unknown (a record stored by an earlier version, or an intake
    /// without a hash) and for every other outcome.
    /// </summary>
    public bool ContentConflict { get; init; }

    /// <summary>Whether a stored content hash and an arriving one conflict: both known and different.</summary>
    /// <param name="stored">The hash kept with the requestId (null when unknown).</param>
    /// <param name="arriving">The hash of the arriving intake (null when unknown).</param>
    /// <returns><see langword="true"/> when both are known and differ (ordinally).</returns>
    public static bool IsConflict(string? stored, string? arriving) =>
        !string.IsNullOrEmpty(stored) && !string.IsNullOrEmpty(arriving) && !string.Equals(stored, arriving, StringComparison.Ordinal);
}
