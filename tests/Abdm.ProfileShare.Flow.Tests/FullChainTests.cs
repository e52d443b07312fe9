using System.Globalization;
using Abdm.ProfileShare.FlowTests.Support;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Testing;
using Xunit.Abstractions;

namespace Abdm.ProfileShare.FlowTests;

/// <summary>
/// The whole scan-and-share chain over real HTTP against the gateway simulator: share, on-share, what the phone
/// shows, auth init, on-init, auth confirm, on-confirm, the stored linking token.
/// </summary>
public sealed class FullChainTests(ITestOutputHelper output)
{
    /// <summary>
    /// The same test for every wire version: v0.5 and v1.0 shares on a v0.5-gateway deployment (the linking token from
    /// the demographic-auth chain), and v3 shares on a v3 deployment (REQUEST-ID headers, on-share with the token's
    /// expiry, the link token from generate-token / on-generate-token).
    /// </summary>
    [Theory]
    [InlineData(WireVersion.V05)]
    [InlineData(WireVersion.V10)]
    [InlineData(WireVersion.V3)]
    public async Task Scan_HealthyGateway_PhoneShowsSuccessAndLinkingTokenIsStored(WireVersion version)
    {
        var deployment = version == WireVersion.V3 ? WireVersion.V3 : WireVersion.V05;
        await using var flow = await FlowHost.StartAsync(new FlowHostOptions { Logs = new TestOutputLogs(output), WireVersion = deployment });
        var patient = SyntheticPatients.All[0];

        var share = await flow.ScanAsync(patient, version);

        Assert.Equal(version == WireVersion.V3 ? 200 : 202, share.HipStatusCode);
        var phone = await FlowHost.PhoneAsync(share);
        Assert.True(phone.IsSuccess);
        var entry = await flow.EntryForAsync(share);
        Assert.Equal(1, entry.TokenNumber);
        if (version == WireVersion.V05)
        {
            Assert.Null(phone.TokenNumber);
        }
        else
        {
            Assert.Equal(entry.TokenNumber.ToString(CultureInfo.InvariantCulture), phone.TokenNumber);
        }

        if (version == WireVersion.V3)
        {
            // A fresh token: valid 30 minutes, sent in seconds (a little less: the on-share leaves after the scan).
            Assert.InRange(phone.Expiry!.Value, 1700, 1800);
        }
        else
        {
            Assert.Null(phone.Expiry);
        }

        var issued = version == WireVersion.V3
            ? await flow.Gateway.Journal.WaitForLinkTokenIssuedAsync(patient.HealthId, FlowHost.Wait)
            : await flow.Gateway.Journal.WaitForLinkingTokenIssuedAsync(patient.HealthId, FlowHost.Wait);
        var linked = await flow.WaitForEntryAsync(entry.Id, e => e.Linking.State == LinkingState.Linked);
        Assert.Equal(AcknowledgementState.Delivered, linked.Acknowledgement);
        Assert.Null(linked.Linking.ErrorCode);
        var stored = await flow.Queue.GetLinkingTokenAsync(FlowHost.HipId, patient.HealthId);
        Assert.NotNull(stored);
        Assert.Equal(issued, stored.Token);
        Assert.Equal(entry.Id, stored.EntryId);

        var journal = flow.Gateway.Journal;
        Assert.DoesNotContain(journal.Entries, e => e.Rejection is not null);
        var onShare = Assert.Single(journal.Of(GatewayOperation.OnShare));
        Assert.True(onShare.IsAccepted);
        Assert.Equal(share.RequestId, onShare.RespRequestId);
        Assert.Equal("sbx", onShare.Header("X-CM-ID"));
        Assert.EndsWith(version switch
        {
            WireVersion.V3 => "/api/hiecm/patient-share/v3/on-share",
            WireVersion.V10 => "/v1.0/patients/profile/on-share",
            _ => "/v0.5/patients/profile/on-share",
        }, onShare.Path, StringComparison.Ordinal);
        Assert.Equal(phone.OnShareRequestId, onShare.RequestId);

        if (version == WireVersion.V3)
        {
            // v3: the share's REQUEST-ID header came back as response.requestId; one generate-token, one callback.
            Assert.Equal(share.RequestId.ToString(), onShare.String("response", "requestId"));
            Assert.Empty(journal.Of(GatewayOperation.AuthInit));
            var generate = Assert.Single(journal.Of(GatewayOperation.GenerateToken));
            Assert.True(generate.IsAccepted);
            Assert.Equal(FlowHost.HipId, generate.Header("X-HIP-ID"));
            Assert.Equal(linked.Linking.TokenRequestId, generate.RequestId);
            Assert.Equal(patient.HealthId, generate.String("abhaAddress"));
            var onGenerate = Assert.Single(journal.Of(GatewayOperation.OnGenerateToken));
            Assert.Equal(200, onGenerate.StatusCode);
            Assert.Equal(generate.RequestId, onGenerate.RespRequestId);
            return;
        }

        var init = Assert.Single(journal.Of(GatewayOperation.AuthInit));
        Assert.True(init.IsAccepted);
        Assert.Equal("sbx", init.Header("X-CM-ID"));
        Assert.Equal(linked.Linking.InitRequestId, init.RequestId);
        Assert.Equal(FlowHost.HipId, init.String("query", "requester", "id"));

        var onInit = Assert.Single(journal.Of(GatewayOperation.OnInit));
        Assert.Equal(202, onInit.StatusCode);
        Assert.Equal(init.RequestId, onInit.RespRequestId);
        Assert.Equal(onInit.TransactionId(), linked.Linking.TransactionId);

        var confirm = Assert.Single(journal.Of(GatewayOperation.AuthConfirm));
        Assert.True(confirm.IsAccepted);
        Assert.Equal("sbx", confirm.Header("X-CM-ID"));
        Assert.Equal(linked.Linking.ConfirmRequestId, confirm.RequestId);
        Assert.Equal(linked.Linking.TransactionId, confirm.String("transactionId"));

        var onConfirm = Assert.Single(journal.Of(GatewayOperation.OnConfirm));
        Assert.Equal(202, onConfirm.StatusCode);
        Assert.Equal(confirm.RequestId, onConfirm.RespRequestId);
        Assert.Equal(issued, onConfirm.LinkingToken());
    }

