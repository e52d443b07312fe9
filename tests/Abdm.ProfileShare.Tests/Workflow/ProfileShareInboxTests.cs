using System.Text;
using System.Text.Json.Nodes;
using Abdm.ProfileShare.Diagnostics.Internal;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Abdm.ProfileShare.Tests.TestSupport;
using Abdm.ProfileShare.Workflow;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Abdm.ProfileShare.Tests.Workflow;

/// <summary>
/// The inbound surface a transport uses (<see cref="IProfileShareInbox"/>): reading share and linking-callback bodies
/// into the model (the contract, <c>ShareMapper</c>'s rules, the v3 codes), and accepting and applying them.
/// </summary>
public sealed class ProfileShareInboxTests : IAsyncDisposable
{
    private const string HipId = GatewayHarness.HipId;
    private static readonly DateTimeOffset Start = new(2026, 11, 28, 4, 30, 0, TimeSpan.Zero);
    private static readonly Guid V3RequestId = Guid.Parse("18235d89-cb13-479d-ad71-7a57d5f669a8");

    /// <summary>A v0.5 share, synthetic values.</summary>
    private const string ShareV05 = """
        {"requestId":"5f7a535d-a3fd-416b-b069-c97d021fbacd","timestamp":"2026-11-28T09:00:00.000Z",
         "profile":{"hipCode":" counter-1 ","patient":{"healthId":"synthetic.inbox@sbx","healthIdNumber":"91-0000-0000-0001",
           "name":"Synthetic Patient","gender":"F","address":{"line":"1 Test Lane","district":"Test District","state":"Test State","pincode":"000001"},
           "yearOfBirth":1990,"dayOfBirth":1,"monthOfBirth":1,"identifiers":[{"type":"MOBILE","value":"+91-9000000001"}]}}}
        """;

    /// <summary>A v1.0 share (intent and location beside the v0.5 fields), synthetic values.</summary>
    private const string ShareV10 = """
        {"requestId":"6a7a535d-a3fd-416b-b069-c97d021fbace","timestamp":"2026-11-28T09:00:00.000Z",
         "intent":{"type":"PROFILE_SHARE"},"location":{"latitude":"0","longitude":"0"},
         "profile":{"hipCode":null,"patient":{"healthId":"synthetic.inbox@sbx","name":"Synthetic Patient","gender":"M","yearOfBirth":1990}}}
        """;

    /// <summary>A v3 share as the sandbox sends it, synthetic values.</summary>
    private const string ShareV3 = """
        {"intent":"PROFILE_SHARE",
         "metaData":{"hipId":"TEST-HIP-0001","context":" OPD1 ","hprId":null,"latitude":"12.97","longitude":"77.71"},
         "profile":{"patient":{"abhaNumber":null,"abhaAddress":"test.v3@sbx","name":"Jane Doe","gender":"F",
           "dayOfBirth":"6","monthOfBirth":"6","yearOfBirth":"2000",
           "address":{"line":null,"district":"Test District","state":"Test State","pincode":"641050"},"phoneNumber":null}}}
        """;

    private readonly FakeTimeProvider _time = new(Start);
    private readonly InMemoryProfileShareStore _store = new();
    private readonly ServiceProvider _services;

