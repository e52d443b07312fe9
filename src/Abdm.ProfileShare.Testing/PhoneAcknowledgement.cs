using Abdm.ProfileShare.Wire;

namespace Abdm.ProfileShare.Testing;

/// <summary>What the patient's phone shows once the HIP's on-share arrived at the gateway.</summary>
/// <param name="Status">
/// <see cref="PhoneAcknowledgementStatus.Success"/> or <see cref="PhoneAcknowledgementStatus.Failure"/>, as the HIP sent it
/// (a v3 <c>FAILED</c>, or a v3 on-share with an <c>error</c> and no acknowledgement, is a failure).
/// </param>
/// <param name="TokenNumber">The token number (v1.0 on-share, v3 <c>acknowledgement.profile.tokenNumber</c>), or <see langword="null"/>.</param>
/// <param name="ErrorCode">The on-share's numeric <c>error.code</c> (v0.5/v1.0), or <see langword="null"/> (see <see cref="ErrorCodeText"/> for v3).</param>
/// <param name="ErrorMessage">The on-share's <c>error.message</c> (shown to the patient on FAILURE), or <see langword="null"/>.</param>
/// <param name="OnShareRequestId">The on-share's own <c>requestId</c> (v3: its <c>REQUEST-ID</c> header).</param>
/// <param name="ReceivedAt">When the simulator accepted the on-share.</param>
public sealed record PhoneAcknowledgement(
    PhoneAcknowledgementStatus Status,
    string? TokenNumber,
    int? ErrorCode,
    string? ErrorMessage,
    Guid OnShareRequestId,
    DateTimeOffset ReceivedAt)
{
    /// <summary>The acknowledgement as the simulator reads it off the wire (the on-share's status enum).</summary>
    internal PhoneAcknowledgement(ShareProfileStatus status, string? tokenNumber, int? errorCode, string? errorMessage, Guid onShareRequestId, DateTimeOffset receivedAt)
        : this(status == ShareProfileStatus.SUCCESS ? PhoneAcknowledgementStatus.Success : PhoneAcknowledgementStatus.Failure,
            tokenNumber, errorCode, errorMessage, onShareRequestId, receivedAt)
    {
    }

    /// <summary>
    /// The v3 <c>acknowledgement.profile.expiry</c> as the HIP sent it (a number; its unit is unpublished, seconds
    /// in practice), or <see langword="null"/> (v0.5/v1.0, or a v3 failure without it).
    /// </summary>
    public double? Expiry { get; init; }

    /// <summary>
    /// The on-share's <c>error.code</c> as text: the v3 string (for example <c>ABDM-9999</c>), or the v0.5/v1.0
    /// number's digits; <see langword="null"/> when there was none.
    /// </summary>
    public string? ErrorCodeText { get; init; }

    /// <summary><see langword="true"/> when the status is <see cref="PhoneAcknowledgementStatus.Success"/>.</summary>
    public bool IsSuccess => Status == PhoneAcknowledgementStatus.Success;
}
