using System.Net;
using System.Text.Json.Nodes;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Workflow;
using Abdm.ProfileShare.Workflow.Internal;
using Microsoft.Extensions.DependencyInjection;

namespace Abdm.ProfileShare.AspNetCore.Tests.Endpoints;

public sealed class ProfileShareFlowTests
{
    private const string OnShareV05 = "/v0.5/patients/profile/on-share";
    private const string OnShareV10 = "/v1.0/patients/profile/on-share";

    [Fact]
    public async Task Share_SeedExample_QueuesTokenOneAcknowledgesAndStoresLinkingToken()
    {
        await using var host = await ProfileShareTestHost.StartAsync();
        host.Gateway.Patients["test@sbx"] = ("Jane Doe", "F", "2000-02-27");
        var shareId = Guid.NewGuid();

        using var response = await host.ShareAsync(ProfileShareTestHost.SeedShare(shareId));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var entry = Assert.Single(await host.Queue.ListAsync(ProfileShareTestHost.HipId, "12345 (CounterId)"));
        Assert.Equal(1, entry.TokenNumber);
        Assert.Equal("test@sbx", entry.Profile.HealthId);

        var onShare = await host.Gateway.WaitForAsync(c => c.Path == OnShareV05);
        Assert.Equal("SUCCESS", onShare.Get("acknowledgement", "status"));
        Assert.Equal("test@sbx", onShare.Get("acknowledgement", "healthId"));
        Assert.Equal(shareId.ToString(), onShare.Get("resp", "requestId"));
        Assert.Equal("sbx", onShare.Header("X-CM-ID"));
        Assert.Equal("Bearer " + FakeGateway.SessionToken, onShare.Header("Authorization"));

        var linked = await host.WaitForEntryAsync(entry.Id, e => e.Linking.State == LinkingState.Linked);
        var init = Assert.Single(host.Gateway.CallsTo("/v0.5/users/auth/init"));
        Assert.Equal("test@sbx", init.Get("query", "id"));
        Assert.Equal("LINK", init.Get("query", "purpose"));
        Assert.Equal("DEMOGRAPHICS", init.Get("query", "authMode"));
        Assert.Equal("HIP", init.Get("query", "requester", "type"));
        Assert.Equal(ProfileShareTestHost.HipId, init.Get("query", "requester", "id"));
        var confirm = Assert.Single(host.Gateway.CallsTo("/v0.5/users/auth/confirm"));
        Assert.Equal(linked.Linking.TransactionId, confirm.Get("transactionId"));
        Assert.Equal("Jane Doe", confirm.Get("credential", "demographic", "name"));
        Assert.Equal("F", confirm.Get("credential", "demographic", "gender"));
        Assert.Equal("2000-02-27", confirm.Get("credential", "demographic", "dateOfBirth"));
        var token = await host.Queue.GetLinkingTokenAsync(ProfileShareTestHost.HipId, "TEST@sbx");
        Assert.NotNull(token);
        Assert.StartsWith("linking-token-", token.Token, StringComparison.Ordinal);
        Assert.Equal(entry.Id, token.EntryId);
    }

