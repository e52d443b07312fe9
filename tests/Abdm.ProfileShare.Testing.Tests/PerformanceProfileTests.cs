using System.Text.Json.Nodes;
using Abdm.ProfileShare.Model;
using Microsoft.Extensions.Time.Testing;

namespace Abdm.ProfileShare.Testing.Tests;

/// <summary>
/// The Performance profile: the same answers as Strict (rejections included), a journal bounded at its capacity whose
/// waits still see every entry, and a session token verified once.
/// </summary>
public sealed class PerformanceProfileTests
{
    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["onshare-no-acknowledgement"] = new("onshare", 400, GatewayRejection.MissingField, r => r.Body.Remove("acknowledgement")),
        ["onshare-bad-timestamp"] = new("onshare", 400, GatewayRejection.InvalidTimestamp, r => r.Body["timestamp"] = "yesterday"),
        ["onshare-unknown-share"] = new("onshare", 400, GatewayRejection.UnknownShareRequest, r => r.Body["resp"]!["requestId"] = Guid.NewGuid().ToString()),
        ["onshare-garbage-token"] = new("onshare", 401, GatewayRejection.InvalidCredentials, r => r.Authorization = "Bearer not.a.jwt"),
        ["onshare-no-authorization"] = new("onshare", 401, GatewayRejection.MissingCredentials, r => r.Authorization = ""),
        ["init-authMode-otp"] = new("init", 400, GatewayRejection.InvalidEnumValue, r => r.Body["query"]!["authMode"] = "MOBILE_OTP"),
        ["init-cm-id-mismatch"] = new("init", 400, GatewayRejection.ConsentManagerIdMismatch, r => r.CmId = "abdm"),
        ["confirm-dateOfBirth-impossible"] = new("confirm", 400, GatewayRejection.InvalidFieldValue, r => r.Body["credential"]!["demographic"]!["dateOfBirth"] = "1990-02-30"),
        ["confirm-unknown-transaction"] = new("confirm", 400, GatewayRejection.UnknownTransaction, r => r.Body["transactionId"] = Guid.NewGuid().ToString()),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Post_BrokenRuleInPerformanceProfile_AnsweredExactlyAsStrict(string caseName)
    {
        var strict = await RejectAsync(Cases[caseName], GatewaySimulatorProfile.Strict);
        var performance = await RejectAsync(Cases[caseName], GatewaySimulatorProfile.Performance);

        Assert.Equal(Cases[caseName].Status, strict.Status);
        Assert.Equal(Cases[caseName].Rule, strict.Rule);
        Assert.Equal(strict, performance);
    }

    [Fact]
    public void JournalCapacity_NotSet_FollowsTheProfile()
    {
        Assert.Null(new GatewaySimulatorOptions().EffectiveJournalCapacity);
        Assert.Equal(1024, new GatewaySimulatorOptions { Profile = GatewaySimulatorProfile.Performance }.EffectiveJournalCapacity);
        Assert.Equal(10, new GatewaySimulatorOptions { Profile = GatewaySimulatorProfile.Performance, JournalCapacity = 10 }.EffectiveJournalCapacity);
        Assert.Equal(5, new GatewaySimulatorOptions { JournalCapacity = 5 }.EffectiveJournalCapacity);
    }

