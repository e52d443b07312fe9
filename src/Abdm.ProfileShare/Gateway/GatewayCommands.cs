using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Gateway;

/// <summary>An on-share acknowledgement to send.</summary>
public sealed record ShareAcknowledgement
{
    /// <summary>The requestId of this call (a fresh nonce; keep it the same when retrying).</summary>
    public required Guid RequestId { get; init; }

    /// <summary>The requestId of the share being answered (<c>resp.requestId</c>).</summary>
    public required Guid ShareRequestId { get; init; }

    /// <summary>The patient's PHR address, exactly as shared (<c>acknowledgement.healthId</c>).</summary>
    public required string HealthId { get; init; }

    /// <summary>Which on-share to call: the share's own version.</summary>
    public required WireVersion WireVersion { get; init; }

    /// <summary><see langword="true"/> for <c>SUCCESS</c>, <see langword="false"/> for <c>FAILURE</c>.</summary>
    public required bool Success { get; init; }

    /// <summary>The token number the patient's phone shows (required for v1.0 SUCCESS).</summary>
    public string? TokenNumber { get; init; }

    /// <summary>For a FAILURE: the message the patient's phone shows.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>For a FAILURE: the error code. Default 1000 (the code the specification gives).</summary>
    public int ErrorCode { get; init; } = 1000;

    /// <inheritdoc />
    public override string ToString() => $"ShareAcknowledgement {{ RequestId = {RequestId}, ShareRequestId = {ShareRequestId}, Success = {Success} }}";
}

/// <summary>A <c>users/auth/init</c> call for a linking token.</summary>
public sealed record LinkingAuthInit
{
    /// <summary>The requestId of this call; the gateway's <c>on-init</c> names it in <c>resp.requestId</c>.</summary>
    public required Guid RequestId { get; init; }

    /// <summary>The patient's PHR address (<c>query.id</c>).</summary>
    public required string HealthId { get; init; }

    /// <summary>The HIP requesting (<c>query.requester.id</c>).</summary>
    public required string HipId { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"LinkingAuthInit {{ RequestId = {RequestId}, HipId = {HipId} }}";
}

/// <summary>A <c>users/auth/confirm</c> call with demographics.</summary>
public sealed record DemographicAuthConfirm
{
    /// <summary>The requestId of this call; the gateway's <c>on-confirm</c> names it in <c>resp.requestId</c>.</summary>
    public required Guid RequestId { get; init; }

    /// <summary>The transactionId from <c>on-init</c>.</summary>
    public required string TransactionId { get; init; }

    /// <summary>The profile as shared: name, gender, date of birth (<c>YYYY-MM-DD</c>, 01 for unknown parts) and mobile are sent exactly.</summary>
    public required SharedPatientProfile Profile { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"DemographicAuthConfirm {{ RequestId = {RequestId} }}";
}
