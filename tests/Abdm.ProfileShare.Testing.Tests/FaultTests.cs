using System.Diagnostics;
using System.Text.Json.Nodes;
using Abdm.ProfileShare.Model;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Abdm.ProfileShare.Testing.Tests;

public sealed class FaultTests
{
    [Fact]
    public async Task Delay_OnCerts_AnswersAfterTheLatency()
    {
        await using var bed = await TestBed.StartAsync();
        bed.Gateway.Faults.For(GatewayOperation.Certs).Delay(TimeSpan.FromMilliseconds(300), times: 1);

        var watch = Stopwatch.StartNew();
        var certs = await bed.Http.GetStringAsync("v0.5/certs");
        watch.Stop();

        Assert.Contains("keys", certs, StringComparison.Ordinal);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(280), $"answered after {watch.Elapsed}");
        Assert.Contains(FaultKind.Delay, Assert.Single(bed.Gateway.Journal.Of(GatewayOperation.Certs)).Faults);
    }

    [Fact]
    public async Task Delay_OnShare_WaitsOnTheSimulatorClock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var bed = await TestBed.StartAsync(o => o.TimeProvider = time);
        bed.Gateway.Faults.For(GatewayOperation.Share).Delay(TimeSpan.FromMinutes(1));

        // The delay's timer is registered before ScanAsync first yields.
        var scan = bed.Gateway.ScanAsync(new SimulatedScan(TestBed.HipId, "c", SyntheticPatients.All[0]));
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.False(scan.IsCompleted);
        Assert.Empty(bed.Hip.Calls);
        time.Advance(TimeSpan.FromSeconds(1));

        var share = await scan.WaitAsync(TestBed.Wait);
        Assert.Equal(202, share.HipStatusCode);
        Assert.Contains(FaultKind.Delay, Assert.Single(bed.Gateway.Journal.Of(GatewayOperation.Share)).Faults);
    }

    [Fact]
    public async Task RespondWith_503ThreeTimes_ThenProcessesNormally()
    {
        await using var bed = await TestBed.StartAsync();
        var (share, _) = await bed.ScanAsync();
        await bed.TokenAsync();
        bed.Gateway.Faults.For(GatewayOperation.OnShare).RespondWith(503, times: 3);

        var statuses = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await bed.PostAsync(TestBed.OnSharePath(share), TestBed.OnShareBody(share));
            statuses.Add((int)response.StatusCode);
            if (i == 0)
            {
                Assert.Equal(1500, (int)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["code"]!);
            }
        }

        Assert.Equal([503, 503, 503, 202], statuses);
        Assert.True((await share.Acknowledgement.WaitAsync(TestBed.Wait)).IsSuccess);
        Assert.Equal(3, bed.Gateway.Journal.Of(GatewayOperation.OnShare).Count(e => e.Faults.Contains(FaultKind.RespondWith)));
    }

    [Fact]
    public async Task RespondWith_429_AnswersWso2Throttling()
    {
        await using var bed = await TestBed.StartAsync();
        bed.Gateway.Faults.For(GatewayOperation.Sessions).RespondWith(429);

        using var response = await bed.Http.PostAsync("v0.5/sessions", TestBed.Json(new JsonObject { ["clientId"] = TestBed.ClientId, ["clientSecret"] = TestBed.ClientSecret }));

        Assert.Equal(429, (int)response.StatusCode);
        Assert.Equal(900800, (int)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["fault"]!["code"]!);
    }

    [Fact]
    public async Task Hang_OnAuthInit_HoldsUntilClientGivesUpAndProcessesNothing()
    {
        await using var bed = await TestBed.StartAsync();
        var token = await bed.TokenAsync();
        bed.Gateway.Faults.For(GatewayOperation.AuthInit).Hang(times: 1);
        using var client = new HttpClient { BaseAddress = bed.Http.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "v0.5/users/auth/init") { Content = TestBed.Json(TestBed.InitBody(SyntheticPatients.All[0].HealthId)) };
        request.Headers.Add("Authorization", "Bearer " + token);
        request.Headers.Add("X-CM-ID", "sbx");
        using var giveUp = new CancellationTokenSource();

        // The simulator journals a held call when it starts holding it; the client gives up only then (no race
        // between a short client timeout and a loaded machine).
        var sending = client.SendAsync(request, giveUp.Token);
        var entry = await bed.Gateway.Journal.WaitForAsync(e => e.Operation == GatewayOperation.AuthInit, TestBed.Wait);
        Assert.False(sending.IsCompleted);
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);

        Assert.Null(entry.StatusCode);
        Assert.Contains(FaultKind.Hang, entry.Faults);
        Assert.Empty(bed.Gateway.Journal.Of(GatewayOperation.OnInit));
        using var next = await bed.PostAsync("v0.5/users/auth/init", TestBed.InitBody(SyntheticPatients.All[0].HealthId));
        Assert.Equal(202, (int)next.StatusCode);
    }

    [Fact]
    public async Task Drop_OnShare_NothingReachesTheHip()
    {
        await using var bed = await TestBed.StartAsync();
        bed.Gateway.Faults.For(GatewayOperation.Share).Drop(times: 1);

        var dropped = await bed.Gateway.ScanAsync(new SimulatedScan(TestBed.HipId, "c", SyntheticPatients.All[0]));
        var (delivered, _) = await bed.ScanAsync(1);

        Assert.Null(dropped.HipStatusCode);
        Assert.NotNull(dropped.DeliveryError);
        Assert.Equal(202, delivered.HipStatusCode);
        var call = Assert.Single(bed.Hip.CallsTo("/patients/profile/share"));
        Assert.Equal(delivered.RequestId.ToString(), (string?)call.Body["requestId"]);
        Assert.Contains(bed.Gateway.Journal.Of(GatewayOperation.Share), e => e.Faults.Contains(FaultKind.Drop) && e.StatusCode is null);
    }

    [Fact]
    public async Task Drop_OnInit_NoCallbackSent()
    {
        await using var bed = await TestBed.StartAsync();
        var patient = SyntheticPatients.All[0];
        bed.Gateway.Faults.For(GatewayOperation.OnInit).Drop();

        using var response = await bed.PostAsync("v0.5/users/auth/init", TestBed.InitBody(patient.HealthId));
        var entry = await bed.Gateway.Journal.WaitForAsync(e => e.Operation == GatewayOperation.OnInit, TestBed.Wait);

        Assert.Equal(202, (int)response.StatusCode);
        Assert.Contains(FaultKind.Drop, entry.Faults);
        Assert.Null(entry.StatusCode);
        Assert.Empty(bed.Hip.CallsTo("/users/auth/on-init"));
    }

    [Fact]
    public async Task Duplicate_OnShare_HipReceivesSameShareTwice()
    {
        await using var bed = await TestBed.StartAsync();
        bed.Gateway.Faults.For(GatewayOperation.Share).Duplicate(times: 1);

        var share = await bed.Gateway.ScanAsync(new SimulatedScan(TestBed.HipId, "c", SyntheticPatients.All[0]));

        var calls = bed.Hip.CallsTo("/patients/profile/share");
        Assert.Equal(2, calls.Count);
        Assert.Equal(calls[0].Text, calls[1].Text);
        Assert.Equal(share.RequestId.ToString(), (string?)calls[0].Body["requestId"]);
        var entries = bed.Gateway.Journal.Of(GatewayOperation.Share);
        Assert.DoesNotContain(FaultKind.Duplicate, entries[0].Faults);
        Assert.Contains(FaultKind.Duplicate, entries[1].Faults);
    }

    [Fact]
    public async Task Duplicate_OnConfirm_SameLinkingTokenDeliveredTwice()
    {
        await using var bed = await TestBed.StartAsync();
        var patient = SyntheticPatients.All[0];
        var transactionId = await bed.TransactionAsync(patient);
        bed.Gateway.Faults.For(GatewayOperation.OnConfirm).Duplicate();

        using var response = await bed.PostAsync("v0.5/users/auth/confirm", TestBed.ConfirmBody(transactionId, patient));
        await bed.Gateway.Journal.WaitForAsync(e => e.Operation == GatewayOperation.OnConfirm && e.Faults.Contains(FaultKind.Duplicate), TestBed.Wait);

        var calls = bed.Hip.CallsTo("/users/auth/on-confirm");
        Assert.Equal(2, calls.Count);
        Assert.Equal(calls[0].Text, calls[1].Text);
    }

    [Fact]
    public async Task DeliverInReverseOrder_OnInit_LaterCallbackArrivesFirstAndBothTransactionsWork()
    {
        await using var bed = await TestBed.StartAsync();
        var patient = SyntheticPatients.All[0];
        bed.Gateway.Faults.For(GatewayOperation.OnInit).DeliverInReverseOrder(times: 1);
        var init = TestBed.InitBody(patient.HealthId);

        using var response = await bed.PostAsync("v0.5/users/auth/init", init);
        await bed.Hip.WaitForAsync("/users/auth/on-init", TestBed.Wait, c => bed.Hip.CallsTo("/users/auth/on-init").Count == 2);

        var calls = bed.Hip.CallsTo("/users/auth/on-init");
        Assert.Equal(2, calls.Count);
        var sent = bed.Gateway.Journal.Of(GatewayOperation.OnInit);
        Assert.All(sent, e => Assert.Contains(FaultKind.ReverseOrder, e.Faults));
        var first = DateTime.Parse((string)calls[0].Body["timestamp"]!, System.Globalization.CultureInfo.InvariantCulture);
        var second = DateTime.Parse((string)calls[1].Body["timestamp"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(first >= second, "the later callback is delivered first");
        Assert.NotEqual((string?)calls[0].Body["requestId"], (string?)calls[1].Body["requestId"]);
        Assert.All(calls, c => Assert.Equal((string?)init["requestId"], (string?)c.Body["resp"]!["requestId"]));
        foreach (var call in calls)
        {
            using var confirm = await bed.PostAsync("v0.5/users/auth/confirm", TestBed.ConfirmBody((string)call.Body["auth"]!["transactionId"]!, patient));
            Assert.Equal(202, (int)confirm.StatusCode);
        }
    }

    [Fact]
    public async Task SendBeforeAccepted_OnInit_CallbackArrivesBeforeThe202()
    {
        await using var bed = await TestBed.StartAsync();
        var patient = SyntheticPatients.All[0];
        bed.Gateway.Faults.For(GatewayOperation.OnInit).SendBeforeAccepted();

        using var response = await bed.PostAsync("v0.5/users/auth/init", TestBed.InitBody(patient.HealthId));

        Assert.Equal(202, (int)response.StatusCode);
        Assert.Single(bed.Hip.CallsTo("/users/auth/on-init"));
        var sent = Assert.Single(bed.Gateway.Journal.Of(GatewayOperation.OnInit));
        var accepted = Assert.Single(bed.Gateway.Journal.Of(GatewayOperation.AuthInit));
        Assert.True(sent.Sequence < accepted.Sequence);
        Assert.Contains(FaultKind.BeforeAccepted, sent.Faults);
    }

    [Fact]
    public async Task ExpireTokensEarly_Zero_TokenRefusedAtOnceButNextTokenWorks()
    {
        await using var bed = await TestBed.StartAsync();
        var (share, _) = await bed.ScanAsync();
        bed.Gateway.Faults.For(GatewayOperation.Sessions).ExpireTokensEarly(TimeSpan.Zero, times: 1);

        var doomed = await bed.NewTokenAsync();
        var good = await bed.NewTokenAsync();
        using var refused = await bed.PostAsync(TestBed.OnSharePath(share), TestBed.OnShareBody(share), authorization: "Bearer " + doomed);
        using var accepted = await bed.PostAsync(TestBed.OnSharePath(share), TestBed.OnShareBody(share), authorization: "Bearer " + good);

        Assert.Equal(401, (int)refused.StatusCode);
        Assert.Equal(900901, (int)JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["fault"]!["code"]!);
        Assert.Equal(202, (int)accepted.StatusCode);
        Assert.Contains(bed.Gateway.Journal.Of(GatewayOperation.Sessions), e => e.Faults.Contains(FaultKind.ExpireEarly));
    }

    [Fact]
    public async Task ExpireTokensEarly_AfterThirtySeconds_ExpiresInStillSays1200()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var bed = await TestBed.StartAsync(o => o.TimeProvider = time);
        var (share, _) = await bed.ScanAsync();
        bed.Gateway.Faults.For(GatewayOperation.Sessions).ExpireTokensEarly(TimeSpan.FromSeconds(30));

        using var session = await bed.Http.PostAsync("v0.5/sessions", TestBed.Json(new JsonObject { ["clientId"] = TestBed.ClientId, ["clientSecret"] = TestBed.ClientSecret }));
        var body = JsonNode.Parse(await session.Content.ReadAsStringAsync())!;
        var token = (string)body["accessToken"]!;
        time.Advance(TimeSpan.FromSeconds(29));
        using var early = await bed.PostAsync(TestBed.OnSharePath(share), TestBed.OnShareBody(share), authorization: "Bearer " + token);
        time.Advance(TimeSpan.FromSeconds(1));
        using var late = await bed.PostAsync(TestBed.OnSharePath(share), TestBed.OnShareBody(share), authorization: "Bearer " + token);

        Assert.Equal(1200, (int)body["expiresIn"]!);
        Assert.Equal(202, (int)early.StatusCode);
        Assert.Equal(401, (int)late.StatusCode);
    }

    [Fact]
    public async Task InvalidateSessionTokens_OldTokenRefusedNewTokenAccepted()
    {
        await using var bed = await TestBed.StartAsync();
        var (share, _) = await bed.ScanAsync();
        var old = await bed.NewTokenAsync();

        bed.Gateway.Faults.InvalidateSessionTokens();
        var fresh = await bed.NewTokenAsync();
        using var refused = await bed.PostAsync(TestBed.OnSharePath(share), TestBed.OnShareBody(share), authorization: "Bearer " + old);
        using var accepted = await bed.PostAsync(TestBed.OnSharePath(share), TestBed.OnShareBody(share), authorization: "Bearer " + fresh);

        Assert.Equal(401, (int)refused.StatusCode);
        Assert.Equal(202, (int)accepted.StatusCode);
    }

    [Fact]
    public async Task SignWithUnpublishedKey_OnShare_TokenFailsJwksValidation()
    {
        await using var bed = await TestBed.StartAsync();
        bed.Gateway.Faults.For(GatewayOperation.Share).SignWithUnpublishedKey(times: 1);

        var (_, forged) = await bed.ScanAsync(0);
        var (_, genuine) = await bed.ScanAsync(1);

        Assert.DoesNotContain(new JsonWebToken(forged.BearerToken).Kid, (await bed.JwksAsync()).Keys.Select(k => k.Kid));
        Assert.False((await bed.ValidateCallbackTokenAsync(forged.BearerToken)).IsValid);
        Assert.True((await bed.ValidateCallbackTokenAsync(genuine.BearerToken)).IsValid);
    }

    [Fact]
    public async Task Clear_RemovesPendingFaults()
    {
        await using var bed = await TestBed.StartAsync();
        bed.Gateway.Faults.For(GatewayOperation.Certs).RespondWith(500);
        bed.Gateway.Faults.For(GatewayOperation.Share).Drop();

        bed.Gateway.Faults.Clear();
        using var certs = await bed.Http.GetAsync("v0.5/certs");
        var (share, _) = await bed.ScanAsync();

        Assert.Equal(200, (int)certs.StatusCode);
        Assert.Equal(202, share.HipStatusCode);
    }

    [Fact]
    public async Task Faults_NotApplicableToOperation_Throw()
    {
        await using var bed = await TestBed.StartAsync();
        var faults = bed.Gateway.Faults;

        Assert.Throws<InvalidOperationException>(() => faults.For(GatewayOperation.Share).RespondWith(503));
        Assert.Throws<InvalidOperationException>(() => faults.For(GatewayOperation.OnShare).Drop());
        Assert.Throws<InvalidOperationException>(() => faults.For(GatewayOperation.Share).DeliverInReverseOrder());
        Assert.Throws<InvalidOperationException>(() => faults.For(GatewayOperation.AuthInit).SendBeforeAccepted());
        Assert.Throws<InvalidOperationException>(() => faults.For(GatewayOperation.OnShare).ExpireTokensEarly(TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => faults.For(GatewayOperation.OnShare).RespondWith(503, times: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => faults.For(GatewayOperation.OnShare).RespondWith(200));
    }
}
