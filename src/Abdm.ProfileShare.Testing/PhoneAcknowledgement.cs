using Abdm.ProfileShare.Wire;

namespace Abdm.ProfileShare.Testing;

/// <summary>What the patient's phone shows once the HIP's on-share arrived at the gateway.</summary>
/// <param name="Status"><c>SUCCESS</c> or <c>FAILURE</c>, as the HIP sent it.</param>
/// <param name="TokenNumber">The token number (v1.0 on-share), or <see langword="null"/>.</param>
/// <param name="ErrorCode">The on-share's <c>error.code</c>, or <see langword="null"/>.</param>
/// <param name="ErrorMessage">The on-share's <c>error.message</c> (shown to the patient on FAILURE), or <see langword="null"/>.</param>
/// <param name="OnShareRequestId">The on-share's own <c>requestId</c>.</param>
/// <param name="ReceivedAt">When the simulator accepted the on-share.</param>
public sealed record PhoneAcknowledgement(
    ShareProfileStatus Status,
    string? TokenNumber,
    int? ErrorCode,
    string? ErrorMessage,
    Guid OnShareRequestId,
    DateTimeOffset ReceivedAt)
{
    /// <summary><see langword="true"/> when the status is <c>SUCCESS</c>.</summary>
    public bool IsSuccess => Status == ShareProfileStatus.SUCCESS;
}
