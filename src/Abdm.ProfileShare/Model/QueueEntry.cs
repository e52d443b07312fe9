namespace Abdm.ProfileShare.Model;

/// <summary>
/// One patient waiting at a registration counter: the profile they shared by scanning the counter's QR code,
/// their token number, the acknowledgement sent to their phone and the linking-token chain.
/// </summary>
/// <remarks>
/// Entries are immutable snapshots; every change is written through the store with optimistic concurrency
/// on <see cref="Version"/>. A re-scan by the same patient at the same counter inside the re-scan window
/// refreshes the entry (same token number) instead of adding one.
/// </remarks>
public sealed record QueueEntry
{
    /// <summary>The entry's id.</summary>
    public required Guid Id { get; init; }

    /// <summary>The HIP (facility) id the patient scanned, from <c>X-HIP-ID</c>.</summary>
    public required string HipId { get; init; }

    /// <summary>The counter code: the QR's <c>code</c>, sent back as <c>profile.hipCode</c>.</summary>
    public required string CounterCode { get; init; }

    /// <summary>The token number, sequential per HIP, counter and local day, starting at 1.</summary>
    public required int TokenNumber { get; init; }

    /// <summary>The local day the token number belongs to.</summary>
    public required DateOnly ServiceDay { get; init; }

    /// <summary>The shared demographics (the latest scan's).</summary>
    public required SharedPatientProfile Profile { get; init; }

    /// <summary>The wire version of the latest scan (its acknowledgement goes back in that version).</summary>
    public required WireVersion WireVersion { get; init; }

    /// <summary>The gateway requestId of the latest share.</summary>
    public required Guid LatestShareRequestId { get; init; }

    /// <summary>How many times the patient scanned for this entry.</summary>
    public int ScanCount { get; init; } = 1;

    /// <summary>When the first scan was accepted.</summary>
    public required DateTimeOffset FirstScannedAt { get; init; }

    /// <summary>When the latest scan was accepted.</summary>
    public required DateTimeOffset LastScannedAt { get; init; }

    /// <summary>When the entry leaves the queue if nobody completes it.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The entry's status.</summary>
    public QueueEntryStatus Status { get; init; } = QueueEntryStatus.Received;

    /// <summary>The message the patient's phone was given when the host rejected the share.</summary>
    public string? RejectionReason { get; init; }

    /// <summary>The operator who claimed the entry.</summary>
    public string? ClaimedBy { get; init; }

    /// <summary>When the entry was claimed.</summary>
    public DateTimeOffset? ClaimedAt { get; init; }

    /// <summary>
    /// When the counter called this token (the counter's "now serving"): an explicit call-next, or the claim (a claim
    /// counts as calling). The running-token status answers the most recently called token.
    /// </summary>
    public DateTimeOffset? CalledAt { get; init; }

    /// <summary>When the patient was registered (status <see cref="QueueEntryStatus.Completed"/>).</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>The hospital's patient id once the operator registered or linked the patient.</summary>
    public string? RegisteredPatientId { get; init; }

    /// <summary>The state of the on-share acknowledgement for the latest scan.</summary>
    public AcknowledgementState Acknowledgement { get; init; } = AcknowledgementState.Pending;

    /// <summary>New or returning patient, and match candidates.</summary>
    public PatientMatch Match { get; init; } = PatientMatch.NotChecked;

    /// <summary>The linking-token chain.</summary>
    public LinkingStatus Linking { get; init; } = new();

    /// <summary>The concurrency version; the store increments it on every write.</summary>
    public long Version { get; init; }

    /// <summary>Whether the entry is still in the queue (not completed, dismissed, rejected or expired).</summary>
    /// <param name="now">The current time.</param>
    /// <returns><see langword="true"/> when an operator can still act on it.</returns>
    public bool IsActive(DateTimeOffset now) =>
        Status is QueueEntryStatus.Received or QueueEntryStatus.Waiting or QueueEntryStatus.Claimed && ExpiresAt > now;

    /// <inheritdoc />
    public override string ToString() =>
        $"QueueEntry {{ Id = {Id}, HipId = {HipId}, CounterCode = {CounterCode}, TokenNumber = {TokenNumber}, Status = {Status}, Version = {Version} }}";
}
