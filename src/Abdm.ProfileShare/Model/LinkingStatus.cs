namespace Abdm.ProfileShare.Model;

/// <summary>The linking-token chain of one queue entry.</summary>
public sealed record LinkingStatus
{
    /// <summary>The state.</summary>
    public LinkingState State { get; init; } = LinkingState.NotStarted;

    /// <summary>The requestId of the <c>users/auth/init</c> call (correlates <c>on-init</c>).</summary>
    public Guid? InitRequestId { get; init; }

    /// <summary>The gateway's transactionId from <c>on-init</c>.</summary>
    public string? TransactionId { get; init; }

    /// <summary>The requestId of the <c>users/auth/confirm</c> call (correlates <c>on-confirm</c>).</summary>
    public Guid? ConfirmRequestId { get; init; }

    /// <summary>The gateway's error code when <see cref="State"/> is <see cref="LinkingState.Failed"/> (for example 1441).</summary>
    public int? ErrorCode { get; init; }

    /// <summary>The gateway's error message, or a description of the timeout.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>When the state last changed.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>Whether the chain is waiting for a gateway callback.</summary>
    public bool IsInFlight => State is LinkingState.AwaitingTransaction or LinkingState.AwaitingToken;
}
