using Abdm.ProfileShare.FlowTests.Support;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Testing;
using Xunit.Abstractions;

namespace Abdm.ProfileShare.FlowTests;

/// <summary>
/// Every gateway fault the simulator can inject leaves the host in a defined state, with nothing lost. Host settings
/// (unless a test says otherwise): Resilience.MaxRetryAttempts 1 (RetryBaseDelay 20 ms), Outbox.RetryBaseDelay 50 ms,
/// RetryMaxDelay 500 ms; callback tokens verified against the simulator's JWKS.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>Fault</term><description>Defined end state</description></listheader>
/// <item><term>on-share answered 503 three times</term><description>Polly retries once, then the outbox retries the
/// same message (same requestId); the 4th attempt is accepted: exactly one accepted on-share, the phone shows SUCCESS,
/// the acknowledgement is Delivered, linking ends Linked.</description></item>
/// <item><term>on-share answered 429 (WSO2 900800) twice</term><description>Same as 503: retried as transient; one
/// accepted on-share; Linked.</description></item>
/// <item><term>on-share latency under the attempt timeout (300 ms vs 5 s)</term><description>One on-share, accepted after the
/// latency; no retry; Linked.</description></item>
/// <item><term>on-share latency over the attempt timeout (5 s vs 2 s, once)</term><description>The host abandons the
/// attempt (the simulator journals it unprocessed) and retries: exactly one accepted on-share; Linked.</description></item>
/// <item><term>sessions answered 503 three times</term><description>No call goes out without a token; once a session is
/// issued the on-share is delivered once; Linked.</description></item>
/// <item><term>session tokens expiring early (at once, first token)</term><description>The on-share with the dead token
/// is refused 401 (900901); the host refreshes the token and retries: one accepted on-share; Linked.</description></item>
/// <item><term>on-init dropped</term><description>Linking TimedOut after Linking:CallbackTimeout (3 s) with the message
/// naming on-init; no token; the acknowledgement is unaffected (Delivered). Restarting linking
/// (<c>ICounterQueue.StartLinkingAsync</c>) completes the chain: Linked.</description></item>
/// <item><term>on-confirm duplicated (same body twice)</term><description>Both deliveries answered 202; one token stored
/// (the issued one); Linked.</description></item>
/// <item><term>on-init and on-confirm sent before the 202 of init/confirm</term><description>Each callback is applied
/// on arrival and answered 202; the late 202 changes nothing: one init, one confirm; Linked.</description></item>
/// <item><term>on-init and on-confirm in reverse order (two of each, later first)</term><description>The first to
/// arrive wins: its transactionId is confirmed and its linking token stored; the second of each is answered 202 and
/// ignored; Linked.</description></item>
/// <item><term>signing key rotated mid-chain</term><description>The next callback names an unknown kid; the host
/// refetches the JWKS (at most once per Callbacks:KeysRefetchMinInterval, 1 s here) and accepts it: two JWKS fetches;
/// Linked.</description></item>
/// <item><term>share signed with an unpublished key</term><description>Answered 401; no queue entry, no on-share; a
/// following genuine scan gets token 1 and completes.</description></item>
/// <item><term>on-confirm signed with an unpublished key</term><description>Answered 401; the entry stays AwaitingToken
/// (same confirm) with no token, then TimedOut after Linking:CallbackTimeout (2 s).</description></item>
/// <item><term>auth init answered with a hang, twice</term><description>Each attempt times out after
/// Resilience:AttemptTimeout (2 s); Polly retries once, then the outbox retries: the third attempt (same requestId)
/// is accepted; one accepted init; Linked.</description></item>
/// </list>
/// <para>Delivery to the gateway is at least once: an answer that crosses Resilience:AttemptTimeout was processed by
/// the gateway and is retried by the host with the same requestId (two accepted on-shares for one share, which the
/// gateway can deduplicate). The attempt timeouts here keep wide margins so that it does not happen by accident.</para>
/// </remarks>
public sealed class GatewayFaultTests(ITestOutputHelper output)
{
    private FlowHostOptions Options(Action<AbdmProfileShareOptions>? host = null) => new() { Logs = new TestOutputLogs(output), ConfigureHost = host };

