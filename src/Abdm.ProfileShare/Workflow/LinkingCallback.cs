namespace Abdm.ProfileShare.Workflow;

/// <summary>
/// A linking-chain callback, authenticated by the transport and read by <see cref="IProfileShareInbox.ReadLinkingCallback"/>:
/// the answer to a request this host sent, named by <see cref="RequestId"/>.
/// </summary>
public sealed record LinkingCallback
{
    /// <summary>Which callback.</summary>
    public required LinkingCallbackKind Kind { get; init; }

    /// <summary>The HIP it is for (<c>X-HIP-ID</c>): it must be the HIP the request was sent for.</summary>
    public required string HipId { get; init; }

    /// <summary>The requestId of the call it answers (<c>resp.requestId</c>; v3 <c>response.requestId</c>).</summary>
    public required Guid RequestId { get; init; }

    /// <summary><see cref="LinkingCallbackKind.AuthOnInit"/>: the transaction id to confirm; null when it carried none.</summary>
    public string? TransactionId { get; init; }

    /// <summary>The linking token (<c>auth.accessToken</c>; v3 <c>linkToken</c>); null when it carried none. Never logged.</summary>
    public string? LinkingToken { get; init; }

    /// <summary>
    /// The gateway's error code as text, when it answered with an error: v0.5 the integer's digits (<c>1441</c>), v3 the
    /// code trimmed of the sandbox's trailing colon (<c>"ABDM-1092: "</c> is <c>ABDM-1092</c>); null when it sent none.
    /// </summary>
    public string? ErrorCode { get; init; }

    /// <summary>The gateway's error message, when it answered with an error.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>Whether the callback carried an error object (with or without a code and message).</summary>
    public bool IsError { get; init; }

    /// <summary>Ids and the error code only: the linking token is a credential and never printed.</summary>
    /// <returns>The kind, HIP, request id and error code.</returns>
    public override string ToString() => $"LinkingCallback {{ Kind = {Kind}, HipId = {HipId}, RequestId = {RequestId}, ErrorCode = {ErrorCode} }}";
}
