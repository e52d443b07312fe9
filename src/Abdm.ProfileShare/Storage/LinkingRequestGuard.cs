using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Storage;

/// <summary>
/// What the store remembers about the linking-token requests for one patient (PHR address) at one HIP, so that no
/// instance sends a request the gateway would refuse: the last request let through (ABDM refuses a second token request
/// within about 6.2 minutes of an accepted one with <c>ABDM-1092</c>) and a block (<c>ABDM-1027</c>: "blocked, try again
/// after 24 hours", earned by repeated refusals). Written by <see cref="IProfileShareStore.TryBeginLinkingRequestAsync"/>
/// and <see cref="IProfileShareStore.BlockLinkingRequestsAsync"/>; shared by every instance using the store.
/// </summary>
public sealed record LinkingRequestGuard
{
    /// <summary>The HIP id.</summary>
    public required string HipId { get; init; }

    /// <summary>The PHR address, as <see cref="PhrAddress.Fold"/> folds it.</summary>
    public required string HealthId { get; init; }

    /// <summary>The requestId of the last request let through, if any.</summary>
    public Guid? LastRequestId { get; init; }

    /// <summary>When the last request was let through.</summary>
    public DateTimeOffset? LastRequestAt { get; init; }

    /// <summary>Until when no request may be sent for the patient at this HIP (the gateway blocked the address).</summary>
    public DateTimeOffset? BlockedUntil { get; init; }

    /// <summary>The gateway's error code that caused the block (for example <c>ABDM-1027</c>).</summary>
    public string? BlockCode { get; init; }

    /// <summary>Whether the address is blocked at <paramref name="now"/>.</summary>
    /// <param name="now">The current time.</param>
    /// <returns><see langword="true"/> while <see cref="BlockedUntil"/> is after <paramref name="now"/>.</returns>
    public bool IsBlocked(DateTimeOffset now) => BlockedUntil > now;

    /// <summary>Whether the request <paramref name="requestId"/> may be sent: it is the request let through, and no block holds.</summary>
    /// <param name="requestId">The request about to be sent.</param>
    /// <param name="now">The current time.</param>
    /// <returns><see langword="true"/> when it may be sent.</returns>
    public bool Grants(Guid requestId, DateTimeOffset now) => LastRequestId == requestId && !IsBlocked(now);
}
