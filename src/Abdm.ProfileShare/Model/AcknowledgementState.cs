namespace Abdm.ProfileShare.Model;

/// <summary>The state of the on-share acknowledgement the patient's phone waits for.</summary>
public enum AcknowledgementState
{
    /// <summary>Queued in the outbox, not yet accepted by the gateway.</summary>
    Pending,

    /// <summary>The gateway accepted the on-share (202).</summary>
    Delivered,

    /// <summary>The gateway refused it permanently (a 4xx other than 401/408/429).</summary>
    Failed,
}