    [Theory]
    [InlineData(503)]
    [InlineData(429)]
    public async Task OnShare_RefusedTransiently_DeliveredOnceAfterRecovery(int status)
    {
        await using var flow = await FlowHost.StartAsync(Options());
        var times = status == 503 ? 3 : 2;
        flow.Gateway.Faults.For(GatewayOperation.OnShare).RespondWith(status, times);

        var (share, _) = await ScanUntilLinkedAsync(flow, SyntheticPatients.All[0]);

        var onShares = flow.Gateway.Journal.Of(GatewayOperation.OnShare);
        Assert.Equal(times + 1, onShares.Count);
        Assert.All(onShares.Take(times), e => Assert.Equal(status, e.StatusCode));
        Assert.Single(onShares, e => e.IsAccepted && e.RespRequestId == share.RequestId);
        Assert.Single(onShares.Select(e => e.RequestId).Distinct());
    }

    // The attempt timeout leaves a wide margin over the latency and the simulator's first (cold) answer: an answer
    // that crosses the timeout is accepted by the gateway and retried by the host, two on-shares with one requestId.
    [Theory]
    [InlineData(300, 5000, null)]
    [InlineData(5000, 2000, 1)]
    public async Task OnShare_Latency_ExactlyOneAcceptedOnShare(int latencyMs, int attemptTimeoutMs, int? times)
    {
        await using var flow = await FlowHost.StartAsync(Options(o =>
        {
            o.Resilience.AttemptTimeout = TimeSpan.FromMilliseconds(attemptTimeoutMs);
            o.Resilience.TotalTimeout = TimeSpan.FromSeconds(10);
        }));
        flow.Gateway.Faults.For(GatewayOperation.OnShare).Delay(TimeSpan.FromMilliseconds(latencyMs), times);

        var (share, _) = await ScanUntilLinkedAsync(flow, SyntheticPatients.All[1]);

        var onShares = flow.Gateway.Journal.Of(GatewayOperation.OnShare);
        Assert.Single(onShares, e => e.IsAccepted && e.RespRequestId == share.RequestId);
        Assert.Contains(FaultKind.Delay, onShares[0].Faults);
        if (times is null)
        {
            Assert.True(Assert.Single(onShares).IsAccepted);
        }
        else
        {
            // The abandoned attempt was journaled unprocessed; the retry (same message) was accepted.
            Assert.Equal(2, onShares.Count);
            Assert.Null(onShares[0].StatusCode);
            Assert.True(onShares[1].IsAccepted);
            Assert.Equal(onShares[0].RequestId, onShares[1].RequestId);
        }
    }

    [Fact]
    public async Task Sessions_5xxThenRecovery_OnShareDeliveredOnceAndChainCompletes()
    {
        await using var flow = await FlowHost.StartAsync(Options());
        flow.Gateway.Faults.For(GatewayOperation.Sessions).RespondWith(503, times: 3);

        var (share, _) = await ScanUntilLinkedAsync(flow, SyntheticPatients.All[2]);

        var journal = flow.Gateway.Journal;
        var sessions = journal.Of(GatewayOperation.Sessions);
        Assert.Equal(new int?[] { 503, 503, 503 }, sessions.Take(3).Select(e => e.StatusCode));
        Assert.Equal(200, sessions[3].StatusCode);
        var onShare = Assert.Single(journal.Of(GatewayOperation.OnShare));
        Assert.True(onShare.IsAccepted);
        Assert.Equal(share.RequestId, onShare.RespRequestId);
    }