    [Fact]
    public async Task Scan_DemographicsDifferAtTheGateway_LinkingFailsWith1441AndNoTokenIsStored()
    {
        // Linking starts when the operator claims the entry, so the test changes what the gateway holds after the
        // scan (which registers the shared demographics) and before the confirm, without racing the chain.
        await using var flow = await FlowHost.StartAsync(new FlowHostOptions
        {
            Logs = new TestOutputLogs(output),
            ConfigureHost = o => o.Linking.Start = LinkingStart.OnClaim,
        });
        var patient = SyntheticPatients.All[1];
        var share = await flow.ScanAsync(patient);
        Assert.True((await FlowHost.PhoneAsync(share)).IsSuccess);
        var entry = await flow.WaitForEntryAsync((await flow.EntryForAsync(share)).Id, e => e.Acknowledgement == AcknowledgementState.Delivered);
        flow.Gateway.RegisterPatient(patient with { Name = "Ravi Differentname" });

        var claim = await flow.Queue.ClaimAsync(entry.Id, "operator-1");

        Assert.Equal(Workflow.QueueActionOutcome.Done, claim.Outcome);
        var failed = await flow.WaitForEntryAsync(entry.Id, e => e.Linking.State == LinkingState.Failed);
        Assert.Equal("1441", failed.Linking.ErrorCode);
        Assert.Equal("Invalid auth confirm request.", failed.Linking.ErrorMessage);
        Assert.Null(await flow.Queue.GetLinkingTokenAsync(FlowHost.HipId, patient.HealthId));
        Assert.Equal(QueueEntryStatus.Claimed, failed.Status);

        // The simulator journals a call once the host answered it, which is after the host stored its effect.
        var journal = flow.Gateway.Journal;
        var onConfirm = await journal.WaitForOnConfirmSentAsync(patient.HealthId, FlowHost.Wait);
        Assert.Single(journal.Of(GatewayOperation.OnConfirm));
        Assert.True(Assert.Single(journal.Of(GatewayOperation.AuthConfirm)).IsAccepted);
        Assert.Equal(202, onConfirm.StatusCode);
        Assert.Equal(1441, onConfirm.BodyErrorCode());
        Assert.Null(onConfirm.LinkingToken());
    }

