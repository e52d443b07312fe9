using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;

namespace Abdm.ProfileShare.Workflow.Internal;

/// <summary>
/// Something that happened to a queue entry: the input of <see cref="EntryLifecycle.Apply"/>. Events that come from
/// an outbox item name it (<c>ItemId</c>), so the change that handles the item also removes it from the outbox.
/// </summary>
internal abstract record EntryEvent
{
    /// <summary>The name logs and spans give the step that caused the change (<c>on-share</c>, <c>on-init</c>, <c>timeout</c>, ...).</summary>
    public abstract string Step { get; }
}

/// <summary>The host's <see cref="IProfileShareHandler"/> decided (or the profile was unusable: not accepted, with the reason).</summary>
internal sealed record ShareDecided(bool Accepted, string? PatientMessage, PatientMatch Match) : EntryEvent
{
    public override string Step => "decision";
}

/// <summary>The gateway accepted the on-share for <paramref name="ShareRequestId"/>; <paramref name="Success"/>: it said SUCCESS.</summary>
internal sealed record AcknowledgementDelivered(Guid ShareRequestId, bool Success, Guid ItemId) : EntryEvent
{
    public override string Step => "on-share";
}

/// <summary>The on-share for <paramref name="ShareRequestId"/> was refused by the gateway, or abandoned because the entry expired.</summary>
internal sealed record AcknowledgementFailed(Guid ShareRequestId, Guid ItemId) : EntryEvent
{
    public override string Step => "on-share";
}

/// <summary>An operator claimed the entry at the counter.</summary>
internal sealed record OperatorClaimed(string OperatorId) : EntryEvent
{
    public override string Step => "claim";
}

/// <summary>An operator put a claimed entry back.</summary>
internal sealed record OperatorReleased(string OperatorId) : EntryEvent
{
    public override string Step => "release";
}

/// <summary>An operator registered the patient as <paramref name="PatientId"/>.</summary>
internal sealed record OperatorCompleted(string OperatorId, string PatientId) : EntryEvent
{
    public override string Step => "complete";
}

/// <summary>An operator took the entry off the queue without registering.</summary>
internal sealed record OperatorDismissed(string OperatorId) : EntryEvent
{
    public override string Step => "dismiss";
}

/// <summary>The host asked for the linking chain to start (or restart after a failure or timeout).</summary>
internal sealed record LinkingRequested : EntryEvent
{
    public override string Step => "start-linking";
}

/// <summary>The gateway accepted a linking-chain call (auth/init, auth/confirm, generate-token): its callback is due by <paramref name="TimeoutAt"/>.</summary>
internal sealed record LinkingCallAccepted(OutboxItemKind Call, Guid RequestId, Guid ItemId, DateTimeOffset TimeoutAt) : EntryEvent
{
    public override string Step => EntryLifecycle.CallName(Call);
}

/// <summary>The gateway refused a linking-chain call (<paramref name="Operation"/>, its path) with an error it will not retry.</summary>
internal sealed record LinkingCallRefused(OutboxItemKind Call, Guid RequestId, Guid ItemId, string? ErrorCode, string Message, string Operation) : EntryEvent
{
    public override string Step => Operation;
}

/// <summary>A linking-chain call could not reach the gateway before the entry's retention ended.</summary>
internal sealed record LinkingCallExpired(OutboxItemKind Call, Guid RequestId, Guid ItemId) : EntryEvent
{
    public override string Step => "timeout";
}

/// <summary>The callback awaited for <paramref name="RequestId"/> did not come within <paramref name="Timeout"/>.</summary>
internal sealed record CallbackTimedOut(Guid RequestId, Guid ItemId, TimeSpan Timeout) : EntryEvent
{
    public override string Step => "timeout";
}

/// <summary>A linking callback arrived (on-init, on-confirm, on-generate-token), its correlation already matched to this entry.</summary>
internal sealed record CallbackArrived(LinkingCallback Callback) : EntryEvent
{
    public override string Step => Callback.Kind switch
    {
        LinkingCallbackKind.AuthOnInit => "on-init",
        LinkingCallbackKind.AuthOnConfirm => "on-confirm",
        _ => "on-generate-token",
    };
}

/// <summary>
/// The chain's token request found the patient's stored, unexpired, unused token (<c>Linking:ReuseTokens</c>): the entry
/// is linked with it and no request is sent.
/// </summary>
internal sealed record LinkingTokenReused(OutboxItemKind Call, Guid RequestId, Guid ItemId) : EntryEvent
{
    public override string Step => "reuse";
}

/// <summary>
/// The chain's token request may not be sent before <paramref name="ProceedAt"/> (another request for the patient at this
/// HIP inside <c>Linking:RequestWindow</c>, or the gateway's <c>ABDM-1092</c>): the chain waits, and a fresh request is
/// queued for then.
/// </summary>
internal sealed record LinkingThrottled(OutboxItemKind Call, Guid RequestId, Guid ItemId, DateTimeOffset ProceedAt, string Reason) : EntryEvent
{
    public override string Step => "throttle";
}

/// <summary>A throttled chain's window ended and its request is about to be sent: the chain awaits its callback again.</summary>
internal sealed record LinkingResumed(OutboxItemKind Call, Guid RequestId) : EntryEvent
{
    public override string Step => "resume";
}

/// <summary>The store says the patient's address is blocked at this HIP until <paramref name="BlockedUntil"/>: the chain fails and nothing is sent.</summary>
internal sealed record LinkingBlocked(OutboxItemKind Call, Guid RequestId, Guid ItemId, string? ErrorCode, DateTimeOffset BlockedUntil) : EntryEvent
{
    public override string Step => "blocked";
}

/// <summary>The counter calls this token (call-next): it becomes the counter's running token.</summary>
internal sealed record OperatorCalled(string OperatorId) : EntryEvent
{
    public override string Step => "call";
}