    [Fact]
    public async Task Sessions_TokenExpiresEarly_HostRefreshesAndChainCompletes()
    {
        await using var flow = await FlowHost.StartAsync(Options());
        flow.Gateway.Faults.For(GatewayOperation.Sessions).ExpireTokensEarly(TimeSpan.Zero, times: 1);

        var (share, _) = await ScanUntilLinkedAsync(flow, SyntheticPatients.All[3]);

        var journal = flow.Gateway.Journal;
        var onShares = journal.Of(GatewayOperation.OnShare);
        Assert.Equal(2, onShares.Count);
        Assert.Equal(GatewayRejection.InvalidCredentials, onShares[0].Rejection);
        Assert.Equal(401, onShares[0].StatusCode);
        Assert.True(onShares[1].IsAccepted);
        Assert.Equal(share.RequestId, onShares[1].RespRequestId);
        Assert.Equal(2, journal.Of(GatewayOperation.Sessions).Count(e => e.StatusCode == 200));
        Assert.Contains(FaultKind.ExpireEarly, journal.Of(GatewayOperation.Sessions)[0].Faults);
    }

    [Fact]
    public async Task OnInit_Dropped_LinkingTimesOutThenRestartCompletes()
    {
        // The restart is a second token request for the patient: it waits out Linking:RequestWindow (short here) from the first.
        await using var flow = await FlowHost.StartAsync(Options(o =>
        {
            o.Linking.CallbackTimeout = TimeSpan.FromSeconds(3);
            o.Linking.RequestWindow = TimeSpan.FromSeconds(4);
        }));
        flow.Gateway.Faults.For(GatewayOperation.OnInit).Drop(times: 1);
        var patient = SyntheticPatients.All[4];

        var share = await flow.ScanAsync(patient);

        Assert.True((await FlowHost.PhoneAsync(share)).IsSuccess);
        var entry = await flow.EntryForAsync(share);
        var timedOut = await flow.WaitForEntryAsync(entry.Id, e => e.Linking.State == LinkingState.TimedOut);
        Assert.Contains("on-init", timedOut.Linking.ErrorMessage, StringComparison.Ordinal);
        Assert.Null(timedOut.Linking.TransactionId);
        Assert.Equal(AcknowledgementState.Delivered, timedOut.Acknowledgement);
        Assert.Null(await flow.Queue.GetLinkingTokenAsync(FlowHost.HipId, patient.HealthId));
        Assert.Contains(FaultKind.Drop, Assert.Single(flow.Gateway.Journal.Of(GatewayOperation.OnInit)).Faults);

        var restart = await flow.Queue.StartLinkingAsync(entry.Id);

        Assert.Equal(Workflow.QueueActionOutcome.Done, restart.Outcome);
        var linked = await flow.WaitForEntryAsync(entry.Id, e => e.Linking.State == LinkingState.Linked);
        var token = await flow.Gateway.Journal.WaitForLinkingTokenIssuedAsync(patient.HealthId, FlowHost.Wait);
        Assert.Equal(token, (await flow.Queue.GetLinkingTokenAsync(FlowHost.HipId, patient.HealthId))!.Token);
        Assert.Equal(2, flow.Gateway.Journal.Accepted(GatewayOperation.AuthInit).Count);
        Assert.NotEqual(timedOut.Linking.InitRequestId, linked.Linking.InitRequestId);
    }

    [Fact]
    public async Task OnConfirm_Duplicated_OneTokenLinkedDuplicateAnswered202()
    {
        await using var flow = await FlowHost.StartAsync(Options());
        flow.Gateway.Faults.For(GatewayOperation.OnConfirm).Duplicate(times: 1);
        var patient = SyntheticPatients.All[5];

        var (_, linked) = await ScanUntilLinkedAsync(flow, patient);

        var journal = flow.Gateway.Journal;
        await journal.WaitForAsync(e => e.Operation == GatewayOperation.OnConfirm && e.Faults.Contains(FaultKind.Duplicate), FlowHost.Wait);
        var onConfirms = journal.Of(GatewayOperation.OnConfirm);
        Assert.Equal(2, onConfirms.Count);
        Assert.All(onConfirms, e => Assert.Equal(202, e.StatusCode));
        Assert.Equal(onConfirms[0].RequestId, onConfirms[1].RequestId);
        var stored = await flow.Queue.GetLinkingTokenAsync(FlowHost.HipId, patient.HealthId);
        Assert.Equal(onConfirms[0].LinkingToken(), stored!.Token);
        Assert.Equal(onConfirms[1].LinkingToken(), stored.Token);
        var after = await flow.Queue.GetAsync(linked.Id);
        Assert.Equal(LinkingState.Linked, after!.Linking.State);
        Assert.Equal(linked.Version, after.Version);
    }

