using System.Globalization;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;

namespace Abdm.ProfileShare.Workflow.Internal;

/// <summary>The settings the lifecycle depends on: the deployment's wire version and when linking starts.</summary>
/// <param name="Deployment">The gateway's wire version: v3 links with generate-token, v0.5/v1.0 with auth/init + auth/confirm.</param>
/// <param name="Start">When the linking chain starts on its own.</param>
/// <param name="BlockedErrorCodes">The gateway error codes that block the patient's address (<c>Linking:BlockedErrorCodes</c>).</param>
internal readonly record struct LifecycleSettings(WireVersion Deployment, LinkingStart Start, IList<string>? BlockedErrorCodes = null)
{
    /// <summary>Whether <paramref name="code"/> blocks the patient's address from token requests.</summary>
    public bool Blocks(string? code)
    {
        if (code is null || BlockedErrorCodes is null)
        {
            return false;
        }

        foreach (var blocked in BlockedErrorCodes)
        {
            if (string.Equals(blocked, code, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>What an event did to an entry.</summary>
internal enum TransitionResult
{
    /// <summary>The entry changes: <see cref="Transition.Update"/> is the change to write.</summary>
    Applied,

    /// <summary>Nothing to write, and the request is satisfied (a repeated claim by the same operator, a chain already linked).</summary>
    AlreadyDone,

    /// <summary>Another operator holds the entry.</summary>
    HeldByOther,

    /// <summary>The event does not apply in the entry's state (a stale timeout, a callback for a chain that moved on, an illegal action).</summary>
    Refused,
}

/// <summary>The outcome of <see cref="EntryLifecycle.Apply"/>.</summary>
/// <param name="Result">What the event did.</param>
/// <param name="Update">The change to write when <see cref="TransitionResult.Applied"/>.</param>
/// <param name="TokenToStore">A linking token the change stores: the caller encrypts it into <see cref="EntryUpdate.LinkingToken"/>.</param>
/// <param name="BlockCode">A gateway error code that blocks the patient's address (<c>Linking:BlockedErrorCodes</c>): the
/// caller records the block in the store once the change is written.</param>
internal readonly record struct Transition(TransitionResult Result, EntryUpdate? Update = null, string? TokenToStore = null, string? BlockCode = null)
{
    public static Transition Refused => new(TransitionResult.Refused);

    public static Transition AlreadyDone => new(TransitionResult.AlreadyDone);

    public static Transition HeldByOther => new(TransitionResult.HeldByOther);

    public static Transition To(EntryUpdate update, string? token = null, string? blockCode = null) => new(TransitionResult.Applied, update, token, blockCode);
}

/// <summary>
/// The life of a queue entry, in the order it happens, as one pure function: given the entry, an event and the time,
/// the change to write (new state, outbox items to enqueue, correlations to record, the item it completes). No I/O, no
/// clock reads, no services: the outbox steps, the inbox and the counter queue do the I/O and feed what happened here.
/// Fresh ids (requestIds, item ids) are the only thing it makes up.
/// </summary>
/// <remarks>
/// <para>1. A share is persisted <c>Received</c> with a <c>ShareAcknowledgement</c> item (the store's intake, not here).</para>
/// <para>2. <see cref="ShareDecided"/>: the host accepts (<c>Waiting</c>) or rejects (<c>Rejected</c>).</para>
/// <para>3. <see cref="AcknowledgementDelivered"/> / <see cref="AcknowledgementFailed"/>: the on-share went out; after a SUCCESS
/// the linking chain starts when <c>Linking:Start</c> is <c>AfterAcknowledgement</c>.</para>
/// <para>4. The counter: <see cref="OperatorClaimed"/> (starts linking when <c>OnClaim</c>), <see cref="OperatorReleased"/>,
/// <see cref="OperatorCompleted"/>, <see cref="OperatorDismissed"/>; <see cref="LinkingRequested"/> starts or restarts it by hand.</para>
/// <para>5. The linking chain: a call (<c>AuthInit</c>, then <c>AuthConfirm</c>; v3 <c>GenerateLinkToken</c>) is sent by the
/// outbox; <see cref="LinkingCallAccepted"/> arms a <c>LinkingTimeout</c>; <see cref="CallbackArrived"/> moves the chain on
/// (on-init: confirm next; on-confirm / on-generate-token: <c>Linked</c> with the token) or fails it with the gateway's
/// error; <see cref="LinkingCallRefused"/> fails it; <see cref="CallbackTimedOut"/> and <see cref="LinkingCallExpired"/>
/// time it out. Every end (<c>Linked</c>, <c>Failed</c>, <c>TimedOut</c>) enqueues a <c>LinkingNotification</c> for the host.</para>
/// <para>A chain that timed out still accepts the answer to exactly the request it timed out on (the gateway redelivers
/// late); a restarted chain has new request ids, so an older answer never matches.</para>
/// </remarks>
internal static partial class EntryLifecycle
{
    public static Transition Apply(QueueEntry entry, EntryEvent @event, DateTimeOffset now, LifecycleSettings settings) => @event switch
    {
        ShareDecided e => Decide(entry, e),
        AcknowledgementDelivered e => Delivered(entry, e, now, settings),
        AcknowledgementFailed e => Transition.To(new EntryUpdate
        {
            Entry = entry.LatestShareRequestId == e.ShareRequestId ? entry with { Acknowledgement = AcknowledgementState.Failed } : entry,
            CompleteOutboxItemId = e.ItemId,
        }),
        OperatorClaimed e => Claim(entry, e, now, settings),
        OperatorReleased e => Release(entry, e),
        OperatorCalled => Call(entry, now),
        OperatorCompleted e => Complete(entry, e, now, settings),
        OperatorDismissed e => Dismiss(entry, e),
        LinkingRequested => RequestLinking(entry, now, settings),
        LinkingTokenReused e => IsPending(entry, e.Call, e.RequestId)
            ? Transition.To(new EntryUpdate
            {
                Entry = entry with { Linking = entry.Linking with { State = LinkingState.Linked, ProceedAt = null, ReusedToken = true, ErrorCode = null, ErrorMessage = null, UpdatedAt = now } },
                Enqueue = [NewItem(OutboxItemKind.LinkingNotification, entry.Id, e.RequestId, now)],
                CompleteOutboxItemId = e.ItemId,
            })
            : Transition.Refused,
        LinkingThrottled e => IsPending(entry, e.Call, e.RequestId) && e.Call is OutboxItemKind.AuthInit or OutboxItemKind.GenerateLinkToken
            ? Transition.To(Throttle(entry, e, now))
            : Transition.Refused,
        LinkingResumed e => entry.Linking.State == LinkingState.Throttled && IsPending(entry, e.Call, e.RequestId)
            ? Transition.To(new EntryUpdate
            {
                Entry = entry with { Linking = entry.Linking with { State = AwaitedState(e.Call), ProceedAt = null, ErrorMessage = null, UpdatedAt = now } },
            })
            : Transition.Refused,
        LinkingBlocked e => IsPending(entry, e.Call, e.RequestId)
            ? Transition.To(Failure(entry, e.ErrorCode, null, string.Create(CultureInfo.InvariantCulture,
                $"ABDM has blocked linking-token requests for this ABHA address until {e.BlockedUntil:yyyy-MM-dd HH:mm} UTC; no request was sent. Try again after that."), now, e.ItemId))
            : Transition.Refused,
        LinkingCallAccepted e => IsAwaiting(entry, AwaitedState(e.Call), e.RequestId)
            ? Transition.To(new EntryUpdate
            {
                Entry = entry,
                Enqueue = [NewItem(OutboxItemKind.LinkingTimeout, entry.Id, e.RequestId, now, e.TimeoutAt)],
                CompleteOutboxItemId = e.ItemId,
            })
            : Transition.Refused,
        LinkingCallRefused e => IsAwaiting(entry, AwaitedState(e.Call), e.RequestId)
            ? Transition.To(Failure(entry, e.ErrorCode, e.Message, e.Message, now, e.ItemId), blockCode: settings.Blocks(e.ErrorCode) ? e.ErrorCode : null)
            : Transition.Refused,
        LinkingCallExpired e => IsPending(entry, e.Call, e.RequestId)
            ? Transition.To(TimedOut(entry, "The linking chain could not reach the gateway before the entry expired.", e.RequestId, e.ItemId, now))
            : Transition.Refused,
        CallbackTimedOut e => entry.Linking.IsInFlight && entry.Linking.AwaitedRequestId == e.RequestId
            ? Transition.To(TimedOut(entry, string.Create(CultureInfo.InvariantCulture, $"The gateway's {AwaitedCallback(entry.Linking)} did not arrive within {e.Timeout}."), e.RequestId, e.ItemId, now))
            : Transition.Refused,
        CallbackArrived e => Answer(entry, e.Callback, now, settings),
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "Unknown entry event."),
    };

    // 2. The host's decision.
    private static Transition Decide(QueueEntry entry, ShareDecided e) => entry.Status != QueueEntryStatus.Received
        ? Transition.Refused
        : Transition.To(new EntryUpdate
        {
            Entry = entry with
            {
                Status = e.Accepted ? QueueEntryStatus.Waiting : QueueEntryStatus.Rejected,
                RejectionReason = e.PatientMessage,
                Match = e.Match,
            },
        });

    // 3. The on-share went out; a SUCCESS may start the chain.
    private static Transition Delivered(QueueEntry entry, AcknowledgementDelivered e, DateTimeOffset now, LifecycleSettings settings)
    {
        var updated = entry.LatestShareRequestId == e.ShareRequestId ? entry with { Acknowledgement = AcknowledgementState.Delivered } : entry;
        return e.Success && settings.Start == LinkingStart.AfterAcknowledgement && entry.Linking.State == LinkingState.NotStarted
            && entry.Status is QueueEntryStatus.Waiting or QueueEntryStatus.Claimed or QueueEntryStatus.Completed
            ? Transition.To(StartLinking(updated, now, settings.Deployment, e.ItemId))
            : Transition.To(new EntryUpdate { Entry = updated, CompleteOutboxItemId = e.ItemId });
    }

    // 4. The counter.
    private static Transition Claim(QueueEntry entry, OperatorClaimed e, DateTimeOffset now, LifecycleSettings settings)
    {
        if (!entry.IsActive(now))
        {
            return Transition.Refused;
        }

        if (entry.Status == QueueEntryStatus.Claimed)
        {
            return entry.ClaimedBy == e.OperatorId ? Transition.AlreadyDone : Transition.HeldByOther;
        }

        if (entry.Status != QueueEntryStatus.Waiting)
        {
            return Transition.Refused;
        }

        return Transition.To(StartOnClaim(entry with { Status = QueueEntryStatus.Claimed, ClaimedBy = e.OperatorId, ClaimedAt = now, CalledAt = entry.CalledAt ?? now }, now, settings));
    }

    /// <summary>Call-next: a waiting token is called once (the first call time stands).</summary>
    private static Transition Call(QueueEntry entry, DateTimeOffset now)
    {
        if (!entry.IsActive(now) || entry.Status is not (QueueEntryStatus.Waiting or QueueEntryStatus.Claimed))
        {
            return Transition.Refused;
        }

        return entry.CalledAt is not null ? Transition.AlreadyDone : Transition.To(new EntryUpdate { Entry = entry with { CalledAt = now } });
    }

    private static Transition Release(QueueEntry entry, OperatorReleased e)
    {
        if (entry.Status != QueueEntryStatus.Claimed)
        {
            return entry.Status == QueueEntryStatus.Waiting ? Transition.AlreadyDone : Transition.Refused;
        }

        return entry.ClaimedBy != e.OperatorId
            ? Transition.HeldByOther
            : Transition.To(new EntryUpdate { Entry = entry with { Status = QueueEntryStatus.Waiting, ClaimedBy = null, ClaimedAt = null } });
    }

    private static Transition Complete(QueueEntry entry, OperatorCompleted e, DateTimeOffset now, LifecycleSettings settings)
    {
        if (entry.Status == QueueEntryStatus.Claimed && entry.ClaimedBy != e.OperatorId)
        {
            return Transition.HeldByOther;
        }

        if (entry.Status is not (QueueEntryStatus.Waiting or QueueEntryStatus.Claimed))
        {
            return Transition.Refused;
        }

        var completed = entry with
        {
            Status = QueueEntryStatus.Completed,
            RegisteredPatientId = e.PatientId,
            ClaimedBy = e.OperatorId,
            ClaimedAt = entry.ClaimedAt ?? now,
            CalledAt = entry.CalledAt ?? entry.ClaimedAt ?? now,
            CompletedAt = now,
        };
        return Transition.To(StartOnClaim(completed, now, settings));
    }

    private static Transition Dismiss(QueueEntry entry, OperatorDismissed e)
    {
        if (entry.Status == QueueEntryStatus.Claimed && entry.ClaimedBy != e.OperatorId)
        {
            return Transition.HeldByOther;
        }

        return entry.Status is not (QueueEntryStatus.Waiting or QueueEntryStatus.Claimed or QueueEntryStatus.Received)
            ? Transition.Refused
            : Transition.To(new EntryUpdate { Entry = entry with { Status = QueueEntryStatus.Dismissed, ClaimedBy = e.OperatorId } });
    }

    /// <summary>A claim or a registration starts the chain when <c>Linking:Start</c> is <c>OnClaim</c> and the on-share went out.</summary>
    private static EntryUpdate StartOnClaim(QueueEntry changed, DateTimeOffset now, LifecycleSettings settings) =>
        settings.Start == LinkingStart.OnClaim && changed.Linking.State == LinkingState.NotStarted && changed.Acknowledgement == AcknowledgementState.Delivered
            ? StartLinking(changed, now, settings.Deployment)
            : new EntryUpdate { Entry = changed };

    private static Transition RequestLinking(QueueEntry entry, DateTimeOffset now, LifecycleSettings settings)
    {
        if (entry.Linking.State == LinkingState.Linked || entry.Linking.IsRunning)
        {
            return Transition.AlreadyDone;
        }

        return entry.Status == QueueEntryStatus.Rejected ? Transition.Refused : Transition.To(StartLinking(entry, now, settings.Deployment));
    }

    // 5. The linking chain.

    /// <summary>
    /// Starts (or restarts) the chain: <c>users/auth/init</c> on the v0.5 gateway, <c>generate-token</c> on v3, with a
    /// fresh requestId its callback is correlated by.
    /// </summary>
    private static EntryUpdate StartLinking(QueueEntry entry, DateTimeOffset now, WireVersion deployment, Guid? completeOutboxItemId = null)
    {
        var requestId = Guid.NewGuid();
        var v3 = deployment == WireVersion.V3;
        var linking = v3
            ? new LinkingStatus { State = LinkingState.AwaitingToken, TokenRequestId = requestId, UpdatedAt = now }
            : new LinkingStatus { State = LinkingState.AwaitingTransaction, InitRequestId = requestId, UpdatedAt = now };
        return new EntryUpdate
        {
            Entry = entry with { Linking = linking },
            Enqueue = [NewItem(v3 ? OutboxItemKind.GenerateLinkToken : OutboxItemKind.AuthInit, entry.Id, requestId, now)],
            Correlations = [new Correlation(requestId, v3 ? CorrelationKind.LinkToken : CorrelationKind.AuthInit, entry.Id, entry.HipId, now)],
            CompleteOutboxItemId = completeOutboxItemId,
        };
    }

    /// <summary>A callback changes the chain only if it waits for exactly that answer, or timed out waiting for it.</summary>
    private static Transition Answer(QueueEntry entry, LinkingCallback callback, DateTimeOffset now, LifecycleSettings settings)
    {
        if (!Awaits(entry.Linking, callback.Kind, callback.RequestId))
        {
            return Transition.Refused;
        }

        if (callback.Kind == LinkingCallbackKind.AuthOnInit)
        {
            if (callback.IsError || string.IsNullOrWhiteSpace(callback.TransactionId))
            {
                return Transition.To(Failure(entry, callback.ErrorCode, callback.ErrorMessage, "The gateway's on-init carried no transactionId.", now));
            }

            var confirmRequestId = Guid.NewGuid();
            return Transition.To(new EntryUpdate
            {
                Entry = entry with
                {
                    Linking = entry.Linking with
                    {
                        State = LinkingState.AwaitingToken,
                        TransactionId = callback.TransactionId,
                        ConfirmRequestId = confirmRequestId,
                        ErrorMessage = null, // a late on-init revives a timed-out chain
                        UpdatedAt = now,
                    },
                },
                Enqueue = [NewItem(OutboxItemKind.AuthConfirm, entry.Id, confirmRequestId, now)],
                Correlations = [new Correlation(confirmRequestId, CorrelationKind.AuthConfirm, entry.Id, entry.HipId, now)],
            });
        }

        if (callback.IsError || string.IsNullOrWhiteSpace(callback.LinkingToken))
        {
            var fallback = callback.Kind == LinkingCallbackKind.AuthOnConfirm
                ? "The gateway's on-confirm carried no linking token."
                : "The gateway's on-generate-token carried no link token.";
            return Transition.To(Failure(entry, callback.ErrorCode, callback.ErrorMessage, fallback, now), blockCode: settings.Blocks(callback.ErrorCode) ? callback.ErrorCode : null);
        }

        return Transition.To(new EntryUpdate
        {
            Entry = entry with { Linking = entry.Linking with { State = LinkingState.Linked, ReusedToken = false, ErrorCode = null, ErrorMessage = null, UpdatedAt = now } },
            Enqueue = [NewItem(OutboxItemKind.LinkingNotification, entry.Id, callback.RequestId, now)],
        }, callback.LinkingToken);
    }

    private static EntryUpdate Failure(QueueEntry entry, string? errorCode, string? errorMessage, string fallbackMessage, DateTimeOffset now, Guid? completeOutboxItemId = null) => new()
    {
        Entry = entry with
        {
            Linking = entry.Linking with
            {
                State = LinkingState.Failed,
                ErrorCode = errorCode,
                ErrorMessage = string.IsNullOrWhiteSpace(errorMessage) ? fallbackMessage : errorMessage,
                UpdatedAt = now,
            },
        },
        Enqueue = [NewItem(OutboxItemKind.LinkingNotification, entry.Id, entry.Linking.AwaitedRequestId ?? entry.Linking.ConfirmRequestId ?? entry.Linking.InitRequestId ?? Guid.NewGuid(), now)],
        CompleteOutboxItemId = completeOutboxItemId,
    };

    private static EntryUpdate TimedOut(QueueEntry entry, string message, Guid requestId, Guid itemId, DateTimeOffset now) => new()
    {
        Entry = entry with { Linking = entry.Linking with { State = LinkingState.TimedOut, ErrorCode = null, ErrorMessage = message, UpdatedAt = now } },
        Enqueue = [NewItem(OutboxItemKind.LinkingNotification, entry.Id, requestId, now)],
        CompleteOutboxItemId = itemId,
    };

    private static bool IsAwaiting(QueueEntry entry, LinkingState state, Guid requestId) =>
        entry.Linking.State == state && entry.Linking.AwaitedRequestId == requestId;

    /// <summary>The state a chain is in while the callback of <paramref name="call"/> is due.</summary>
    private static LinkingState AwaitedState(OutboxItemKind call) =>
        call == OutboxItemKind.AuthInit ? LinkingState.AwaitingTransaction : LinkingState.AwaitingToken;

    /// <summary>The callback an in-flight chain waits for, as logs and messages name it.</summary>
    private static string AwaitedCallback(LinkingStatus linking) =>
        linking.State == LinkingState.AwaitingTransaction ? "on-init" : linking.TokenRequestId is null ? "on-confirm" : "on-generate-token";

    /// <summary>The name of a linking-chain call.</summary>
    public static string CallName(OutboxItemKind call) => call switch
    {
        OutboxItemKind.AuthInit => "auth-init",
        OutboxItemKind.AuthConfirm => "auth-confirm",
        _ => "generate-token",
    };

    public static OutboxItem NewItem(OutboxItemKind kind, Guid entryId, Guid requestId, DateTimeOffset now, DateTimeOffset? dueAt = null, Guid? correlatesTo = null) => new()
    {
        Id = Guid.CreateVersion7(now),
        Kind = kind,
        EntryId = entryId,
        RequestId = requestId,
        CorrelatesTo = correlatesTo,
        CreatedAt = now,
        DueAt = dueAt ?? now,
    };
}