    [Fact]
    public async Task StartAsync_ZeroJournalCapacityOrUnknownProfile_ListsBoth()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => AbdmGatewaySimulator.StartAsync(new GatewaySimulatorOptions
        {
            ClientId = TestBed.ClientId,
            ClientSecret = TestBed.ClientSecret,
            JournalCapacity = 0,
            Profile = (GatewaySimulatorProfile)7,
        }));

        Assert.Contains("JournalCapacity", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Profile", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Journal_PastCapacity_KeepsLatestEntriesWhileEarlierWaitSeesEveryOne()
    {
        await using var bed = await TestBed.StartAsync(o =>
        {
            o.Profile = GatewaySimulatorProfile.Performance;
            o.JournalCapacity = 3;
        });
        var seen = new List<long>();
        using var stop = new CancellationTokenSource();
        var wait = bed.Gateway.Journal.WaitForAsync(e =>
        {
            seen.Add(e.Sequence);
            return false;
        }, TestBed.Wait, stop.Token);

        for (var i = 0; i < 5; i++)
        {
            var share = await bed.Gateway.ScanAsync(new SimulatedScan(TestBed.HipId, "counter-1", SyntheticPatients.All[i]));
            Assert.Equal(202, share.HipStatusCode);
        }

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
        Assert.Equal([1L, 2, 3, 4, 5], seen);
        Assert.Equal([3L, 4, 5], bed.Gateway.Journal.Entries.Select(e => e.Sequence));
        Assert.Equal(3, bed.Gateway.Journal.Of(GatewayOperation.Share).Count);
        Assert.Equal(SyntheticPatients.All[4].HealthId, bed.Gateway.Journal.Entries[^1].HealthId);
    }

    [Fact]
    public async Task Journal_StrictProfile_KeepsEveryEntry()
    {
        await using var bed = await TestBed.StartAsync();

        for (var i = 0; i < 5; i++)
        {
            await bed.Gateway.ScanAsync(new SimulatedScan(TestBed.HipId, "counter-1", SyntheticPatients.All[i]));
        }

        Assert.Equal([1L, 2, 3, 4, 5], bed.Gateway.Journal.Entries.Select(e => e.Sequence));
    }

    [Theory]
    [InlineData(GatewaySimulatorProfile.Strict, 3)]
    [InlineData(GatewaySimulatorProfile.Performance, 1)]
    public async Task SessionToken_UsedThreeTimes_VerifiedOnceInPerformanceProfile(GatewaySimulatorProfile profile, long verifications)
    {
        await using var bed = await TestBed.StartAsync(o => o.Profile = profile);
        var patient = SyntheticPatients.All[0];

        for (var i = 0; i < 3; i++)
        {
            using var response = await bed.PostAsync("v0.5/users/auth/init", TestBed.InitBody(patient.HealthId));
            Assert.Equal(202, (int)response.StatusCode);
        }

        Assert.Equal(verifications, bed.Gateway.Engine.Tokens.SessionVerifications);
    }

    [Theory]
    [InlineData(GatewaySimulatorProfile.Strict)]
    [InlineData(GatewaySimulatorProfile.Performance)]
    public async Task SessionToken_UsedThenInvalidated_Refused(GatewaySimulatorProfile profile)
    {
        await using var bed = await TestBed.StartAsync(o => o.Profile = profile);
        var patient = SyntheticPatients.All[0];
        using var before = await bed.PostAsync("v0.5/users/auth/init", TestBed.InitBody(patient.HealthId));

        bed.Gateway.Faults.InvalidateSessionTokens();
        using var after = await bed.PostAsync("v0.5/users/auth/init", TestBed.InitBody(patient.HealthId));

        Assert.Equal(202, (int)before.StatusCode);
        Assert.Equal(401, (int)after.StatusCode);
        Assert.Equal(900901, (int)JsonNode.Parse(await after.Content.ReadAsStringAsync())!["fault"]!["code"]!);
    }

    [Theory]
    [InlineData(GatewaySimulatorProfile.Strict)]
    [InlineData(GatewaySimulatorProfile.Performance)]
    public async Task SessionToken_UsedThenPastItsExpiry_Refused(GatewaySimulatorProfile profile)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var bed = await StartOnClockAsync(profile, time);
        var patient = SyntheticPatients.All[0];
        using var fresh = await bed.PostAsync("v0.5/users/auth/init", TestBed.InitBody(patient.HealthId));

        time.Advance(TimeSpan.FromSeconds(1199));
        using var lastSecond = await bed.PostAsync("v0.5/users/auth/init", TestBed.InitBody(patient.HealthId));
        time.Advance(TimeSpan.FromSeconds(1));
        using var expired = await bed.PostAsync("v0.5/users/auth/init", TestBed.InitBody(patient.HealthId));

        Assert.Equal(202, (int)fresh.StatusCode);
        Assert.Equal(202, (int)lastSecond.StatusCode);
        Assert.Equal(401, (int)expired.StatusCode);
    }

    [Theory]
    [InlineData(GatewaySimulatorProfile.Strict)]
    [InlineData(GatewaySimulatorProfile.Performance)]
    public async Task SessionToken_UsedThenExpiredEarlyByFault_Refused(GatewaySimulatorProfile profile)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var bed = await StartOnClockAsync(profile, time);
        bed.Gateway.Faults.For(GatewayOperation.Sessions).ExpireTokensEarly(TimeSpan.FromSeconds(30));
        var patient = SyntheticPatients.All[0];
        using var fresh = await bed.PostAsync("v0.5/users/auth/init", TestBed.InitBody(patient.HealthId));

        time.Advance(TimeSpan.FromSeconds(30));
        using var late = await bed.PostAsync("v0.5/users/auth/init", TestBed.InitBody(patient.HealthId));

        Assert.Equal(202, (int)fresh.StatusCode);
        Assert.Equal(401, (int)late.StatusCode);
    }

    /// <summary>A test bed in <paramref name="profile"/> whose clock the test moves.</summary>
    private static Task<TestBed> StartOnClockAsync(GatewaySimulatorProfile profile, FakeTimeProvider time) =>
        TestBed.StartAsync(o =>
        {
            o.Profile = profile;
            o.TimeProvider = time;
        });

    /// <summary>
    /// Uses the session token once on a valid auth init (so the Performance profile has verified it), then sends the
    /// case's broken request with it; returns what the HIP saw and what the journal recorded.
    /// </summary>
    private static async Task<Answer> RejectAsync(Case @case, GatewaySimulatorProfile profile)
    {
        await using var bed = await TestBed.StartAsync(o => o.Profile = profile);
        var patient = SyntheticPatients.All[0];
        using (var warm = await bed.PostAsync("v0.5/users/auth/init", TestBed.InitBody(patient.HealthId)))
        {
            Assert.Equal(202, (int)warm.StatusCode);
        }

        var request = @case.Operation switch
        {
            "onshare" => new RequestSpec("v0.5/patients/profile/on-share", TestBed.OnShareBody((await bed.ScanAsync()).Share)),
            "init" => new RequestSpec("v0.5/users/auth/init", TestBed.InitBody(patient.HealthId)),
            _ => new RequestSpec("v0.5/users/auth/confirm", TestBed.ConfirmBody(await bed.TransactionAsync(patient), patient)),
        };
        @case.Mutate(request);

        using var response = await bed.PostAsync(request.Path, request.Body, request.CmId, request.Authorization);
        var operation = @case.Operation switch
        {
            "onshare" => GatewayOperation.OnShare,
            "init" => GatewayOperation.AuthInit,
            _ => GatewayOperation.AuthConfirm,
        };
        var entry = bed.Gateway.Journal.Of(operation)[^1];
        return new Answer((int)response.StatusCode, await response.Content.ReadAsStringAsync(), entry.Rejection, entry.WireErrorCode, entry.Detail);
    }

    private sealed record Case(string Operation, int Status, GatewayRejection Rule, Action<RequestSpec> Mutate);

    private sealed record Answer(int Status, string Body, GatewayRejection? Rule, string? WireErrorCode, string? Detail);

    private sealed class RequestSpec(string path, JsonObject body)
    {
        public string Path { get; } = path;

        public JsonObject Body { get; } = body;

        public string? CmId { get; set; } = "sbx";

        public string? Authorization { get; set; }
    }
}
