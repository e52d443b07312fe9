namespace Abdm.ProfileShare.Testing;

/// <summary>What the patient's phone shows for a share: the on-share's acknowledgement status.</summary>
public enum PhoneAcknowledgementStatus
{
    /// <summary><c>SUCCESS</c>: the token number (the HIP accepted the share).</summary>
    Success,

    /// <summary>
    /// <c>FAILURE</c> (a v3 <c>FAILED</c>, or a v3 on-share with an <c>error</c> and no acknowledgement): the HIP's
    /// error message.
    /// </summary>
    Failure,
}