    [Fact]
    public async Task Scan_SamePatientTwiceWithinWindow_PhoneShowsTheSameTokenBothTimes()
    {
        await using var flow = await FlowHost.StartAsync(new FlowHostOptions { Logs = new TestOutputLogs(output) });
        var other = SyntheticPatients.All[2];
        var patient = SyntheticPatients.All[3];
        Assert.True((await FlowHost.PhoneAsync(await flow.ScanAsync(other))).IsSuccess);

        var first = await flow.ScanAsync(patient);
        var firstPhone = await FlowHost.PhoneAsync(first);
        var entry = await flow.EntryForAsync(first);
        await flow.WaitForEntryAsync(entry.Id, e => e.Linking.State == LinkingState.Linked);
        var token = (await flow.Queue.GetLinkingTokenAsync(FlowHost.HipId, patient.HealthId))!.Token;

        var second = await flow.ScanAsync(patient);
        var secondPhone = await FlowHost.PhoneAsync(second);

        Assert.Equal(202, second.HipStatusCode);
        Assert.True(firstPhone.IsSuccess);
        Assert.True(secondPhone.IsSuccess);
        Assert.Equal("2", firstPhone.TokenNumber);
        Assert.Equal(firstPhone.TokenNumber, secondPhone.TokenNumber);
        var refreshed = await flow.WaitForEntryAsync(entry.Id, e => e.LatestShareRequestId == second.RequestId && e.Acknowledgement == AcknowledgementState.Delivered);
        Assert.Equal(2, refreshed.ScanCount);
        Assert.Equal(2, refreshed.TokenNumber);
        Assert.Equal(LinkingState.Linked, refreshed.Linking.State);
        Assert.Equal(2, (await flow.Queue.ListAsync(FlowHost.HipId, null)).Count);

        // The re-scan did not restart the chain: one auth init for the patient, and the stored token is unchanged.
        var journal = flow.Gateway.Journal;
        Assert.Single(journal.Of(GatewayOperation.AuthInit), e => e.HealthId == patient.HealthId);
        Assert.Equal(token, (await flow.Queue.GetLinkingTokenAsync(FlowHost.HipId, patient.HealthId))!.Token);
        Assert.Single(journal.Accepted(GatewayOperation.OnShare), e => e.RespRequestId == first.RequestId);
        Assert.Single(journal.Accepted(GatewayOperation.OnShare), e => e.RespRequestId == second.RequestId);
    }

    [Fact]
    public async Task ClaimV3_DemographicsDoNotMatch_LinkingFailsWithTheGatewaysStringCode()
    {
        await using var flow = await FlowHost.StartAsync(new FlowHostOptions
        {
            Logs = new TestOutputLogs(output),
            WireVersion = WireVersion.V3,
            ConfigureHost = o => o.Linking.Start = LinkingStart.OnClaim,
        });
        var patient = SyntheticPatients.All[1];
        var share = await flow.ScanAsync(patient, WireVersion.V3);
        Assert.True((await FlowHost.PhoneAsync(share)).IsSuccess);
        var entry = await flow.WaitForEntryAsync((await flow.EntryForAsync(share)).Id, e => e.Acknowledgement == AcknowledgementState.Delivered);
        flow.Gateway.RegisterPatient(patient with { Name = "Ravi Differentname" });

        var claim = await flow.Queue.ClaimAsync(entry.Id, "operator-1");

        Assert.Equal(Workflow.QueueActionOutcome.Done, claim.Outcome);
        var failed = await flow.WaitForEntryAsync(entry.Id, e => e.Linking.State == LinkingState.Failed);
        Assert.Equal("ABDM-1051", failed.Linking.ErrorCode);
        Assert.False(string.IsNullOrWhiteSpace(failed.Linking.ErrorMessage));
        Assert.Null(await flow.Queue.GetLinkingTokenAsync(FlowHost.HipId, patient.HealthId));
        var journal = flow.Gateway.Journal;
        Assert.True(Assert.Single(journal.Of(GatewayOperation.GenerateToken)).IsAccepted);
        Assert.Empty(journal.Of(GatewayOperation.AuthInit));
    }

    [Fact]
    public async Task ScanV3_SamePatientTwiceWithinWindow_SameTokenAndNoLongerExpiry()
    {
        await using var flow = await FlowHost.StartAsync(new FlowHostOptions { Logs = new TestOutputLogs(output), WireVersion = WireVersion.V3 });
        var patient = SyntheticPatients.All[3];

        var firstPhone = await FlowHost.PhoneAsync(await flow.ScanAsync(patient, WireVersion.V3));
        var second = await flow.ScanAsync(patient, WireVersion.V3);
        var secondPhone = await FlowHost.PhoneAsync(second);

        Assert.Equal(200, second.HipStatusCode);
        Assert.Equal("1", firstPhone.TokenNumber);
        Assert.Equal(firstPhone.TokenNumber, secondPhone.TokenNumber);
        Assert.True(secondPhone.Expiry <= firstPhone.Expiry, "a re-scan is told what is left of the token's 30 minutes, never a fresh 30");
        Assert.Single(await flow.Queue.ListAsync(FlowHost.HipId, null));
    }
}