    [Fact]
    public async Task Callbacks_SentBeforeTheCallsWereAccepted_ChainCompletes()
    {
        await using var flow = await FlowHost.StartAsync(Options());
        flow.Gateway.Faults.For(GatewayOperation.OnInit).SendBeforeAccepted(times: 1);
        flow.Gateway.Faults.For(GatewayOperation.OnConfirm).SendBeforeAccepted(times: 1);
        var patient = SyntheticPatients.All[6];

        var (_, linked) = await ScanUntilLinkedAsync(flow, patient);

        var journal = flow.Gateway.Journal;
        var init = Assert.Single(journal.Of(GatewayOperation.AuthInit));
        var onInit = Assert.Single(journal.Of(GatewayOperation.OnInit));
        var confirm = Assert.Single(journal.Of(GatewayOperation.AuthConfirm));
        var onConfirm = Assert.Single(journal.Of(GatewayOperation.OnConfirm));
        Assert.True(init.IsAccepted);
        Assert.True(confirm.IsAccepted);
        Assert.Contains(FaultKind.BeforeAccepted, onInit.Faults);
        Assert.Contains(FaultKind.BeforeAccepted, onConfirm.Faults);
        Assert.True(onInit.Sequence < init.Sequence, "on-init was answered before the init's 202");
        Assert.True(onConfirm.Sequence < confirm.Sequence, "on-confirm was answered before the confirm's 202");
        Assert.Equal(202, onInit.StatusCode);
        Assert.Equal(202, onConfirm.StatusCode);
        Assert.Equal(onInit.TransactionId(), linked.Linking.TransactionId);
        Assert.Equal(onConfirm.LinkingToken(), (await flow.Queue.GetLinkingTokenAsync(FlowHost.HipId, patient.HealthId))!.Token);
    }

    [Fact]
    public async Task Callbacks_InReverseOrder_FirstToArriveWinsAndChainCompletes()
    {
        await using var flow = await FlowHost.StartAsync(Options());
        flow.Gateway.Faults.For(GatewayOperation.OnInit).DeliverInReverseOrder(times: 1);
        flow.Gateway.Faults.For(GatewayOperation.OnConfirm).DeliverInReverseOrder(times: 1);
        var patient = SyntheticPatients.All[7];

        var (_, linked) = await ScanUntilLinkedAsync(flow, patient);

        var journal = flow.Gateway.Journal;
        var onInits = await TwoAsync(journal, GatewayOperation.OnInit);
        var onConfirms = await TwoAsync(journal, GatewayOperation.OnConfirm);
        Assert.All(onInits.Concat(onConfirms), e => Assert.Equal(202, e.StatusCode));
        Assert.NotEqual(onInits[0].TransactionId(), onInits[1].TransactionId());
        Assert.Equal(onInits[0].TransactionId(), linked.Linking.TransactionId);
        Assert.Equal(linked.Linking.TransactionId, Assert.Single(journal.Of(GatewayOperation.AuthConfirm)).String("transactionId"));
        Assert.NotEqual(onConfirms[0].LinkingToken(), onConfirms[1].LinkingToken());
        Assert.Equal(onConfirms[0].LinkingToken(), (await flow.Queue.GetLinkingTokenAsync(FlowHost.HipId, patient.HealthId))!.Token);
        Assert.Equal(LinkingState.Linked, (await flow.Queue.GetAsync(linked.Id))!.Linking.State);
    }

