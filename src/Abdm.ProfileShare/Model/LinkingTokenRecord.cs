namespace Abdm.ProfileShare.Model;

/// <summary>
/// A linking token (on-confirm <c>auth.accessToken</c>, v3 <c>linkToken</c>) for one patient at one HIP: a bearer
/// credential for the patient's records. It cannot be fetched again, so it is stored until <see cref="ExpiresAt"/>;
/// the store purge deletes it after that, and it is never handed out once expired.
/// </summary>
/// <remarks>
/// <para>At rest the workflow stores <see cref="Token"/> encrypted with ASP.NET Core Data Protection (the host's key
/// ring), so a store, including a third-party one, only ever sees ciphertext. <c>ICounterQueue.GetLinkingTokenAsync</c>
/// and <c>ILinkingTokenHandler</c> receive the clear token. A record read straight from a store
/// (<c>IProfileShareStore.GetLinkingTokenAsync</c>) carries the stored value.</para>
/// </remarks>
public sealed record LinkingTokenRecord
{
    /// <summary>The HIP the token was issued to.</summary>
    public required string HipId { get; init; }

    /// <summary>The patient's PHR address.</summary>
    public required string HealthId { get; init; }

    /// <summary>The token itself. Secret: never logged.</summary>
    /// <remarks>Clear in the records the host receives; in a store, the encrypted value (<c>dp1:</c> followed by the
    /// Data Protection payload), or the clear token for a record stored by a version before encryption (still read as
    /// before, and stored encrypted when the patient's next token replaces it).</remarks>
    public required string Token { get; init; }

    /// <summary>The queue entry whose chain obtained it.</summary>
    public required Guid EntryId { get; init; }

    /// <summary>When it was received.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>When the token expires: it is not handed out from then on, and the store purge deletes it.</summary>
    /// <remarks>
    /// <para>Read from the token's <c>exp</c> claim when it is received (the JWT payload is decoded, not validated:
    /// the gateway's v0.5 tokens live about 24 hours, v3 link tokens 182.5 days). When the token is not a JWT or has no
    /// readable <c>exp</c>, <see cref="ReceivedAt"/> + 24 hours.</para>
    /// <para><see langword="null"/> only in a record stored by a version before this property existed; the workflow
    /// then applies the same rule to the stored token when it reads it.</para>
    /// </remarks>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>When the hospital reported it used (linked a record), if it did.</summary>
    public DateTimeOffset? UsedAt { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"LinkingTokenRecord {{ HipId = {HipId}, EntryId = {EntryId}, ReceivedAt = {ReceivedAt:O}, ExpiresAt = {ExpiresAt:O}, Used = {UsedAt is not null} }}";
}