    [Fact]
    public async Task Share_DemographicMismatch_SurfacesGatewayError1441OnEntry()
    {
        await using var host = await ProfileShareTestHost.StartAsync();
        host.Gateway.Patients["test@sbx"] = ("Jane Q Doe", "F", "2000-02-27");

        using var response = await host.ShareAsync(ProfileShareTestHost.SeedShare());

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var entry = Assert.Single(await host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
        var failed = await host.WaitForEntryAsync(entry.Id, e => e.Linking.State == LinkingState.Failed);
        Assert.Equal("1441", failed.Linking.ErrorCode);
        Assert.Equal("Invalid auth confirm request.", failed.Linking.ErrorMessage);
        Assert.Null(await host.Queue.GetLinkingTokenAsync(ProfileShareTestHost.HipId, "test@sbx"));
    }

    [Fact]
    public async Task Share_SameRequestIdTwice_OneEntryAndOneAcknowledgement()
    {
        await using var host = await ProfileShareTestHost.StartAsync();
        host.Gateway.Patients["test@sbx"] = ("Jane Doe", "F", "2000-02-27");
        var share = ProfileShareTestHost.SeedShare();

        using var first = await host.ShareAsync(share);
        using var second = await host.ShareAsync(share);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        var entry = Assert.Single(await host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
        await host.WaitForEntryAsync(entry.Id, e => e.Linking.State == LinkingState.Linked);
        Assert.Single(host.Gateway.CallsTo(OnShareV05));
        Assert.Single(host.Gateway.CallsTo("/v0.5/users/auth/init"));
        Assert.Equal(1, (await host.Store.GetEntryAsync(entry.Id))!.ScanCount);
    }

    [Fact]
    public async Task Share_SamePatientRescansWithinWindow_KeepsTokenAndAcknowledgesBoth()
    {
        await using var host = await ProfileShareTestHost.StartAsync(o => o.Linking.Start = LinkingStart.Manual);
        var firstId = Guid.NewGuid();
        var secondId = Guid.NewGuid();
        using var other = await host.ShareAsync(ProfileShareTestHost.SeedShare(healthId: "someone.else@sbx"), "/v1.0/patients/profile/share");

        using var first = await host.ShareAsync(ProfileShareTestHost.SeedShare(firstId), "/v1.0/patients/profile/share");
        host.Time.Advance(TimeSpan.FromMinutes(20));
        using var second = await host.ShareAsync(ProfileShareTestHost.SeedShare(secondId), "/v1.0/patients/profile/share");

        var acks = await Task.WhenAll(
            host.Gateway.WaitForAsync(c => c.Path == OnShareV10 && c.Get("resp", "requestId") == firstId.ToString()),
            host.Gateway.WaitForAsync(c => c.Path == OnShareV10 && c.Get("resp", "requestId") == secondId.ToString()));
        Assert.All(acks, a => Assert.Equal("2", a.Get("acknowledgement", "tokenNumber")));
        var entries = await host.Queue.ListAsync(ProfileShareTestHost.HipId, "12345 (CounterId)");
        Assert.Equal(2, entries.Count);
        var rescanned = Assert.Single(entries, e => e.Profile.HealthId == "test@sbx");
        Assert.Equal(2, rescanned.ScanCount);
        Assert.Equal(secondId, rescanned.LatestShareRequestId);

        host.Time.Advance(TimeSpan.FromMinutes(31));
        using var third = await host.ShareAsync(ProfileShareTestHost.SeedShare(), "/v1.0/patients/profile/share");
        Assert.Contains(await host.Queue.ListAsync(ProfileShareTestHost.HipId, null), e => e.TokenNumber == 3 && e.Profile.HealthId == "test@sbx");
    }

    [Fact]
    public async Task Share_200ConcurrentAtOneCounter_TokensOneTo200ExactlyOnceAndCountersSeparate()
    {
        await using var host = await ProfileShareTestHost.StartAsync(o => o.Linking.Start = LinkingStart.Manual);

        var shares = Enumerable.Range(0, 200).Select(i => ("A", $"patient.a{i}@sbx"))
            .Concat(Enumerable.Range(0, 50).Select(i => ("B", $"patient.b{i}@sbx")));
        var responses = await Task.WhenAll(shares.Select(async s =>
        {
            using var r = await host.ShareAsync(ProfileShareTestHost.SeedShare(counter: s.Item1, healthId: s.Item2));
            return r.StatusCode;
        }));

        Assert.All(responses, s => Assert.Equal(HttpStatusCode.Accepted, s));
        var counterA = await host.Queue.ListAsync(ProfileShareTestHost.HipId, "A");
        var counterB = await host.Queue.ListAsync(ProfileShareTestHost.HipId, "B");
        Assert.Equal(Enumerable.Range(1, 200), counterA.Select(e => e.TokenNumber).Order());
        Assert.Equal(Enumerable.Range(1, 50), counterB.Select(e => e.TokenNumber).Order());
    }

    [Fact]
    public async Task Share_HostRejects_SendsFailureWithPatientMessageAndNoLinking()
    {
        await using var host = await ProfileShareTestHost.StartAsync(build: b => b.AddProfileShareHandler<ClosedCounterHandler>());
        var shareId = Guid.NewGuid();

        using var response = await host.ShareAsync(ProfileShareTestHost.SeedShare(shareId));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var ack = await host.Gateway.WaitForAsync(c => c.Path == OnShareV05);
        Assert.Equal("FAILURE", ack.Get("acknowledgement", "status"));
        Assert.Equal(ClosedCounterHandler.Message, ack.Get("error", "message"));
        Assert.Equal(shareId.ToString(), ack.Get("resp", "requestId"));
        Assert.Empty(await host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
        Assert.Empty(host.Gateway.CallsTo("/v0.5/users/auth/init"));
    }

    [Fact]
    public async Task Share_UnusableProfile_SendsFailureNamingTheProblem()
    {
        await using var host = await ProfileShareTestHost.StartAsync();
        var share = ProfileShareTestHost.SeedShare();
        share["profile"]!["patient"]!["yearOfBirth"] = 3000;

        using var response = await host.ShareAsync(share);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var ack = await host.Gateway.WaitForAsync(c => c.Path == OnShareV05);
        Assert.Equal("FAILURE", ack.Get("acknowledgement", "status"));
        Assert.Contains("year of birth", ack.Get("error", "message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Share_IdentifierTypeUnknownToTheContract_IsQueuedAndMobileFoundByType()
    {
        await using var host = await ProfileShareTestHost.StartAsync(o => o.Linking.Start = LinkingStart.Manual);
        var share = ProfileShareTestHost.SeedShare();
        share["profile"]!["patient"]!["identifiers"] = new JsonArray(
            new JsonObject { ["type"] = "PASSPORT", ["value"] = "SYNTHETIC-P0001" },
            new JsonObject { ["type"] = "MOBILE", ["value"] = "+91-9000000002" });

        using var response = await host.ShareAsync(share);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var entry = Assert.Single(await host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
        Assert.Equal("+91-9000000002", entry.Profile.Mobile);
        Assert.Contains(entry.Profile.Identifiers, i => i.Type == "PASSPORT");
    }

    [Fact]
    public async Task Share_UnknownHipId_Answers400AndStoresNothing()
    {
        await using var host = await ProfileShareTestHost.StartAsync();

        using var response = await host.ShareAsync(ProfileShareTestHost.SeedShare(), hipId: "HIP-NOT-OURS");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Contains("X-HIP-ID", error["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(await host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
        Assert.Empty(await host.Queue.ListAsync("HIP-NOT-OURS", null));
        Assert.Equal(0, (await host.Store.GetOutboxStatisticsAsync()).Pending);
    }

    [Fact]
    public async Task Share_WithoutGatewayToken_Answers401AndStoresNothing()
    {
        await using var host = await ProfileShareTestHost.StartAsync();
        host.Gateway.CallbackToken = "Bearer forged";

        using var response = await host.ShareAsync(ProfileShareTestHost.SeedShare());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(await host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
    }

    [Fact]
    public async Task Share_SecondHipOfTheHost_IsQueuedUnderThatHip()
    {
        await using var host = await ProfileShareTestHost.StartAsync(o => o.Linking.Start = LinkingStart.Manual);

        using var response = await host.ShareAsync(ProfileShareTestHost.SeedShare(), hipId: "HIP-TEST-2");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Single(await host.Queue.ListAsync("HIP-TEST-2", null));
        Assert.Empty(await host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
    }

    [Fact]
    public async Task OnInit_ArrivesBeforeInitCallReturns_ChainStillCompletes()
    {
        await using var host = await ProfileShareTestHost.StartAsync();
        host.Gateway.Patients["test@sbx"] = ("Jane Doe", "F", "2000-02-27");
        host.Gateway.CallbackBeforeResponse = true;

        using var response = await host.ShareAsync(ProfileShareTestHost.SeedShare());

        var entry = Assert.Single(await host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
        await host.WaitForEntryAsync(entry.Id, e => e.Linking.State == LinkingState.Linked);
        Assert.NotNull(await host.Queue.GetLinkingTokenAsync(ProfileShareTestHost.HipId, "test@sbx"));
    }

    [Fact]
    public async Task OnConfirm_Duplicated_IsAcceptedAndChangesNothing()
    {
        var handler = new CountingLinkingHandler();
        await using var host = await ProfileShareTestHost.StartAsync(build: b => b.Services.AddSingleton<ILinkingTokenHandler>(handler));
        host.Gateway.Patients["test@sbx"] = ("Jane Doe", "F", "2000-02-27");
        host.Gateway.DuplicateOnConfirm = true;

        using var response = await host.ShareAsync(ProfileShareTestHost.SeedShare());

        var entry = Assert.Single(await host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
        await host.WaitForEntryAsync(entry.Id, e => e.Linking.State == LinkingState.Linked);
        await host.Gateway.WaitForAsync(c => c.Method == "CALLBACK" && c.Path == "/v0.5/users/auth/on-confirm" && c.Status == 202);
        await handler.Received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var stored = await host.Queue.GetLinkingTokenAsync(ProfileShareTestHost.HipId, "test@sbx");
        var onConfirms = await WaitForCountAsync(host, "/v0.5/users/auth/on-confirm", 2);
        Assert.All(onConfirms, c => Assert.Equal(202, c.Status));
        Assert.Equal(stored!.ReceivedAt, (await host.Queue.GetLinkingTokenAsync(ProfileShareTestHost.HipId, "test@sbx"))!.ReceivedAt);
        Assert.Equal(1, handler.Count);
    }

    [Fact]
    public async Task Callback_ForUnknownRequestId_Answers202AndChangesNothing()
    {
        await using var host = await ProfileShareTestHost.StartAsync();
        var onInit = new JsonObject
        {
            ["requestId"] = Guid.NewGuid().ToString(),
            ["timestamp"] = "2022-05-15T15:16:48.277264",
            ["auth"] = new JsonObject { ["transactionId"] = "t", ["mode"] = "DEMOGRAPHICS", ["meta"] = null },
            ["error"] = null,
            ["resp"] = new JsonObject { ["requestId"] = Guid.NewGuid().ToString() },
        };

        using var response = await host.Gateway.PostToHipAsync("/v0.5/users/auth/on-init", onInit);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(0, (await host.Store.GetOutboxStatisticsAsync()).Pending);
    }

    [Fact]
    public async Task OnInit_NotArrivingWithinTimeout_MarksLinkingTimedOut()
    {
        await using var host = await ProfileShareTestHost.StartAsync(o => o.Linking.CallbackTimeout = TimeSpan.FromMinutes(2));
        host.Gateway.DropOnInit = true;

        using var response = await host.ShareAsync(ProfileShareTestHost.SeedShare());
        var entry = Assert.Single(await host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
        await host.Gateway.WaitForAsync(c => c.Path == "/v0.5/users/auth/init");
        await host.WaitForEntryAsync(entry.Id, _ =>
        {
            var stats = host.Store.GetOutboxStatisticsAsync().GetAwaiter().GetResult();
            return stats.Pending == 1 && stats.NextDueAt > host.Time.GetUtcNow();
        });

        var timedOut = await AdvanceUntilAsync(host, TimeSpan.FromMinutes(1), () => host.WaitForEntryAsync(entry.Id, e => e.Linking.State == LinkingState.TimedOut, TimeSpan.FromMilliseconds(500)));
        Assert.Contains("on-init", timedOut.Linking.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnShare_GatewayOutage_ShareStaysAcceptedAndIsAcknowledgedAfterRecovery()
    {
        await using var host = await ProfileShareTestHost.StartAsync(o => o.Linking.Start = LinkingStart.Manual);
        host.Gateway.FailOnShareWith = 503;
        var shareId = Guid.NewGuid();

        using var response = await host.ShareAsync(ProfileShareTestHost.SeedShare(shareId));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await host.Gateway.WaitForAsync(c => c.Path == OnShareV05 && c.Status == 503);
        var entry = Assert.Single(await host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
        Assert.Equal(AcknowledgementState.Pending, entry.Acknowledgement);

        host.Gateway.FailOnShareWith = 0;
        var delivered = await AdvanceUntilAsync(host, TimeSpan.FromSeconds(5), () => host.Gateway.WaitForAsync(c => c.Path == OnShareV05 && c.Status == 202, TimeSpan.FromMilliseconds(500)));
        Assert.Equal(shareId.ToString(), delivered.Get("resp", "requestId"));
        await host.WaitForEntryAsync(entry.Id, e => e.Acknowledgement == AcknowledgementState.Delivered);
        Assert.Single(await host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
    }

    /// <summary>
    /// Moves fake time forward in steps, waking the outbox each time, until <paramref name="probe"/> succeeds: the
    /// outbox reschedules on its own thread, so a single advance could land before the retry's due time is set.
    /// </summary>
    private static async Task<T> AdvanceUntilAsync<T>(ProfileShareTestHost host, TimeSpan step, Func<Task<T>> probe, int maxSteps = 30)
    {
        var signal = host.App.Services.GetRequiredService<OutboxSignal>();
        for (var i = 0; ; i++)
        {
            host.Time.Advance(step);
            signal.Notify();
            try
            {
                return await probe();
            }
            catch (TimeoutException) when (i < maxSteps)
            {
            }
        }
    }

    private static async Task<IReadOnlyList<RecordedCall>> WaitForCountAsync(ProfileShareTestHost host, string path, int count)
    {
        for (var seen = 0; seen < count; seen++)
        {
            var index = seen;
            await host.Gateway.WaitForAsync(_ => host.Gateway.Calls.Count(c => c.Method == "CALLBACK" && c.Path == path) > index);
        }

        return [.. host.Gateway.Calls.Where(c => c.Method == "CALLBACK" && c.Path == path)];
    }

    private sealed class ClosedCounterHandler : IProfileShareHandler
    {
        public const string Message = "This counter is closed. Please go to counter 2.";

        public ValueTask<ShareDecision> OnShareReceivedAsync(QueueEntry entry, CancellationToken cancellationToken) =>
            ValueTask.FromResult(ShareDecision.Reject(Message));
    }

    private sealed class CountingLinkingHandler : ILinkingTokenHandler
    {
        private int _count;

        public TaskCompletionSource Received { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Count => _count;

        public ValueTask OnLinkingTokenReceivedAsync(QueueEntry entry, LinkingTokenRecord token, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            Received.TrySetResult();
            return ValueTask.CompletedTask;
        }

        public ValueTask OnLinkingFailedAsync(QueueEntry entry, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
