namespace Abdm.ProfileShare.Storage;

/// <summary>Which callback a correlation waits for.</summary>
public enum CorrelationKind
{
    /// <summary><c>users/auth/on-init</c>, correlated by the init call's requestId.</summary>
    AuthInit,

    /// <summary><c>users/auth/on-confirm</c>, correlated by the confirm call's requestId.</summary>
    AuthConfirm,

    /// <summary>v3 <c>on-generate-token</c>, correlated by the generate-token call's <c>REQUEST-ID</c>.</summary>
    LinkToken,
}

/// <summary>
/// Remembers an outbound requestId so that its callback (<c>resp.requestId</c>) finds its queue entry on
/// any instance, even when it arrives before the outbound HTTP call has returned.
/// </summary>
/// <param name="RequestId">The requestId the outbound call carries (in v3 its <c>REQUEST-ID</c> header).</param>
/// <param name="Kind">The callback it waits for.</param>
/// <param name="EntryId">The queue entry.</param>
/// <param name="HipId">The HIP that made the call; the callback must be for the same HIP.</param>
/// <param name="CreatedAt">When it was recorded.</param>
public sealed record Correlation(Guid RequestId, CorrelationKind Kind, Guid EntryId, string HipId, DateTimeOffset CreatedAt);