    [Fact]
    public async Task SigningKey_RotatedMidChain_HostRefetchesJwksAndAcceptsTheNextCallback()
    {
        await using var flow = await FlowHost.StartAsync(Options(o =>
        {
            o.Callbacks.KeysRefetchMinInterval = TimeSpan.FromSeconds(1);
            o.Linking.Start = LinkingStart.Manual;
        }));

        // The host refetches the JWKS at most once per KeysRefetchMinInterval (1 s) after its first fetch (at the share):
        // the on-init's latency puts the first callback signed with the new key past it, as a rare real rotation would be.
        // The chain starts only once the rotation is done (generating RSA keys can take seconds on a loaded machine,
        // and a chain that ran meanwhile would be signed with the old key throughout).
        flow.Gateway.Faults.For(GatewayOperation.OnInit).Delay(TimeSpan.FromMilliseconds(1500), times: 1);
        var patient = SyntheticPatients.All[8];
        var share = await flow.ScanAsync(patient);
        Assert.Equal(202, share.HipStatusCode);
        var oldKey = flow.Gateway.SigningKeyId;

        var newKey = flow.Gateway.RotateSigningKey();

        Assert.NotEqual(oldKey, newKey);
        Assert.True((await FlowHost.PhoneAsync(share)).IsSuccess);
        var entry = await flow.EntryForAsync(share);
        Assert.Equal(Workflow.QueueActionOutcome.Done, (await flow.Queue.StartLinkingAsync(entry.Id)).Outcome);
        await flow.WaitForEntryAsync(entry.Id, e => e.Linking.State == LinkingState.Linked);
        var journal = flow.Gateway.Journal;
        await journal.WaitForLinkingTokenIssuedAsync(patient.HealthId, FlowHost.Wait);
        Assert.Equal(202, Assert.Single(journal.Of(GatewayOperation.OnInit)).StatusCode);
        Assert.Equal(202, Assert.Single(journal.Of(GatewayOperation.OnConfirm)).StatusCode);
        var certs = journal.Of(GatewayOperation.Certs);
        Assert.Equal(2, certs.Count);
        Assert.True(certs[1].Sequence > Assert.Single(journal.Of(GatewayOperation.AuthInit)).Sequence, "the JWKS was refetched for the on-init");
    }

    [Fact]
    public async Task Share_SignedWithUnpublishedKey_Refused401AndNothingChanges()
    {
        await using var flow = await FlowHost.StartAsync(Options());
        flow.Gateway.Faults.For(GatewayOperation.Share).SignWithUnpublishedKey(times: 1);

        var forged = await flow.ScanAsync(SyntheticPatients.All[9]);

        Assert.Equal(401, forged.HipStatusCode);
        Assert.Empty(await flow.Queue.ListAsync(FlowHost.HipId, null));
        var genuine = await flow.ScanAsync(SyntheticPatients.All[10]);
        var phone = await FlowHost.PhoneAsync(genuine);
        Assert.Equal("1", phone.TokenNumber);
        var entry = Assert.Single(await flow.Queue.ListAsync(FlowHost.HipId, null));
        await flow.WaitForEntryAsync(entry.Id, e => e.Linking.State == LinkingState.Linked);
        var onShare = Assert.Single(flow.Gateway.Journal.Of(GatewayOperation.OnShare));
        Assert.Equal(genuine.RequestId, onShare.RespRequestId);
        Assert.False(forged.Acknowledgement.IsCompleted);
    }

