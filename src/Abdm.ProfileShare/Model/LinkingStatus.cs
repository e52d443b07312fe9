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

    /// <summary>v3: the <c>REQUEST-ID</c> of the <c>generate-token</c> call (correlates <c>on-generate-token</c>).</summary>
    public Guid? TokenRequestId { get; init; }

    /// <summary>
    /// The gateway's error code when <see cref="State"/> is <see cref="LinkingState.Failed"/>: <c>1441</c> in v0.5,
    /// <c>ABDM-1051</c> style in v3 (a trailing <c>": "</c> trimmed).
    /// </summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(Storage.Internal.ErrorCodeJsonConverter))]
    public string? ErrorCode { get; init; }

    /// <summary>The gateway's error message, or a description of the timeout.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>When the state last changed.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>When a <see cref="LinkingState.Throttled"/> chain sends its token request.</summary>
    public DateTimeOffset? ProceedAt { get; init; }

    /// <summary>
    /// Whether the chain was linked with the patient's stored token (<c>Linking:ReuseTokens</c>) rather than a new one:
    /// no gateway call was made.
    /// </summary>
    public bool ReusedToken { get; init; }

    /// <summary>The requestId of the call whose callback the chain waits for now, if it waits.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Guid? AwaitedRequestId => State switch
    {
        LinkingState.AwaitingTransaction => InitRequestId,
        LinkingState.AwaitingToken => TokenRequestId ?? ConfirmRequestId,
        _ => null,
    };

    /// <summary>Whether the chain is waiting for a gateway callback.</summary>
    public bool IsInFlight => State is LinkingState.AwaitingTransaction or LinkingState.AwaitingToken;

    /// <summary>Whether the chain is running: waiting for a callback, or throttled until <see cref="ProceedAt"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsRunning => IsInFlight || State == LinkingState.Throttled;
}
