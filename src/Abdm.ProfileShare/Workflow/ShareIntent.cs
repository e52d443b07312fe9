namespace Abdm.ProfileShare.Workflow;

/// <summary>
/// What a v3 share asks of the HIP (the share's <c>intent</c>). <see cref="ProfileShare"/> is the registration flow
/// (a queue entry, a token number, the on-share); the other two go to the host's <see cref="IShareIntentHandler"/>.
/// </summary>
/// <remarks>
/// v0.5 and v1.0 shares are always <see cref="ProfileShare"/>. A v3 share without an <c>intent</c> is read as
/// <see cref="ProfileShare"/>; an intent that is none of these is refused with <c>ABDM-1049</c>.
/// </remarks>
public enum ShareIntent
{
    /// <summary><c>PROFILE_SHARE</c>: the patient shares a profile to register at a counter.</summary>
    ProfileShare,

    /// <summary><c>RECORD_SHARE</c>: handed to <see cref="IShareIntentHandler"/>; without one refused with <c>ABDM-1149</c>.</summary>
    RecordShare,

    /// <summary><c>PAYMENT_SHARE</c>: handed to <see cref="IShareIntentHandler"/>; without one refused with <c>ABDM-1149</c>.</summary>
    PaymentShare,
}