    [Fact]
    public async Task OnConfirm_SignedWithUnpublishedKey_Refused401NoTokenThenTimedOut()
    {
        await using var flow = await FlowHost.StartAsync(Options(o => o.Linking.CallbackTimeout = TimeSpan.FromSeconds(2)));
        flow.Gateway.Faults.For(GatewayOperation.OnConfirm).SignWithUnpublishedKey(times: 1);
        var patient = SyntheticPatients.All[11];
        var share = await flow.ScanAsync(patient);
        Assert.True((await FlowHost.PhoneAsync(share)).IsSuccess);
        var entry = await flow.EntryForAsync(share);

        var onConfirm = await flow.Gateway.Journal.WaitForOnConfirmSentAsync(patient.HealthId, FlowHost.Wait);

        Assert.Equal(401, onConfirm.StatusCode);
        Assert.Contains(FaultKind.UnpublishedKey, onConfirm.Faults);

        // The refused callback changed nothing: the chain still waits for the same confirm (or, when the simulator was
        // slower than the callback timeout to sign it, already timed out waiting), and no token was stored.
        var afterRefusal = (await flow.Queue.GetAsync(entry.Id))!;
        Assert.Contains(afterRefusal.Linking.State, new[] { LinkingState.AwaitingToken, LinkingState.TimedOut });
        Assert.Equal(onConfirm.RespRequestId, afterRefusal.Linking.ConfirmRequestId);
        Assert.Null(await flow.Queue.GetLinkingTokenAsync(FlowHost.HipId, patient.HealthId));
        var timedOut = await flow.WaitForEntryAsync(entry.Id, e => e.Linking.State == LinkingState.TimedOut);
        Assert.Contains("on-confirm", timedOut.Linking.ErrorMessage, StringComparison.Ordinal);
        Assert.Null(await flow.Queue.GetLinkingTokenAsync(FlowHost.HipId, patient.HealthId));
    }

    [Fact]
    public async Task AuthInit_Hangs_AttemptTimeoutFiresAndOutboxRetries()
    {
        await using var flow = await FlowHost.StartAsync(Options(o =>
        {
            o.Resilience.AttemptTimeout = TimeSpan.FromSeconds(2);
            o.Resilience.TotalTimeout = TimeSpan.FromSeconds(10);
        }));
        flow.Gateway.Faults.For(GatewayOperation.AuthInit).Hang(times: 2);

        var (_, linked) = await ScanUntilLinkedAsync(flow, SyntheticPatients.All[12]);

        var inits = flow.Gateway.Journal.Of(GatewayOperation.AuthInit);
        Assert.Equal(3, inits.Count);
        Assert.All(inits.Take(2), e =>
        {
            Assert.Contains(FaultKind.Hang, e.Faults);
            Assert.Null(e.StatusCode);
        });
        Assert.True(inits[2].IsAccepted);
        Assert.All(inits, e => Assert.Equal(linked.Linking.InitRequestId, e.RequestId));
    }

    /// <summary>Scans, checks the phone shows SUCCESS, and waits until the chain ended Linked with the issued token stored.</summary>
    private static async Task<(SimulatedShare Share, QueueEntry Linked)> ScanUntilLinkedAsync(FlowHost flow, SharedPatientProfile patient)
    {
        var share = await flow.ScanAsync(patient);
        Assert.Equal(202, share.HipStatusCode);
        var phone = await FlowHost.PhoneAsync(share);
        Assert.True(phone.IsSuccess);
        var entry = await flow.EntryForAsync(share);
        Assert.Equal(entry.TokenNumber.ToString(System.Globalization.CultureInfo.InvariantCulture), phone.TokenNumber);
        var linked = await flow.WaitForEntryAsync(entry.Id, e => e.Linking.State == LinkingState.Linked);
        Assert.Equal(AcknowledgementState.Delivered, linked.Acknowledgement);
        var issued = await flow.Gateway.Journal.WaitForLinkingTokenIssuedAsync(patient.HealthId, FlowHost.Wait);
        Assert.Equal(issued, (await flow.Queue.GetLinkingTokenAsync(FlowHost.HipId, patient.HealthId))!.Token);
        return (share, linked);
    }

    /// <summary>Waits for the second journal entry of <paramref name="operation"/> and returns both, in order.</summary>
    private static async Task<IReadOnlyList<JournalEntry>> TwoAsync(GatewayJournal journal, GatewayOperation operation)
    {
        var first = await journal.WaitForAsync(e => e.Operation == operation, FlowHost.Wait);
        await journal.WaitForAsync(e => e.Operation == operation && e.Sequence > first.Sequence, FlowHost.Wait);
        var entries = journal.Of(operation);
        Assert.Equal(2, entries.Count);
        return entries;
    }
}
