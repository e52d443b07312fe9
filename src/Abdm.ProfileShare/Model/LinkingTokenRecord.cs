namespace Abdm.ProfileShare.Model;

/// <summary>
/// A linking token (on-confirm <c>auth.accessToken</c>) for one patient at one HIP. It is single-use and
/// cannot be fetched again, so it is stored until the hospital links a health record with it.
/// </summary>
public sealed record LinkingTokenRecord
{
    /// <summary>The HIP the token was issued to.</summary>
    public required string HipId { get; init; }

    /// <summary>The patient's PHR address.</summary>
    public required string HealthId { get; init; }

    /// <summary>The token itself. Secret: never logged.</summary>
    public required string Token { get; init; }

    /// <summary>The queue entry whose chain obtained it.</summary>
    public required Guid EntryId { get; init; }

    /// <summary>When it was received.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>When the hospital reported it used (linked a record), if it did.</summary>
    public DateTimeOffset? UsedAt { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"LinkingTokenRecord {{ HipId = {HipId}, EntryId = {EntryId}, ReceivedAt = {ReceivedAt:O}, Used = {UsedAt is not null} }}";
}