    public ProfileShareInboxTests()
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace));
        services.AddFakeLogging();
        services.AddSingleton<TimeProvider>(_time);
        services.AddSingleton<IProfileShareStore>(_store);
        services.AddAbdmProfileShare(options =>
        {
            options.HipIds.Add(HipId);
            options.Gateway.BaseUrl = new Uri(FakeGateway.BaseUrl);
            options.Gateway.ClientId = GatewayHarness.ClientId;
            options.Gateway.ClientSecret = GatewayHarness.ClientSecret;
            options.Queue.DefaultCounterCode = "front-desk";
        });
        services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private IProfileShareInbox Inbox => _services.GetRequiredService<IProfileShareInbox>();

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    [Fact]
    public void AddAbdmProfileShare_Always_RegistersOneInboxSingleton() =>
        Assert.Same(Inbox, _services.GetRequiredService<IProfileShareInbox>());

    // ---------------------------------------------------------------------------------------------------------
    // Shares
    // ---------------------------------------------------------------------------------------------------------

    [Fact]
    public void ReadShare_V05_MapsToTheModelWithTheTrimmedCounter()
    {
        var read = Inbox.ReadShare(WireVersion.V05, HipId, "ignored on v0.5", Bytes(ShareV05));

        Assert.True(read.Succeeded, read.Error);
        Assert.Null(read.ErrorCode);
        var share = read.Value!;
        Assert.Equal(Guid.Parse("5f7a535d-a3fd-416b-b069-c97d021fbacd"), share.RequestId);
        Assert.Equal(HipId, share.HipId);
        Assert.Equal("counter-1", share.CounterCode);
        Assert.Equal(WireVersion.V05, share.WireVersion);
        Assert.Equal("synthetic.inbox@sbx", share.Profile.HealthId);
        Assert.Equal("Synthetic Patient", share.Profile.Name);
        Assert.Equal(Gender.Female, share.Profile.Gender);
        Assert.Equal("+91-9000000001", share.Profile.Mobile);
        Assert.DoesNotContain("synthetic.inbox", share.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ReadShare_V10WithoutHipCode_IsOnTheDefaultCounter()
    {
        var read = Inbox.ReadShare(WireVersion.V10, HipId, null, Bytes(ShareV10));

        Assert.True(read.Succeeded, read.Error);
        Assert.Equal(WireVersion.V10, read.Value!.WireVersion);
        Assert.Equal("front-desk", read.Value.CounterCode);
        Assert.Equal(Gender.Male, read.Value.Profile.Gender);
    }

    [Fact]
    public void ReadShare_V3_TakesTheRequestIdHeaderAndTheContext()
    {
        var read = Inbox.ReadShare(WireVersion.V3, HipId, V3RequestId.ToString(), Bytes(ShareV3));

        Assert.True(read.Succeeded, read.Error);
        var share = read.Value!;
        Assert.Equal(V3RequestId, share.RequestId);
        Assert.Equal("OPD1", share.CounterCode);
        Assert.Equal(WireVersion.V3, share.WireVersion);
        Assert.Equal("test.v3@sbx", share.Profile.HealthId);
        Assert.Equal(2000, share.Profile.YearOfBirth);
    }

    [Theory]
    [InlineData(WireVersion.V05, null)]
    [InlineData(WireVersion.V10, null)]
    [InlineData(WireVersion.V3, "ABDM-1006")]
    public void ReadShare_Unreadable_RefusedNamingThePathWithTheVersionsCode(WireVersion version, string? code)
    {
        var read = Inbox.ReadShare(version, HipId, V3RequestId.ToString(), Bytes("""{"profile": 7}"""));

        Assert.False(read.Succeeded);
        Assert.Null(read.Value);
        Assert.StartsWith("Invalid value at $.profile: expected an object", read.Error, StringComparison.Ordinal);
        Assert.Equal(code, read.ErrorCode);
    }

    [Fact]
    public void ReadShare_OverTheStringLimit_RefusedWithTheLimitFromTheOptions()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddAbdmProfileShare(o =>
        {
            o.HipIds.Add(HipId);
            o.Gateway.ClientId = GatewayHarness.ClientId;
            o.Gateway.ClientSecret = GatewayHarness.ClientSecret;
            o.Callbacks.MaxStringLength = 64;
        });
        using var provider = services.BuildServiceProvider();
        var inbox = provider.GetRequiredService<IProfileShareInbox>();

        var atLimit = inbox.ReadShare(WireVersion.V05, HipId, null, Bytes(With(ShareV05, "$.profile.patient.name", new string('n', 64))));
        var over = inbox.ReadShare(WireVersion.V05, HipId, null, Bytes(With(ShareV05, "$.profile.patient.name", new string('n', 65))));

        Assert.True(atLimit.Succeeded, atLimit.Error);
        Assert.Equal("String longer than 64 characters at $.profile.patient.name.", over.Error);
    }

    /// <summary>Every <c>ShareMapper.Validate</c> refusal a body can reach, through the inbox: no code on v0.5/v1.0.</summary>
    [Theory]
    [InlineData("$.requestId", "00000000-0000-0000-0000-000000000000", "requestId is required and must be a non-empty UUID.")]
    [InlineData("$.profile.patient.healthId", "  ", "profile.patient.healthId (the PHR address) is required.")]
    [InlineData("$.profile.patient.healthId", "k\u0131ran@sbx", "profile.patient.healthId must be a PHR address")]
    [InlineData("$.profile.patient.healthId", "LONG", "profile.patient.healthId is longer than 256 characters.")]
    [InlineData("$.profile.hipCode", "LONG", "profile.hipCode is longer than 128 characters.")]
    public void ReadShare_V05RefusedByTheMapper_NamesTheFieldWithoutACode(string path, string value, string expected)
    {
        var body = With(ShareV05, path, value == "LONG" ? new string('a', 300) + "@sbx" : value);

        foreach (var version in new[] { WireVersion.V05, WireVersion.V10 })
        {
            var read = Inbox.ReadShare(version, HipId, null, Bytes(body));

            Assert.False(read.Succeeded);
            Assert.StartsWith(expected, read.Error, StringComparison.Ordinal);
            Assert.Null(read.ErrorCode);
        }

        Assert.Contains(_services.GetFakeLogCollector().GetSnapshot(), r => r.Id.Id == 1202 && r.Level == LogLevel.Warning);
        Assert.DoesNotContain(_services.GetFakeLogCollector().GetSnapshot(), r => r.Message.Contains("@sbx", StringComparison.Ordinal));
    }

    /// <summary>Every <c>ShareMapper.ValidateV3</c> refusal, through the inbox, with its ABDM code.</summary>
    [Theory]
    [InlineData("$.intent", "RECORD_SHARE", "intent RECORD_SHARE is not supported", "ABDM-1149")]
    [InlineData("$.intent", "SOMETHING_ELSE", "intent is not one of PROFILE_SHARE", "ABDM-1049")]
    [InlineData("$.metaData.hipId", "ANOTHER-HIP", "metaData.hipId differs from the X-HIP-ID header", "ABDM-1035")]
    [InlineData("$.metaData.context", " ", "metaData.context (the counter id) is required.", "ABDM-1050")]
    [InlineData("$.metaData.context", "LONG", "metaData.context is longer than 250 characters.", "ABDM-1050")]
    [InlineData("$.profile", null, "profile.patient is required.", "ABDM-1102")]
    [InlineData("$.profile.patient.abhaAddress", " ", "profile.patient.abhaAddress (the ABHA address) is required.", "ABDM-1006")]
    [InlineData("$.profile.patient.abhaAddress", "LONG", "profile.patient.abhaAddress is longer than 256 characters.", "ABDM-1006")]
    [InlineData("$.profile.patient.abhaAddress", "kiran.sbx", "profile.patient.abhaAddress must be an ABHA address", "ABDM-1006")]
    [InlineData("$.profile.patient.gender", "X", "profile.patient.gender must be one of M, F, O, D, T, U.", "ABDM-1006")]
    public void ReadShare_V3RefusedByTheMapper_NamesTheFieldWithItsCode(string path, string? value, string expected, string code)
    {
        var body = With(ShareV3, path, value == "LONG" ? new string('a', 300) : value);

        var read = Inbox.ReadShare(WireVersion.V3, HipId, V3RequestId.ToString(), Bytes(body));

        Assert.False(read.Succeeded);
        Assert.StartsWith(expected, read.Error, StringComparison.Ordinal);
        Assert.Equal(code, read.ErrorCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-a-uuid")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    [InlineData("18235d89-cb13-479d-ad71-7a57d5f669a8,18235d89-cb13-479d-ad71-7a57d5f669a9")]
    public void ReadShare_V3WithoutAUsableRequestIdHeader_RefusedWithAbdm2404(string? header)
    {
        var read = Inbox.ReadShare(WireVersion.V3, HipId, header, Bytes(ShareV3));

        Assert.False(read.Succeeded);
        Assert.Equal("The REQUEST-ID header is required and must be a non-empty UUID.", read.Error);
        Assert.Equal("ABDM-2404", read.ErrorCode);
    }

    [Fact]
    public void ReadShare_V3UnreadableAndNoRequestId_TheBodyIsRefusedFirst()
    {
        var read = Inbox.ReadShare(WireVersion.V3, HipId, null, Bytes("{"));

        Assert.False(read.Succeeded);
        Assert.Equal("ABDM-1006", read.ErrorCode);
        Assert.DoesNotContain("REQUEST-ID", read.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcceptShareAsync_NewThenRepeated_StoredOnceAndCountedByOutcome()
    {
        var meter = _services.GetRequiredService<AbdmMetrics>().Meter;
        using var accepted = new MetricCollector<long>(meter, "abdm.shares.accepted");
        var share = Inbox.ReadShare(WireVersion.V05, HipId, null, Bytes(ShareV05)).Value!;

        var first = await Inbox.AcceptShareAsync(share);
        var repeat = await Inbox.AcceptShareAsync(share);

        Assert.Equal(ShareIntakeOutcome.Created, first.Outcome);
        Assert.Equal(ShareIntakeOutcome.Duplicate, repeat.Outcome);
        Assert.Equal(first.Entry.Id, repeat.Entry.Id);
        Assert.Equal("counter-1", (await _store.GetEntryAsync(first.Entry.Id))!.CounterCode);
        var measurements = accepted.GetMeasurementSnapshot();
        Assert.Equal(["created", "duplicate"], measurements.Select(m => (string)m.Tags["abdm.outcome"]!));
        Assert.All(measurements, m =>
        {
            Assert.Equal(HipId, m.Tags["abdm.hip_id"]);
            Assert.Equal("v0.5", m.Tags["abdm.wire_version"]);
        });
    }

    // ---------------------------------------------------------------------------------------------------------
    // Linking callbacks
    // ---------------------------------------------------------------------------------------------------------

    [Fact]
    public void ReadLinkingCallback_OnInit_TheTransactionAndTheRequestItAnswers()
    {
        var read = Inbox.ReadLinkingCallback(LinkingCallbackKind.AuthOnInit, HipId, Bytes(Fixtures.Text("Wire/on-init.json")));

        Assert.True(read.Succeeded, read.Error);
        var callback = read.Value!;
        Assert.Equal(LinkingCallbackKind.AuthOnInit, callback.Kind);
        Assert.Equal(HipId, callback.HipId);
        Assert.Equal(Guid.Parse("28ac1de6-a2ce-4b8e-8afe-a97f7bb52b85"), callback.RequestId);
        Assert.Equal("ee1d6495-96a3-4fb6-a0fc-f5b33e3e0434", callback.TransactionId);
        Assert.False(callback.IsError);
        Assert.Null(callback.ErrorCode);
        Assert.Null(callback.LinkingToken);
    }

    [Fact]
    public void ReadLinkingCallback_OnConfirm_TheLinkingTokenNeverPrinted()
    {
        var read = Inbox.ReadLinkingCallback(LinkingCallbackKind.AuthOnConfirm, HipId, Bytes(Fixtures.Text("Wire/on-confirm-success.json")));

        Assert.True(read.Succeeded, read.Error);
        var callback = read.Value!;
        Assert.Equal(Guid.Parse("b40fb334-6e22-4bee-8269-bc11b2453d7a"), callback.RequestId);
        Assert.EndsWith(".synthetic-test-linking-token", callback.LinkingToken, StringComparison.Ordinal);
        Assert.False(callback.IsError);
        Assert.DoesNotContain("synthetic-test-linking-token", callback.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ReadLinkingCallback_OnConfirmError_TheIntegerCodeAsInvariantText()
    {
        var read = Inbox.ReadLinkingCallback(LinkingCallbackKind.AuthOnConfirm, HipId, Bytes(Fixtures.Text("Wire/on-confirm-1441.json")));

        Assert.True(read.Succeeded, read.Error);
        Assert.True(read.Value!.IsError);
        Assert.Equal("1441", read.Value.ErrorCode);
        Assert.Equal("Invalid auth confirm request.", read.Value.ErrorMessage);
        Assert.Null(read.Value.LinkingToken);
    }

    [Fact]
    public void ReadLinkingCallback_EmptyErrorObject_IsAnErrorWithoutCodeOrMessage()
    {
        var read = Inbox.ReadLinkingCallback(LinkingCallbackKind.AuthOnInit, HipId,
            Bytes(With(Fixtures.Text("Wire/on-init.json"), "$.error", JsonNode.Parse("{}"))));

        Assert.True(read.Succeeded, read.Error);
        Assert.True(read.Value!.IsError);
        Assert.Null(read.Value.ErrorCode);
        Assert.Null(read.Value.ErrorMessage);
    }

    [Theory]
    [InlineData("\"ABDM-1092: \"", "ABDM-1092")]
    [InlineData("\" ABDM-1092\"", "ABDM-1092")]
    [InlineData("\":\"", null)]
    [InlineData("null", null)]
    public void ReadLinkingCallback_OnGenerateTokenError_TheCodeNormalized(string code, string? expected)
    {
        var json = $$$"""{"abhaAddress":"test.v3@sbx","linkToken":null,"error":{"code":{{{code}}},"message":"Demographics did not match."},"response":{"requestId":"{{{V3RequestId}}}"}}""";

        var read = Inbox.ReadLinkingCallback(LinkingCallbackKind.OnGenerateToken, HipId, Bytes(json));

        Assert.True(read.Succeeded, read.Error);
        Assert.Equal(V3RequestId, read.Value!.RequestId);
        Assert.True(read.Value.IsError);
        Assert.Equal(expected, read.Value.ErrorCode);
        Assert.Equal("Demographics did not match.", read.Value.ErrorMessage);
    }

    [Fact]
    public void ReadLinkingCallback_OnGenerateToken_TheLinkToken()
    {
        var json = $$$"""{"abhaAddress":"test.v3@sbx","linkToken":"synthetic-link-token","response":{"requestId":"{{{V3RequestId}}}"}}""";

        var read = Inbox.ReadLinkingCallback(LinkingCallbackKind.OnGenerateToken, HipId, Bytes(json));

        Assert.True(read.Succeeded, read.Error);
        Assert.Equal("synthetic-link-token", read.Value!.LinkingToken);
        Assert.False(read.Value.IsError);
    }

    [Theory]
    [InlineData(LinkingCallbackKind.AuthOnInit, "Wire/on-init.json", "$.resp.requestId", "Missing required property at $.resp: requestId.", null)]
    [InlineData(LinkingCallbackKind.AuthOnConfirm, "Wire/on-confirm-success.json", "$.resp", "Missing required property at $: resp.", null)]
    [InlineData(LinkingCallbackKind.OnGenerateToken, null, "$.response.requestId", "Missing required property at $.response: requestId.", "ABDM-1006")]
    public void ReadLinkingCallback_WithoutTheRequestIdItAnswers_RefusedNamingThePath(LinkingCallbackKind kind, string? fixture, string path, string expected, string? code)
    {
        var json = fixture is null
            ? $$$"""{"linkToken":"synthetic-link-token","response":{"requestId":"{{{V3RequestId}}}"}}"""
            : Fixtures.Text(fixture);

        var read = Inbox.ReadLinkingCallback(kind, HipId, Bytes(Without(json, path)));

        Assert.False(read.Succeeded);
        Assert.Equal(expected, read.Error);
        Assert.Equal(code, read.ErrorCode);
    }

    [Fact]
    public async Task ReadLinkingCallback_ZeroRequestId_ReadButNeverAwaitedAndUnmatched()
    {
        var json = With(Fixtures.Text("Wire/on-init.json"), "$.resp.requestId", Guid.Empty.ToString());

        var read = Inbox.ReadLinkingCallback(LinkingCallbackKind.AuthOnInit, HipId, Bytes(json));

        Assert.True(read.Succeeded, read.Error);
        Assert.Equal(Guid.Empty, read.Value!.RequestId);
        Assert.False(await Inbox.IsAwaitedAsync(read.Value));
        Assert.Equal(LinkingCallbackOutcome.Unmatched, await Inbox.ApplyLinkingCallbackAsync(read.Value));
    }

    [Fact]
    public async Task ApplyLinkingCallbackAsync_AwaitedOnConfirm_AppliedOnceThenIgnored()
    {
        var (entry, confirmRequestId) = await EntryAwaitingTokenAsync();
        var callback = new LinkingCallback { Kind = LinkingCallbackKind.AuthOnConfirm, HipId = HipId, RequestId = confirmRequestId, LinkingToken = "synthetic-token" };

        Assert.True(await Inbox.IsAwaitedAsync(callback));
        Assert.False(await Inbox.IsAwaitedAsync(callback with { HipId = "HIP-OTHER" }));
        Assert.False(await Inbox.IsAwaitedAsync(callback with { Kind = LinkingCallbackKind.AuthOnInit }));

        Assert.Equal(LinkingCallbackOutcome.Applied, await Inbox.ApplyLinkingCallbackAsync(callback));
        Assert.Equal(LinkingState.Linked, (await _store.GetEntryAsync(entry.Id))!.Linking.State);
        Assert.False(await Inbox.IsAwaitedAsync(callback));
        Assert.Equal(LinkingCallbackOutcome.Ignored, await Inbox.ApplyLinkingCallbackAsync(callback));
        Assert.Equal(LinkingCallbackOutcome.Unmatched, await Inbox.ApplyLinkingCallbackAsync(callback with { RequestId = Guid.NewGuid() }));
    }

    [Fact]
    public void ReadLinkingCallback_UnknownKind_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Inbox.ReadLinkingCallback((LinkingCallbackKind)42, HipId, Bytes("{}")));

    private async Task<(QueueEntry Entry, Guid ConfirmRequestId)> EntryAwaitingTokenAsync()
    {
        var share = Inbox.ReadShare(WireVersion.V05, HipId, null, Bytes(ShareV05)).Value!;
        var accepted = await Inbox.AcceptShareAsync(share);
        var now = _time.GetUtcNow();
        var confirmRequestId = Guid.NewGuid();
        var waiting = accepted.Entry with
        {
            Linking = new LinkingStatus { State = LinkingState.AwaitingToken, ConfirmRequestId = confirmRequestId, TransactionId = "synthetic-txn", UpdatedAt = now },
        };
        Assert.True(await _store.TryUpdateEntryAsync(new EntryUpdate
        {
            Entry = waiting,
            Correlations = [new Correlation(confirmRequestId, CorrelationKind.AuthConfirm, waiting.Id, HipId, now)],
        }));
        return (waiting, confirmRequestId);
    }

    private static byte[] Bytes(string json) => Encoding.UTF8.GetBytes(json);

    /// <summary><paramref name="json"/> with the value at <paramref name="path"/> (<c>$.a.b</c>) replaced (null: removed).</summary>
    private static string With(string json, string path, JsonNode? value)
    {
        var root = JsonNode.Parse(json)!;
        var parts = path[2..].Split('.');
        var parent = parts[..^1].Aggregate(root, (node, name) => node[name]!).AsObject();
        if (value is null)
        {
            parent.Remove(parts[^1]);
        }
        else
        {
            parent[parts[^1]] = value;
        }

        return root.ToJsonString();
    }

    private static string With(string json, string path, string? value) => With(json, path, value is null ? null : JsonValue.Create(value));

    private static string Without(string json, string path) => With(json, path, (JsonNode?)null);
}
