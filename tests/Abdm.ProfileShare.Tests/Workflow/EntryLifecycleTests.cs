using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Abdm.ProfileShare.Workflow;
using Abdm.ProfileShare.Workflow.Internal;

namespace Abdm.ProfileShare.Tests.Workflow;

/// <summary>
/// <see cref="EntryLifecycle"/>, state x event: every transition the model accepts (the new state and its effects: items
/// enqueued, correlations, the item completed, a token to store) and the ones it refuses (nothing to write).
/// </summary>
public sealed class EntryLifecycleTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 10, 0, 0, TimeSpan.FromHours(5.5));
    private static readonly LifecycleSettings V05AfterAck = new(WireVersion.V05, LinkingStart.AfterAcknowledgement);
    private static readonly LifecycleSettings V3AfterAck = new(WireVersion.V3, LinkingStart.AfterAcknowledgement);
    private static readonly LifecycleSettings V05OnClaim = new(WireVersion.V05, LinkingStart.OnClaim);
    private static readonly Guid ShareRequest = Guid.Parse("0193a6f0-0000-7000-8000-000000000001");
    private static readonly Guid Item = Guid.Parse("0193a6f0-0000-7000-8000-0000000000aa");
    private static readonly Guid Init = Guid.Parse("0193a6f0-0000-7000-8000-000000000011");
    private static readonly Guid Confirm = Guid.Parse("0193a6f0-0000-7000-8000-000000000022");
    private static readonly Guid TokenRequest = Guid.Parse("0193a6f0-0000-7000-8000-000000000033");

    // 2. The host's decision.

    [Fact]
    public void ShareDecided_Received_Accepted_WaitingWithMatch()
    {
        var match = new PatientMatch { Kind = MatchKind.New };
        var update = Applied(Entry(QueueEntryStatus.Received), new ShareDecided(true, null, match));
        Assert.Equal(QueueEntryStatus.Waiting, update.Entry.Status);
        Assert.Same(match, update.Entry.Match);
        NoEffects(update);
    }

    [Fact]
    public void ShareDecided_Received_Rejected_RejectedWithReason()
    {
        var update = Applied(Entry(QueueEntryStatus.Received), new ShareDecided(false, "Please register at the counter.", PatientMatch.NotChecked));
        Assert.Equal(QueueEntryStatus.Rejected, update.Entry.Status);
        Assert.Equal("Please register at the counter.", update.Entry.RejectionReason);
        NoEffects(update);
    }

    [Theory]
    [InlineData(QueueEntryStatus.Waiting)]
    [InlineData(QueueEntryStatus.Claimed)]
    [InlineData(QueueEntryStatus.Rejected)]
    [InlineData(QueueEntryStatus.Completed)]
    [InlineData(QueueEntryStatus.Dismissed)]
    public void ShareDecided_AlreadyDecided_Refused(QueueEntryStatus status) =>
        Refused(Entry(status), new ShareDecided(true, null, PatientMatch.NotChecked));

    // 3. The on-share.

    [Theory]
    [InlineData(QueueEntryStatus.Waiting)]
    [InlineData(QueueEntryStatus.Claimed)]
    [InlineData(QueueEntryStatus.Completed)]
    public void AcknowledgementDelivered_Success_V05_DeliveredAndAuthInitStarted(QueueEntryStatus status)
    {
        var update = Applied(Entry(status), new AcknowledgementDelivered(ShareRequest, true, Item));
        Assert.Equal(AcknowledgementState.Delivered, update.Entry.Acknowledgement);
        Assert.Equal(LinkingState.AwaitingTransaction, update.Entry.Linking.State);
        var init = Assert.Single(update.Enqueue);
        Assert.Equal(OutboxItemKind.AuthInit, init.Kind);
        Assert.Equal(update.Entry.Linking.InitRequestId, init.RequestId);
        var correlation = Assert.Single(update.Correlations);
        Assert.Equal((CorrelationKind.AuthInit, init.RequestId, "HIP-1"), (correlation.Kind, correlation.RequestId, correlation.HipId));
        Assert.Equal(Item, update.CompleteOutboxItemId);
    }

    [Fact]
    public void AcknowledgementDelivered_Success_V3_GenerateTokenStarted()
    {
        var update = Applied(Entry(QueueEntryStatus.Waiting), new AcknowledgementDelivered(ShareRequest, true, Item), V3AfterAck);
        Assert.Equal(LinkingState.AwaitingToken, update.Entry.Linking.State);
        var call = Assert.Single(update.Enqueue);
        Assert.Equal(OutboxItemKind.GenerateLinkToken, call.Kind);
        Assert.Equal(update.Entry.Linking.TokenRequestId, call.RequestId);
        Assert.Equal(CorrelationKind.LinkToken, Assert.Single(update.Correlations).Kind);
    }

    [Fact]
    public void AcknowledgementDelivered_Failure_DeliveredWithoutLinking()
    {
        var update = Applied(Entry(QueueEntryStatus.Rejected), new AcknowledgementDelivered(ShareRequest, false, Item));
        Assert.Equal(AcknowledgementState.Delivered, update.Entry.Acknowledgement);
        Assert.Equal(LinkingState.NotStarted, update.Entry.Linking.State);
        Assert.Empty(update.Enqueue);
        Assert.Equal(Item, update.CompleteOutboxItemId);
    }

    [Fact]
    public void AcknowledgementDelivered_LinkingOnClaim_NoChainYet()
    {
        var update = Applied(Entry(QueueEntryStatus.Waiting), new AcknowledgementDelivered(ShareRequest, true, Item), V05OnClaim);
        Assert.Equal(LinkingState.NotStarted, update.Entry.Linking.State);
        Assert.Empty(update.Enqueue);
    }

    [Theory]
    [InlineData(QueueEntryStatus.Dismissed, LinkingState.NotStarted)]
    [InlineData(QueueEntryStatus.Waiting, LinkingState.Linked)]
    [InlineData(QueueEntryStatus.Waiting, LinkingState.Failed)]
    public void AcknowledgementDelivered_NotEligible_NoChainStarted(QueueEntryStatus status, LinkingState linking)
    {
        var entry = Entry(status) with { Linking = new LinkingStatus { State = linking } };
        var update = Applied(entry, new AcknowledgementDelivered(ShareRequest, true, Item));
        Assert.Equal(linking, update.Entry.Linking.State);
        Assert.Empty(update.Enqueue);
        Assert.Equal(Item, update.CompleteOutboxItemId);
    }

    [Fact]
    public void AcknowledgementDelivered_OlderShareRequest_AcknowledgementStateKeptItemCompleted()
    {
        var entry = Entry(QueueEntryStatus.Waiting) with { LatestShareRequestId = Guid.NewGuid() };
        var update = Applied(entry, new AcknowledgementDelivered(ShareRequest, true, Item));
        Assert.Equal(AcknowledgementState.Pending, update.Entry.Acknowledgement);
        Assert.Equal(Item, update.CompleteOutboxItemId);
    }

    [Fact]
    public void AcknowledgementFailed_Latest_Failed()
    {
        var update = Applied(Entry(QueueEntryStatus.Waiting), new AcknowledgementFailed(ShareRequest, Item));
        Assert.Equal(AcknowledgementState.Failed, update.Entry.Acknowledgement);
        Assert.Empty(update.Enqueue);
        Assert.Equal(Item, update.CompleteOutboxItemId);
    }

    [Fact]
    public void AcknowledgementFailed_OlderShareRequest_KeptItemCompleted()
    {
        var entry = Entry(QueueEntryStatus.Waiting) with { LatestShareRequestId = Guid.NewGuid(), Acknowledgement = AcknowledgementState.Delivered };
        var update = Applied(entry, new AcknowledgementFailed(ShareRequest, Item));
        Assert.Equal(AcknowledgementState.Delivered, update.Entry.Acknowledgement);
        Assert.Equal(Item, update.CompleteOutboxItemId);
    }

    // 4. The counter.

    [Fact]
    public void Claim_Waiting_ClaimedByOperator()
    {
        var update = Applied(Entry(QueueEntryStatus.Waiting), new OperatorClaimed("op-1"));
        Assert.Equal((QueueEntryStatus.Claimed, "op-1", Now), (update.Entry.Status, update.Entry.ClaimedBy, update.Entry.ClaimedAt));
        NoEffects(update);
    }

    [Fact]
    public void Claim_LinkingOnClaim_AcknowledgementDelivered_StartsChain()
    {
        var entry = Entry(QueueEntryStatus.Waiting) with { Acknowledgement = AcknowledgementState.Delivered };
        var update = Applied(entry, new OperatorClaimed("op-1"), V05OnClaim);
        Assert.Equal(QueueEntryStatus.Claimed, update.Entry.Status);
        Assert.Equal(LinkingState.AwaitingTransaction, update.Entry.Linking.State);
        Assert.Equal(OutboxItemKind.AuthInit, Assert.Single(update.Enqueue).Kind);
        Assert.Null(update.CompleteOutboxItemId);
    }

    [Fact]
    public void Claim_LinkingOnClaim_AcknowledgementPending_NoChain()
    {
        var update = Applied(Entry(QueueEntryStatus.Waiting), new OperatorClaimed("op-1"), V05OnClaim);
        Assert.Equal(LinkingState.NotStarted, update.Entry.Linking.State);
        Assert.Empty(update.Enqueue);
    }

    [Fact]
    public void Claim_ClaimedBySame_AlreadyDone() =>
        Assert.Equal(TransitionResult.AlreadyDone, Apply(Claimed("op-1"), new OperatorClaimed("op-1")).Result);

    [Fact]
    public void Claim_ClaimedByOther_HeldByOther() =>
        Assert.Equal(TransitionResult.HeldByOther, Apply(Claimed("op-2"), new OperatorClaimed("op-1")).Result);

    [Theory]
    [InlineData(QueueEntryStatus.Received)]
    [InlineData(QueueEntryStatus.Rejected)]
    [InlineData(QueueEntryStatus.Completed)]
    [InlineData(QueueEntryStatus.Dismissed)]
    public void Claim_NotWaiting_Refused(QueueEntryStatus status) => Refused(Entry(status), new OperatorClaimed("op-1"));

    [Fact]
    public void Claim_Expired_Refused() => Refused(Entry(QueueEntryStatus.Waiting) with { ExpiresAt = Now }, new OperatorClaimed("op-1"));

    [Fact]
    public void Release_ClaimedBySame_Waiting()
    {
        var update = Applied(Claimed("op-1"), new OperatorReleased("op-1"));
        Assert.Equal((QueueEntryStatus.Waiting, null, null), (update.Entry.Status, update.Entry.ClaimedBy, update.Entry.ClaimedAt));
    }

    [Fact]
    public void Release_ClaimedByOther_HeldByOther() =>
        Assert.Equal(TransitionResult.HeldByOther, Apply(Claimed("op-2"), new OperatorReleased("op-1")).Result);

    [Fact]
    public void Release_Waiting_AlreadyDone() =>
        Assert.Equal(TransitionResult.AlreadyDone, Apply(Entry(QueueEntryStatus.Waiting), new OperatorReleased("op-1")).Result);

    [Theory]
    [InlineData(QueueEntryStatus.Received)]
    [InlineData(QueueEntryStatus.Completed)]
    [InlineData(QueueEntryStatus.Dismissed)]
    [InlineData(QueueEntryStatus.Rejected)]
    public void Release_Other_Refused(QueueEntryStatus status) => Refused(Entry(status), new OperatorReleased("op-1"));

    [Fact]
    public void Complete_Waiting_CompletedClaimedNow()
    {
        var update = Applied(Entry(QueueEntryStatus.Waiting), new OperatorCompleted("op-1", "MRN-1"));
        Assert.Equal((QueueEntryStatus.Completed, "MRN-1", "op-1", Now),
            (update.Entry.Status, update.Entry.RegisteredPatientId, update.Entry.ClaimedBy, update.Entry.ClaimedAt));
    }

    [Fact]
    public void Complete_ClaimedBySame_KeepsClaimTime()
    {
        var claimedAt = Now.AddMinutes(-3);
        var update = Applied(Claimed("op-1") with { ClaimedAt = claimedAt }, new OperatorCompleted("op-1", "MRN-1"));
        Assert.Equal(claimedAt, update.Entry.ClaimedAt);
    }

    [Fact]
    public void Complete_LinkingOnClaim_StartsChain()
    {
        var entry = Entry(QueueEntryStatus.Waiting) with { Acknowledgement = AcknowledgementState.Delivered };
        var update = Applied(entry, new OperatorCompleted("op-1", "MRN-1"), V05OnClaim);
        Assert.Equal(LinkingState.AwaitingTransaction, update.Entry.Linking.State);
        Assert.Equal(QueueEntryStatus.Completed, update.Entry.Status);
    }

    [Fact]
    public void Complete_ClaimedByOther_HeldByOther() =>
        Assert.Equal(TransitionResult.HeldByOther, Apply(Claimed("op-2"), new OperatorCompleted("op-1", "MRN-1")).Result);

    [Theory]
    [InlineData(QueueEntryStatus.Received)]
    [InlineData(QueueEntryStatus.Rejected)]
    [InlineData(QueueEntryStatus.Completed)]
    [InlineData(QueueEntryStatus.Dismissed)]
    public void Complete_Other_Refused(QueueEntryStatus status) => Refused(Entry(status), new OperatorCompleted("op-1", "MRN-1"));

    [Theory]
    [InlineData(QueueEntryStatus.Received)]
    [InlineData(QueueEntryStatus.Waiting)]
    public void Dismiss_Open_Dismissed(QueueEntryStatus status)
    {
        var update = Applied(Entry(status), new OperatorDismissed("op-1"));
        Assert.Equal((QueueEntryStatus.Dismissed, "op-1"), (update.Entry.Status, update.Entry.ClaimedBy));
    }

    [Fact]
    public void Dismiss_ClaimedBySame_Dismissed() =>
        Assert.Equal(QueueEntryStatus.Dismissed, Applied(Claimed("op-1"), new OperatorDismissed("op-1")).Entry.Status);

    [Fact]
    public void Dismiss_ClaimedByOther_HeldByOther() =>
        Assert.Equal(TransitionResult.HeldByOther, Apply(Claimed("op-2"), new OperatorDismissed("op-1")).Result);

    [Theory]
    [InlineData(QueueEntryStatus.Rejected)]
    [InlineData(QueueEntryStatus.Completed)]
    [InlineData(QueueEntryStatus.Dismissed)]
    public void Dismiss_Closed_Refused(QueueEntryStatus status) => Refused(Entry(status), new OperatorDismissed("op-1"));

    [Theory]
    [InlineData(LinkingState.NotStarted)]
    [InlineData(LinkingState.Failed)]
    [InlineData(LinkingState.TimedOut)]
    public void LinkingRequested_NotRunning_StartsFreshChain(LinkingState state)
    {
        var entry = Entry(QueueEntryStatus.Completed) with { Linking = new LinkingStatus { State = state, InitRequestId = Init, ErrorMessage = "old" } };
        var update = Applied(entry, new LinkingRequested());
        Assert.Equal(LinkingState.AwaitingTransaction, update.Entry.Linking.State);
        Assert.NotEqual(Init, update.Entry.Linking.InitRequestId);
        Assert.Null(update.Entry.Linking.ErrorMessage);
        Assert.Equal(update.Entry.Linking.InitRequestId, Assert.Single(update.Enqueue).RequestId);
    }

    [Theory]
    [InlineData(LinkingState.Linked)]
    [InlineData(LinkingState.AwaitingTransaction)]
    [InlineData(LinkingState.AwaitingToken)]
    public void LinkingRequested_LinkedOrRunning_AlreadyDone(LinkingState state) =>
        Assert.Equal(TransitionResult.AlreadyDone, Apply(Entry(QueueEntryStatus.Waiting) with { Linking = new LinkingStatus { State = state } }, new LinkingRequested()).Result);

    [Fact]
    public void LinkingRequested_Rejected_Refused() => Refused(Entry(QueueEntryStatus.Rejected), new LinkingRequested());

    // 5. The linking chain: the calls.

    public static TheoryData<OutboxItemKind, string> Calls => new()
    {
        { OutboxItemKind.AuthInit, "init" },
        { OutboxItemKind.AuthConfirm, "confirm" },
        { OutboxItemKind.GenerateLinkToken, "token" },
    };

    [Theory]
    [MemberData(nameof(Calls))]
    public void LinkingCallAccepted_Awaiting_ArmsTimeout(OutboxItemKind call, string chain)
    {
        var (entry, requestId) = Awaiting(chain);
        var timeoutAt = Now.AddMinutes(2);
        var update = Applied(entry, new LinkingCallAccepted(call, requestId, Item, timeoutAt));
        Assert.Same(entry, update.Entry);
        var timeout = Assert.Single(update.Enqueue);
        Assert.Equal((OutboxItemKind.LinkingTimeout, requestId, timeoutAt), (timeout.Kind, timeout.RequestId, timeout.DueAt));
        Assert.Equal(Item, update.CompleteOutboxItemId);
    }

    [Theory]
    [MemberData(nameof(Calls))]
    public void LinkingCallRefused_Awaiting_FailedWithGatewayError(OutboxItemKind call, string chain)
    {
        var (entry, requestId) = Awaiting(chain);
        var update = Applied(entry, new LinkingCallRefused(call, requestId, Item, "ABDM-1092", "Too many requests", "/x"));
        Assert.Equal((LinkingState.Failed, "ABDM-1092", "Too many requests"), (update.Entry.Linking.State, update.Entry.Linking.ErrorCode, update.Entry.Linking.ErrorMessage));
        Assert.Equal(OutboxItemKind.LinkingNotification, Assert.Single(update.Enqueue).Kind);
        Assert.Equal(Item, update.CompleteOutboxItemId);
    }

    [Theory]
    [MemberData(nameof(Calls))]
    public void LinkingCallExpired_Awaiting_TimedOut(OutboxItemKind call, string chain)
    {
        var (entry, requestId) = Awaiting(chain);
        var update = Applied(entry, new LinkingCallExpired(call, requestId, Item));
        Assert.Equal(LinkingState.TimedOut, update.Entry.Linking.State);
        Assert.Contains("before the entry expired", update.Entry.Linking.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(OutboxItemKind.LinkingNotification, Assert.Single(update.Enqueue).Kind);
    }

    [Theory]
    [MemberData(nameof(Calls))]
    public void LinkingCall_Stale_Refused(OutboxItemKind call, string chain)
    {
        var (entry, _) = Awaiting(chain);
        var other = Guid.NewGuid();
        Refused(entry, new LinkingCallAccepted(call, other, Item, Now));
        Refused(entry, new LinkingCallRefused(call, other, Item, "1", "m", "/x"));
        Refused(entry, new LinkingCallExpired(call, other, Item));
        var linked = entry with { Linking = entry.Linking with { State = LinkingState.Linked } };
        Refused(linked, new LinkingCallAccepted(call, Init, Item, Now));
    }

    [Theory]
    [InlineData("init", "on-init")]
    [InlineData("confirm", "on-confirm")]
    [InlineData("token", "on-generate-token")]
    public void CallbackTimedOut_Awaiting_TimedOutNamingTheCallback(string chain, string callback)
    {
        var (entry, requestId) = Awaiting(chain);
        var update = Applied(entry, new CallbackTimedOut(requestId, Item, TimeSpan.FromMinutes(2)));
        Assert.Equal(LinkingState.TimedOut, update.Entry.Linking.State);
        Assert.Equal($"The gateway's {callback} did not arrive within 00:02:00.", update.Entry.Linking.ErrorMessage);
        Assert.Equal(Item, update.CompleteOutboxItemId);
    }

    [Fact]
    public void CallbackTimedOut_CallbackCame_Refused()
    {
        var (entry, requestId) = Awaiting("confirm");
        Refused(entry with { Linking = entry.Linking with { State = LinkingState.Linked } }, new CallbackTimedOut(requestId, Item, TimeSpan.FromMinutes(2)));
        Refused(entry, new CallbackTimedOut(Init, Item, TimeSpan.FromMinutes(2)));
    }

    // 5. The linking chain: the callbacks.

    [Fact]
    public void OnInit_Awaiting_ConfirmNext()
    {
        var (entry, _) = Awaiting("init");
        var transition = Apply(entry, Callback(LinkingCallbackKind.AuthOnInit, Init, transactionId: "txn-1"));
        var update = transition.Update!;
        Assert.Equal((LinkingState.AwaitingToken, "txn-1"), (update.Entry.Linking.State, update.Entry.Linking.TransactionId));
        var confirm = Assert.Single(update.Enqueue);
        Assert.Equal((OutboxItemKind.AuthConfirm, update.Entry.Linking.ConfirmRequestId), (confirm.Kind, (Guid?)confirm.RequestId));
        Assert.Equal((CorrelationKind.AuthConfirm, confirm.RequestId), (Assert.Single(update.Correlations).Kind, Assert.Single(update.Correlations).RequestId));
        Assert.Null(transition.TokenToStore);
    }

    [Theory]
    [InlineData(true, "1441", "Not matched", "1441", "Not matched")]
    [InlineData(true, null, null, null, "The gateway's on-init carried no transactionId.")]
    [InlineData(false, null, null, null, "The gateway's on-init carried no transactionId.")]
    public void OnInit_ErrorOrNoTransaction_Failed(bool isError, string? code, string? message, string? expectedCode, string expectedMessage)
    {
        var (entry, _) = Awaiting("init");
        var update = Applied(entry, Callback(LinkingCallbackKind.AuthOnInit, Init, isError: isError, code: code, message: message));
        Assert.Equal((LinkingState.Failed, expectedCode, expectedMessage), (update.Entry.Linking.State, update.Entry.Linking.ErrorCode, update.Entry.Linking.ErrorMessage));
        Assert.Equal(OutboxItemKind.LinkingNotification, Assert.Single(update.Enqueue).Kind);
        Assert.Null(update.CompleteOutboxItemId);
    }

    [Theory]
    [InlineData(LinkingCallbackKind.AuthOnConfirm, "confirm")]
    [InlineData(LinkingCallbackKind.OnGenerateToken, "token")]
    public void TokenCallback_Awaiting_LinkedAndTokenStored(LinkingCallbackKind kind, string chain)
    {
        var (entry, requestId) = Awaiting(chain);
        var transition = Apply(entry, Callback(kind, requestId, token: "token-value"));
        Assert.Equal(TransitionResult.Applied, transition.Result);
        Assert.Equal(LinkingState.Linked, transition.Update!.Entry.Linking.State);
        Assert.Equal("token-value", transition.TokenToStore);
        var notify = Assert.Single(transition.Update.Enqueue);
        Assert.Equal((OutboxItemKind.LinkingNotification, requestId), (notify.Kind, notify.RequestId));
    }

    [Theory]
    [InlineData(LinkingCallbackKind.AuthOnConfirm, "confirm", "The gateway's on-confirm carried no linking token.")]
    [InlineData(LinkingCallbackKind.OnGenerateToken, "token", "The gateway's on-generate-token carried no link token.")]
    public void TokenCallback_NoToken_FailedWithFallback(LinkingCallbackKind kind, string chain, string expected)
    {
        var (entry, requestId) = Awaiting(chain);
        var transition = Apply(entry, Callback(kind, requestId));
        Assert.Equal((LinkingState.Failed, expected), (transition.Update!.Entry.Linking.State, transition.Update.Entry.Linking.ErrorMessage));
        Assert.Null(transition.TokenToStore);
    }

    [Fact]
    public void OnGenerateToken_Error_FailedWithStringCode()
    {
        var (entry, requestId) = Awaiting("token");
        var update = Applied(entry, Callback(LinkingCallbackKind.OnGenerateToken, requestId, isError: true, code: "ABDM-1092", message: "Retry later"));
        Assert.Equal(("ABDM-1092", "Retry later"), (update.Entry.Linking.ErrorCode, update.Entry.Linking.ErrorMessage));
    }

    [Fact]
    public void Callbacks_ForAnotherRequestOrState_Refused()
    {
        var (init, _) = Awaiting("init");
        Refused(init, Callback(LinkingCallbackKind.AuthOnInit, Guid.NewGuid(), transactionId: "t"));
        Refused(init, Callback(LinkingCallbackKind.AuthOnConfirm, Init, token: "t"));
        var (confirm, _) = Awaiting("confirm");
        Refused(confirm, Callback(LinkingCallbackKind.AuthOnInit, Init, transactionId: "t"));
        Refused(confirm with { Linking = confirm.Linking with { State = LinkingState.Linked } }, Callback(LinkingCallbackKind.AuthOnConfirm, Confirm, token: "t"));
        Refused(Entry(QueueEntryStatus.Waiting), Callback(LinkingCallbackKind.OnGenerateToken, TokenRequest, token: "t"));
    }

    [Fact]
    public void LateCallbacks_ForTheRequestTheChainTimedOutOn_Applied()
    {
        var timedOutAtInit = Entry(QueueEntryStatus.Waiting) with { Linking = new LinkingStatus { State = LinkingState.TimedOut, InitRequestId = Init, ErrorMessage = "timed out" } };
        var revived = Applied(timedOutAtInit, Callback(LinkingCallbackKind.AuthOnInit, Init, transactionId: "txn"));
        Assert.Equal((LinkingState.AwaitingToken, null), (revived.Entry.Linking.State, revived.Entry.Linking.ErrorMessage));

        var (confirm, _) = Awaiting("confirm");
        var timedOutAtConfirm = confirm with { Linking = confirm.Linking with { State = LinkingState.TimedOut } };
        Assert.Equal(LinkingState.Linked, Applied(timedOutAtConfirm, Callback(LinkingCallbackKind.AuthOnConfirm, Confirm, token: "t")).Entry.Linking.State);
        Refused(timedOutAtConfirm, Callback(LinkingCallbackKind.AuthOnInit, Init, transactionId: "txn"));

        var (token, _) = Awaiting("token");
        var timedOutAtToken = token with { Linking = token.Linking with { State = LinkingState.TimedOut } };
        Assert.Equal(LinkingState.Linked, Applied(timedOutAtToken, Callback(LinkingCallbackKind.OnGenerateToken, TokenRequest, token: "t")).Entry.Linking.State);
        Refused(timedOutAtToken, Callback(LinkingCallbackKind.OnGenerateToken, Guid.NewGuid(), token: "t"));
    }

    [Fact]
    public void Apply_NoClockRead_TheTimeGivenIsTheTimeWritten()
    {
        var entry = Entry(QueueEntryStatus.Waiting);
        var later = Now.AddHours(1);
        var claimed = EntryLifecycle.Apply(entry, new OperatorClaimed("op-1"), later, V05AfterAck).Update!;
        Assert.Equal(later, claimed.Entry.ClaimedAt);
        Assert.Equal(later, claimed.Entry.CalledAt);
        Assert.Equal(Applied(entry, new OperatorClaimed("op-1")).Entry with { ClaimedAt = later, CalledAt = later }, claimed.Entry);
    }

    private static QueueEntry Entry(QueueEntryStatus status) => new()
    {
        Id = Guid.Parse("0193a6f0-0000-7000-8000-0000000000e1"),
        HipId = "HIP-1",
        CounterCode = "C1",
        TokenNumber = 7,
        ServiceDay = DateOnly.FromDateTime(Now.Date),
        Profile = new SharedPatientProfile { HealthId = "test.patient@sbx", Name = "Test Patient", Gender = Gender.Female, YearOfBirth = 1990 },
        WireVersion = WireVersion.V05,
        LatestShareRequestId = ShareRequest,
        FirstScannedAt = Now.AddMinutes(-5),
        LastScannedAt = Now.AddMinutes(-5),
        ExpiresAt = Now.AddHours(8),
        Status = status,
        Version = 3,
    };

    private static QueueEntry Claimed(string operatorId) =>
        Entry(QueueEntryStatus.Claimed) with { ClaimedBy = operatorId, ClaimedAt = Now.AddMinutes(-1) };

    /// <summary>An entry whose chain waits: for on-init (<c>init</c>), on-confirm (<c>confirm</c>) or v3 on-generate-token (<c>token</c>).</summary>
    private static (QueueEntry Entry, Guid RequestId) Awaiting(string chain) => chain switch
    {
        "init" => (Entry(QueueEntryStatus.Waiting) with { Linking = new LinkingStatus { State = LinkingState.AwaitingTransaction, InitRequestId = Init } }, Init),
        "confirm" => (Entry(QueueEntryStatus.Waiting) with
        {
            Linking = new LinkingStatus { State = LinkingState.AwaitingToken, InitRequestId = Init, TransactionId = "txn-1", ConfirmRequestId = Confirm },
        }, Confirm),
        _ => (Entry(QueueEntryStatus.Waiting) with { Linking = new LinkingStatus { State = LinkingState.AwaitingToken, TokenRequestId = TokenRequest } }, TokenRequest),
    };

    private static CallbackArrived Callback(LinkingCallbackKind kind, Guid requestId, string? transactionId = null, string? token = null, bool isError = false, string? code = null, string? message = null) =>
        new(new LinkingCallback
        {
            Kind = kind,
            HipId = "HIP-1",
            RequestId = requestId,
            TransactionId = transactionId,
            LinkingToken = token,
            IsError = isError,
            ErrorCode = code,
            ErrorMessage = message,
        });

    private static Transition Apply(QueueEntry entry, EntryEvent @event, LifecycleSettings? settings = null) =>
        EntryLifecycle.Apply(entry, @event, Now, settings ?? V05AfterAck);

    private static EntryUpdate Applied(QueueEntry entry, EntryEvent @event, LifecycleSettings? settings = null)
    {
        var transition = Apply(entry, @event, settings);
        Assert.Equal(TransitionResult.Applied, transition.Result);
        return Assert.IsType<EntryUpdate>(transition.Update);
    }

    private static void Refused(QueueEntry entry, EntryEvent @event)
    {
        var transition = Apply(entry, @event);
        Assert.Equal(TransitionResult.Refused, transition.Result);
        Assert.Null(transition.Update);
    }

    private static void NoEffects(EntryUpdate update)
    {
        Assert.Empty(update.Enqueue);
        Assert.Empty(update.Correlations);
        Assert.Null(update.CompleteOutboxItemId);
        Assert.Null(update.LinkingToken);
    }
}
