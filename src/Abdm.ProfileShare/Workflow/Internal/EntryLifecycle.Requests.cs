using System.Globalization;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;

namespace Abdm.ProfileShare.Workflow.Internal;

/// <summary>Which request a chain waits on: the callback it awaits (or timed out awaiting), a pending request, and a throttled chain's fresh request.</summary>
internal static partial class EntryLifecycle
{
    /// <summary>
    /// Whether the chain awaits the answer of <paramref name="kind"/> to <paramref name="requestId"/>: it waits for exactly
    /// that request, or timed out waiting for exactly it (the gateway redelivers an answer about 16 minutes late, long
    /// after <c>Linking:CallbackTimeout</c>, and that answer is genuine).
    /// </summary>
    public static bool Awaits(LinkingStatus linking, LinkingCallbackKind kind, Guid requestId)
    {
        var awaiting = kind == LinkingCallbackKind.AuthOnInit ? LinkingState.AwaitingTransaction : LinkingState.AwaitingToken;
        if (linking.State == awaiting && linking.AwaitedRequestId == requestId)
        {
            return true;
        }

        return linking.State == LinkingState.TimedOut && kind switch
        {
            LinkingCallbackKind.AuthOnInit => linking.InitRequestId == requestId && linking.TransactionId is null && linking.ConfirmRequestId is null && linking.TokenRequestId is null,
            LinkingCallbackKind.AuthOnConfirm => linking.ConfirmRequestId == requestId && linking.TokenRequestId is null,
            _ => linking.TokenRequestId == requestId,
        };
    }

    /// <summary>
    /// Whether the chain's next step is sending <paramref name="call"/> with <paramref name="requestId"/>: it awaits that
    /// call's callback (the call is queued or sent), or it is throttled with that request queued.
    /// </summary>
    private static bool IsPending(QueueEntry entry, OutboxItemKind call, Guid requestId) =>
        entry.Linking.State == LinkingState.Throttled
            ? requestId == (call == OutboxItemKind.AuthInit ? entry.Linking.InitRequestId : entry.Linking.TokenRequestId)
            : IsAwaiting(entry, AwaitedState(call), requestId);

    /// <summary>
    /// The token request waits: a fresh request (new requestId and correlation) is queued for <see cref="LinkingThrottled.ProceedAt"/>,
    /// and the item that could not send is completed. A fresh requestId because the gateway may remember the old one.
    /// </summary>
    private static EntryUpdate Throttle(QueueEntry entry, LinkingThrottled e, DateTimeOffset now)
    {
        var requestId = Guid.NewGuid();
        var v3 = e.Call == OutboxItemKind.GenerateLinkToken;
        return new EntryUpdate
        {
            Entry = entry with
            {
                Linking = new LinkingStatus
                {
                    State = LinkingState.Throttled,
                    InitRequestId = v3 ? null : requestId,
                    TokenRequestId = v3 ? requestId : null,
                    ProceedAt = e.ProceedAt,
                    ErrorMessage = e.Reason,
                    UpdatedAt = now,
                },
            },
            Enqueue = [NewItem(e.Call, entry.Id, requestId, now, e.ProceedAt)],
            Correlations = [new Correlation(requestId, v3 ? CorrelationKind.LinkToken : CorrelationKind.AuthInit, entry.Id, entry.HipId, now)],
            CompleteOutboxItemId = e.ItemId,
        };
    }
}
