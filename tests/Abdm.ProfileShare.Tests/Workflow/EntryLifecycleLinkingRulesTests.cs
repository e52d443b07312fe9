using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Abdm.ProfileShare.Workflow;
using Abdm.ProfileShare.Workflow.Internal;

namespace Abdm.ProfileShare.Tests.Workflow;

/// <summary>
/// <see cref="EntryLifecycle"/> and the gateway's rules for token requests: a stored token reused, a request held until
/// the window ends (and resumed), a block, and which gateway codes block an address.
/// </summary>
public sealed class EntryLifecycleLinkingRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 10, 0, 0, TimeSpan.FromHours(5.5));
    private static readonly LifecycleSettings V3 = new(WireVersion.V3, LinkingStart.AfterAcknowledgement, ["ABDM-1027"]);
    private static readonly LifecycleSettings V05 = new(WireVersion.V05, LinkingStart.AfterAcknowledgement, ["ABDM-1027"]);
    private static readonly Guid Item = Guid.Parse("0193a6f0-0000-7000-8000-0000000000aa");
    private static readonly Guid Init = Guid.Parse("0193a6f0-0000-7000-8000-000000000011");
    private static readonly Guid TokenRequest = Guid.Parse("0193a6f0-0000-7000-8000-000000000033");

    [Theory]
    [InlineData(OutboxItemKind.GenerateLinkToken)]
    [InlineData(OutboxItemKind.AuthInit)]
    public void TokenReused_PendingRequest_LinkedWithoutCallAndHandlerTold(OutboxItemKind call)
    {
        var (entry, request) = Pending(call);
        var transition = Apply(entry, new LinkingTokenReused(call, request, Item));

        var update = Assert.IsType<EntryUpdate>(transition.Update);
        Assert.Equal(LinkingState.Linked, update.Entry.Linking.State);
        Assert.True(update.Entry.Linking.ReusedToken);
        Assert.Null(transition.TokenToStore); // the stored token stays as it is
        Assert.Equal(OutboxItemKind.LinkingNotification, Assert.Single(update.Enqueue).Kind);
        Assert.Empty(update.Correlations);
        Assert.Equal(Item, update.CompleteOutboxItemId);
    }

    [Fact]
    public void TokenReused_OtherRequest_Refused()
    {
        var (entry, _) = Pending(OutboxItemKind.GenerateLinkToken);
        Assert.Equal(TransitionResult.Refused, Apply(entry, new LinkingTokenReused(OutboxItemKind.GenerateLinkToken, Guid.NewGuid(), Item)).Result);
    }

    [Theory]
    [InlineData(OutboxItemKind.GenerateLinkToken)]
    [InlineData(OutboxItemKind.AuthInit)]
    public void Throttled_PendingRequest_WaitsWithAFreshRequestDueWhenTheWindowEnds(OutboxItemKind call)
    {
        var (entry, request) = Pending(call);
        var proceedAt = Now.AddMinutes(6);
        var update = Assert.IsType<EntryUpdate>(Apply(entry, new LinkingThrottled(call, request, Item, proceedAt, "waits")).Update);

        var linking = update.Entry.Linking;
        Assert.Equal(LinkingState.Throttled, linking.State);
        Assert.Equal(proceedAt, linking.ProceedAt);
        Assert.Equal("waits", linking.ErrorMessage);
        Assert.False(linking.IsInFlight);
        Assert.True(linking.IsRunning);
        var next = Assert.Single(update.Enqueue);
        Assert.Equal(call, next.Kind);
        Assert.Equal(proceedAt, next.DueAt);
        Assert.NotEqual(request, next.RequestId);
        Assert.Equal(next.RequestId, call == OutboxItemKind.AuthInit ? linking.InitRequestId : linking.TokenRequestId);
        var correlation = Assert.Single(update.Correlations);
        Assert.Equal(next.RequestId, correlation.RequestId);
        Assert.Equal(call == OutboxItemKind.AuthInit ? CorrelationKind.AuthInit : CorrelationKind.LinkToken, correlation.Kind);
        Assert.Equal(Item, update.CompleteOutboxItemId);
    }

    [Fact]
    public void Throttled_AuthConfirm_Refused()
    {
        var entry = Entry(new LinkingStatus { State = LinkingState.AwaitingToken, InitRequestId = Init, TransactionId = "txn-1", ConfirmRequestId = TokenRequest });
        Assert.Equal(TransitionResult.Refused, Apply(entry, new LinkingThrottled(OutboxItemKind.AuthConfirm, TokenRequest, Item, Now.AddMinutes(6), "waits")).Result);
    }

    [Fact]
    public void Throttled_AgainWhileThrottled_QueuesAnotherFreshRequest()
    {
        var throttled = Throttled(OutboxItemKind.GenerateLinkToken);
        var update = Assert.IsType<EntryUpdate>(Apply(throttled, new LinkingThrottled(OutboxItemKind.GenerateLinkToken, TokenRequest, Item, Now.AddMinutes(7), "again")).Update);
        Assert.Equal(LinkingState.Throttled, update.Entry.Linking.State);
        Assert.NotEqual(TokenRequest, update.Entry.Linking.TokenRequestId);
    }

    [Theory]
    [InlineData(OutboxItemKind.GenerateLinkToken, LinkingState.AwaitingToken)]
    [InlineData(OutboxItemKind.AuthInit, LinkingState.AwaitingTransaction)]
    public void Resumed_Throttled_AwaitsTheCallbackOfTheSameRequest(OutboxItemKind call, LinkingState awaiting)
    {
        var throttled = Throttled(call);
        var request = call == OutboxItemKind.AuthInit ? Init : TokenRequest;
        var update = Assert.IsType<EntryUpdate>(Apply(throttled, new LinkingResumed(call, request)).Update);

        Assert.Equal(awaiting, update.Entry.Linking.State);
        Assert.Equal(request, update.Entry.Linking.AwaitedRequestId);
        Assert.Null(update.Entry.Linking.ProceedAt);
        Assert.Null(update.Entry.Linking.ErrorMessage);
        Assert.Empty(update.Enqueue);
        Assert.Null(update.CompleteOutboxItemId); // the step goes on to send with the same item
    }

    [Fact]
    public void Resumed_NotThrottled_Refused()
    {
        var (entry, request) = Pending(OutboxItemKind.GenerateLinkToken);
        Assert.Equal(TransitionResult.Refused, Apply(entry, new LinkingResumed(OutboxItemKind.GenerateLinkToken, request)).Result);
    }

    [Fact]
    public void Blocked_Pending_FailsWithAPatientReadableReasonAndNoNewBlock()
    {
        var (entry, request) = Pending(OutboxItemKind.GenerateLinkToken);
        var transition = Apply(entry, new LinkingBlocked(OutboxItemKind.GenerateLinkToken, request, Item, "ABDM-1027", Now.AddHours(20)));

        var update = Assert.IsType<EntryUpdate>(transition.Update);
        Assert.Equal(LinkingState.Failed, update.Entry.Linking.State);
        Assert.Equal("ABDM-1027", update.Entry.Linking.ErrorCode);
        Assert.Contains("blocked", update.Entry.Linking.ErrorMessage, StringComparison.Ordinal);
        Assert.Null(transition.BlockCode); // the store already holds the block
        Assert.Equal(OutboxItemKind.LinkingNotification, Assert.Single(update.Enqueue).Kind);
        Assert.Equal(Item, update.CompleteOutboxItemId);
    }

    [Theory]
    [InlineData("ABDM-1027", "ABDM-1027")]
    [InlineData("abdm-1027", "abdm-1027")]
    [InlineData("ABDM-1051", null)]
    [InlineData(null, null)]
    public void CallbackError_BlockedCode_FailsAndAsksForABlock(string? code, string? block)
    {
        var (entry, request) = Pending(OutboxItemKind.GenerateLinkToken);
        var transition = Apply(entry, new CallbackArrived(new LinkingCallback
        {
            Kind = LinkingCallbackKind.OnGenerateToken,
            HipId = "HIP-1",
            RequestId = request,
            IsError = true,
            ErrorCode = code,
            ErrorMessage = "You are blocked. Please try again after 24 hours.",
        }));

        Assert.Equal(LinkingState.Failed, transition.Update!.Entry.Linking.State);
        Assert.Equal(block, transition.BlockCode);
    }

    [Fact]
    public void CallRefused_BlockedCode_AsksForABlock_AndNotWhenTheListIsEmpty()
    {
        var (entry, request) = Pending(OutboxItemKind.GenerateLinkToken);
        var refused = new LinkingCallRefused(OutboxItemKind.GenerateLinkToken, request, Item, "ABDM-1027", "You are blocked.", "generate-token");

        Assert.Equal("ABDM-1027", Apply(entry, refused).BlockCode);
        Assert.Null(EntryLifecycle.Apply(entry, refused, Now, V3 with { BlockedErrorCodes = [] }).BlockCode);
    }

    [Fact]
    public void LinkingRequested_Throttled_AlreadyDone() =>
        Assert.Equal(TransitionResult.AlreadyDone, Apply(Throttled(OutboxItemKind.GenerateLinkToken), new LinkingRequested()).Result);

    [Fact]
    public void CallExpired_Throttled_TimesOut()
    {
        var update = Assert.IsType<EntryUpdate>(Apply(Throttled(OutboxItemKind.GenerateLinkToken), new LinkingCallExpired(OutboxItemKind.GenerateLinkToken, TokenRequest, Item)).Update);
        Assert.Equal(LinkingState.TimedOut, update.Entry.Linking.State);
    }

    [Fact]
    public void Callback_ForAThrottledChainsRequest_Refused()
    {
        // Nothing was sent for a throttled request, so no callback can answer it.
        var transition = Apply(Throttled(OutboxItemKind.GenerateLinkToken), new CallbackArrived(new LinkingCallback
        {
            Kind = LinkingCallbackKind.OnGenerateToken,
            HipId = "HIP-1",
            RequestId = TokenRequest,
            LinkingToken = "link-token-test",
        }));
        Assert.Equal(TransitionResult.Refused, transition.Result);
    }

    private static (QueueEntry Entry, Guid RequestId) Pending(OutboxItemKind call) => call == OutboxItemKind.AuthInit
        ? (Entry(new LinkingStatus { State = LinkingState.AwaitingTransaction, InitRequestId = Init }), Init)
        : (Entry(new LinkingStatus { State = LinkingState.AwaitingToken, TokenRequestId = TokenRequest }), TokenRequest);

    private static QueueEntry Throttled(OutboxItemKind call) => Entry(new LinkingStatus
    {
        State = LinkingState.Throttled,
        InitRequestId = call == OutboxItemKind.AuthInit ? Init : null,
        TokenRequestId = call == OutboxItemKind.AuthInit ? null : TokenRequest,
        ProceedAt = Now.AddMinutes(1),
        ErrorMessage = "waits",
    });

    private static QueueEntry Entry(LinkingStatus linking) => new()
    {
        Id = Guid.Parse("0193a6f0-0000-7000-8000-0000000000e1"),
        HipId = "HIP-1",
        CounterCode = "C1",
        TokenNumber = 1,
        ServiceDay = DateOnly.FromDateTime(Now.Date),
        Profile = new SharedPatientProfile { HealthId = "test.patient@sbx", Name = "Test Patient", Gender = Gender.Female, YearOfBirth = 1990 },
        WireVersion = WireVersion.V3,
        LatestShareRequestId = Guid.NewGuid(),
        FirstScannedAt = Now.AddMinutes(-5),
        LastScannedAt = Now.AddMinutes(-5),
        ExpiresAt = Now.AddHours(4),
        Status = QueueEntryStatus.Waiting,
        Acknowledgement = AcknowledgementState.Delivered,
        Linking = linking,
        Version = 3,
    };

    private static Transition Apply(QueueEntry entry, EntryEvent @event) => EntryLifecycle.Apply(entry, @event, Now, V3);
}
