using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Gateway;

/// <summary>An on-share acknowledgement to send.</summary>
public sealed record ShareAcknowledgement
{
    /// <summary>The requestId of this call (a fresh nonce; keep it the same when retrying).</summary>
    public required Guid RequestId { get; init; }

    /// <summary>The requestId of the share being answered (<c>resp.requestId</c>; in v3 <c>response.requestId</c>, the share's <c>REQUEST-ID</c> header).</summary>
    public required Guid ShareRequestId { get; init; }

    /// <summary>The patient's PHR address, exactly as shared (<c>acknowledgement.healthId</c>; v3 <c>acknowledgement.abhaAddress</c>).</summary>
    public required string HealthId { get; init; }

    /// <summary>Which on-share to call: <c>/v0.5</c>, <c>/v1.0</c> or the v3 <c>/api/hiecm/patient-share/v3/on-share</c>.</summary>
    public required WireVersion WireVersion { get; init; }

    /// <summary><see langword="true"/> for <c>SUCCESS</c>, <see langword="false"/> for <c>FAILURE</c> (v3: <c>FAILED</c>).</summary>
    public required bool Success { get; init; }

    /// <summary>The token number the patient's phone shows (required for v1.0 and v3).</summary>
    public string? TokenNumber { get; init; }

    /// <summary>v3: the counter id the share named (<c>acknowledgement.profile.context</c>).</summary>
    public string? CounterCode { get; init; }

    /// <summary>v3: how long the token stays valid from now (<c>acknowledgement.profile.expiry</c>, sent in <c>V3:ExpiryUnit</c>).</summary>
    public TimeSpan? TokenExpiresIn { get; init; }

    /// <summary>For a FAILURE: the message the patient's phone shows.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>
    /// For a FAILURE: the error code. Default: <c>1000</c> in v0.5 and v1.0 (an integer there: a non-numeric code is
    /// sent as 1000), <c>V3:RejectionErrorCode</c> (<c>ABDM-9999</c>) in v3.
    /// </summary>
    public string? ErrorCode { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"ShareAcknowledgement {{ RequestId = {RequestId}, ShareRequestId = {ShareRequestId}, Success = {Success} }}";
}

/// <summary>A v3 <c>generate-token</c> call for a linking token; the gateway answers on <c>on-generate-token</c>.</summary>
public sealed record LinkTokenRequest
{
    /// <summary>The requestId of this call (<c>REQUEST-ID</c>); <c>on-generate-token</c> names it in <c>response.requestId</c>.</summary>
    public required Guid RequestId { get; init; }

    /// <summary>The HIP requesting (<c>X-HIP-ID</c>).</summary>
    public required string HipId { get; init; }

    /// <summary>
    /// The profile as shared: ABHA address, name, gender and year of birth are sent exactly; the ABHA number too when
    /// the patient has one (as its 14 digits, a JSON number).
    /// </summary>
    public required SharedPatientProfile Profile { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"LinkTokenRequest {{ RequestId = {RequestId}, HipId = {HipId} }}";
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

/// <summary>
/// The answer to the gateway's running-token status request (v3 <c>/api/hiecm/patient-share/v3/running-token/on-status</c>):
/// the token a counter serves now and its average service time, or an error (<c>ABDM-1031</c> when the counter has no
/// token today).
/// </summary>
public sealed record RunningTokenStatusAnswer
{
    /// <summary>This call's <c>REQUEST-ID</c> (the same on every retry).</summary>
    public required Guid RequestId { get; init; }

    /// <summary>The gateway's status request being answered (<c>response.requestId</c>).</summary>
    public required Guid StatusRequestId { get; init; }

    /// <summary>The HIP (bridge service) id the counter belongs to (<c>X-HIP-ID</c>).</summary>
    public required string HipId { get; init; }

    /// <summary>The token the counter serves now (the one most recently called); <see langword="null"/> with an error.</summary>
    public string? RunningTokenNumber { get; init; }

    /// <summary>The counter's average service time today, in whole minutes (at least 1).</summary>
    public int? AverageTokenServiceTimeInMinutes { get; init; }

    /// <summary>The error code when there is no running token (<c>ABDM-1031</c>).</summary>
    public string? ErrorCode { get; init; }

    /// <summary>The error message that goes with <see cref="ErrorCode"/>.</summary>
    public string? ErrorMessage { get; init; }
}
