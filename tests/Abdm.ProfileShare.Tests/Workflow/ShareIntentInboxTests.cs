using System.Text;
using System.Text.Json.Nodes;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Abdm.ProfileShare.Tests.TestSupport;
using Abdm.ProfileShare.Workflow;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Abdm.ProfileShare.Tests.Workflow;

/// <summary>
/// v3 share intents and the v3 rules ABDM reads shares by, through the inbox (<see cref="IProfileShareInbox"/>):
/// <c>RECORD_SHARE</c>/<c>PAYMENT_SHARE</c> to the host's <see cref="IShareIntentHandler"/> (or <c>ABDM-1149</c>),
/// unknown intents (<c>ABDM-1049</c>) and metaData keys (<c>ABDM-1050</c>), <c>metaData.hipId</c> against
/// <c>X-HIP-ID</c>, and identifiers that stay strings.
/// </summary>
public sealed class ShareIntentInboxTests : IAsyncDisposable
{
    private const string HipId = GatewayHarness.HipId;
    private static readonly Guid RequestId = Guid.Parse("18235d89-cb13-479d-ad71-7a57d5f669a8");

    /// <summary>A v3 share as the sandbox sends it, synthetic values.</summary>
    private const string ShareV3 = """
        {"intent":"PROFILE_SHARE",
         "metaData":{"hipId":"TEST-HIP-0001","context":" OPD1 ","hprId":null,"latitude":"12.97","longitude":77.71},
         "profile":{"patient":{"abhaNumber":null,"abhaAddress":"test.intent@sbx","name":"Jane Doe","gender":"F",
           "dayOfBirth":"6","monthOfBirth":6,"yearOfBirth":2000,
           "address":{"line":null,"district":"Test District","state":"Test State","pincode":"641050"},"phoneNumber":null}}}
        """;

    private readonly InMemoryProfileShareStore _store = new();
    private readonly RecordingIntentHandler _handler = new();
    private readonly ServiceProvider _services;

    public ShareIntentInboxTests() => _services = Build(withHandler: true);

    private IProfileShareInbox Inbox => _services.GetRequiredService<IProfileShareInbox>();

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    [Theory]
    [InlineData("RECORD_SHARE", ShareIntent.RecordShare)]
    [InlineData("PAYMENT_SHARE", ShareIntent.PaymentShare)]
    [InlineData(" payment_share ", ShareIntent.PaymentShare)]
    public void ReadShare_RecordOrPaymentShareWithAHandler_ReadsTheIntentAndTheOtherMetaData(string intent, ShareIntent expected)
    {
        var read = Inbox.ReadShare(WireVersion.V3, HipId, RequestId.ToString(), Bytes(With(ShareV3, "$.intent", intent)));

        Assert.True(read.Succeeded, read.Error);
        var share = read.Value!;
        Assert.Equal(expected, share.Intent);
        Assert.Equal("OPD1", share.CounterCode);
        Assert.Equal(new Dictionary<string, string> { ["hipId"] = HipId, ["latitude"] = "12.97", ["longitude"] = "77.71" }, share.MetaData);
        Assert.Equal("test.intent@sbx", share.Profile.HealthId);
    }

    [Theory]
    [InlineData("RECORD_SHARE")]
    [InlineData("PAYMENT_SHARE")]
    public async Task ReadShare_RecordOrPaymentShareWithoutAHandler_RefusedWithAbdm1149(string intent)
    {
        await using var services = Build(withHandler: false);

        var read = services.GetRequiredService<IProfileShareInbox>().ReadShare(WireVersion.V3, HipId, RequestId.ToString(), Bytes(With(ShareV3, "$.intent", intent)));

        Assert.False(read.Succeeded);
        Assert.Equal("ABDM-1149", read.ErrorCode);
        Assert.Equal($"intent {intent} is not supported at this HIP: it accepts PROFILE_SHARE.", read.Error);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ReadShare_UnknownIntent_RefusedWithAbdm1049WithOrWithoutAHandler(bool withHandler)
    {
        await using var services = Build(withHandler);

        var read = services.GetRequiredService<IProfileShareInbox>().ReadShare(WireVersion.V3, HipId, RequestId.ToString(), Bytes(With(ShareV3, "$.intent", "CONSENT_SHARE")));

        Assert.False(read.Succeeded);
        Assert.Equal("ABDM-1049", read.ErrorCode);
        Assert.Equal("intent is not one of PROFILE_SHARE, RECORD_SHARE, PAYMENT_SHARE.", read.Error);
    }

    [Theory]
    [InlineData("PROFILE_SHARE")]
    [InlineData("RECORD_SHARE")]
    public void ReadShare_UnknownMetaDataKey_RefusedWithAbdm1050NamingTheKey(string intent)
    {
        var body = JsonNode.Parse(With(ShareV3, "$.intent", intent))!;
        body["metaData"]!["counterName"] = "Front desk";

        var read = Inbox.ReadShare(WireVersion.V3, HipId, RequestId.ToString(), Bytes(body.ToJsonString()));

        Assert.False(read.Succeeded);
        Assert.Equal("ABDM-1050", read.ErrorCode);
        Assert.Equal("metaData has an unknown key 'counterName': the keys are hipId, context, hprId, latitude, longitude.", read.Error);
    }

    [Fact]
    public void ReadShare_UnknownMetaDataKeyThatIsNotAPlainName_RefusedWithoutQuotingIt()
    {
        var body = JsonNode.Parse(ShareV3)!;
        body["metaData"]!["<script>"] = 1;

        var read = Inbox.ReadShare(WireVersion.V3, HipId, RequestId.ToString(), Bytes(body.ToJsonString()));

        Assert.Equal("ABDM-1050", read.ErrorCode);
        Assert.DoesNotContain("<script>", read.Error, StringComparison.Ordinal);
        Assert.Contains("unknown key (a name that is not a plain identifier)", read.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadShare_EveryContractMetaDataKeyInAnyCase_Accepted()
    {
        var body = JsonNode.Parse(ShareV3)!;
        body["metaData"] = new JsonObject { ["HIPID"] = HipId, ["context"] = "OPD1", ["hprId"] = "test.doctor@hpr.abdm", ["Latitude"] = 1, ["longitude"] = "2" };

        var read = Inbox.ReadShare(WireVersion.V3, HipId, RequestId.ToString(), Bytes(body.ToJsonString()));

        Assert.True(read.Succeeded, read.Error);
        Assert.Equal("test.doctor@hpr.abdm", read.Value!.MetaData["hprId"]);
    }

    [Theory]
    [InlineData("ANOTHER-HIP")]
    [InlineData("TEST-HIP-0001_1")]
    [InlineData("test-hip-0001")]
    public void ReadShare_MetaDataHipIdDiffersFromXHipId_RefusedWithAbdm1035NamingBoth(string metaDataHipId)
    {
        var read = Inbox.ReadShare(WireVersion.V3, HipId, RequestId.ToString(), Bytes(With(ShareV3, "$.metaData.hipId", metaDataHipId)));

        Assert.False(read.Succeeded);
        Assert.Equal("ABDM-1035", read.ErrorCode);
        Assert.Equal("metaData.hipId differs from the X-HIP-ID header: both must name the same HIP.", read.Error);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(" TEST-HIP-0001 ")]
    public void ReadShare_MetaDataHipIdAbsentOrTheSame_Accepted(string? metaDataHipId)
    {
        var read = Inbox.ReadShare(WireVersion.V3, HipId, RequestId.ToString(), Bytes(With(ShareV3, "$.metaData.hipId", metaDataHipId)));

        Assert.True(read.Succeeded, read.Error);
    }

    [Theory]
    [InlineData("abhaAddress", "42")]
    [InlineData("abhaNumber", "91111111111111")]
    [InlineData("abhaNumber", "9.1e13")]
    public void ReadShare_IdentifierSentAsAJsonNumber_Refused400NamingTheField(string field, string number)
    {
        var body = JsonNode.Parse(ShareV3)!;
        body["profile"]!["patient"]![field] = JsonNode.Parse(number);

        var read = Inbox.ReadShare(WireVersion.V3, HipId, RequestId.ToString(), Bytes(body.ToJsonString()));

        Assert.False(read.Succeeded);
        Assert.Equal("ABDM-1006", read.ErrorCode);
        Assert.Equal($"Invalid value at $.profile.patient.{field}: expected a string, got a number.", read.Error);
        Assert.DoesNotContain(number, read.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadShare_NumbersSentAsStringsAndStringsAsNumbers_StillReadLeniently()
    {
        var body = JsonNode.Parse(ShareV3)!;
        body["profile"]!["patient"]!["abhaNumber"] = "91-1111-1111-1111";
        body["metaData"]!["context"] = 6;

        var read = Inbox.ReadShare(WireVersion.V3, HipId, RequestId.ToString(), Bytes(body.ToJsonString()));

        Assert.True(read.Succeeded, read.Error);
        var share = read.Value!;
        Assert.Equal("91-1111-1111-1111", share.Profile.AbhaNumber);
        Assert.Equal("6", share.CounterCode);
        Assert.Equal(2000, share.Profile.YearOfBirth);
        Assert.Equal(6, share.Profile.MonthOfBirth);
        Assert.Equal(6, share.Profile.DayOfBirth);
        Assert.Equal("12.97", share.MetaData["latitude"]);
    }

    [Fact]
    public async Task HandleShareIntentAsync_RecordShare_TheHandlerGetsTheRequestAndNothingIsQueued()
    {
        var share = ReadIntent("RECORD_SHARE", RequestId);

        var outcome = await Inbox.HandleShareIntentAsync(share);

        Assert.Same(ShareIntentOutcome.Accept, outcome);
        var request = Assert.Single(_handler.Requests);
        Assert.Equal(ShareIntent.RecordShare, request.Intent);
        Assert.Equal(HipId, request.HipId);
        Assert.Equal("OPD1", request.CounterCode);
        Assert.Equal(RequestId, request.RequestId);
        Assert.Equal("test.intent@sbx", request.Profile.HealthId);
        Assert.Equal(HipId, request.MetaData["hipId"]);
        Assert.False(request.MetaData.ContainsKey("context"));
        Assert.DoesNotContain("test.intent", request.ToString(), StringComparison.Ordinal);
        Assert.Empty(await _store.ListEntriesAsync(HipId, null, DateTimeOffset.UtcNow.AddYears(-1)));
    }

    [Fact]
    public async Task HandleShareIntentAsync_SameRequestIdAgain_TheFirstOutcomeWithoutCallingTheHandlerAgain()
    {
        _handler.Next = _ => ShareIntentOutcome.Refuse("ABDM-1149", "Records are not received at this counter.");

        var first = await Inbox.HandleShareIntentAsync(ReadIntent("PAYMENT_SHARE", RequestId));
        _handler.Next = _ => ShareIntentOutcome.Accept;
        var second = await Inbox.HandleShareIntentAsync(ReadIntent("PAYMENT_SHARE", RequestId));
        var other = await Inbox.HandleShareIntentAsync(ReadIntent("PAYMENT_SHARE", Guid.NewGuid()));

        Assert.False(first.Accepted);
        Assert.Same(first, second);
        Assert.True(other.Accepted);
        Assert.Equal(2, _handler.Requests.Count);
        var logs = _services.GetFakeLogCollector().GetSnapshot();
        Assert.Contains(logs, r => r.Id.Id == 1220 && r.Message.Contains("repeat True", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HandleShareIntentAsync_HandlerThrows_PropagatesForgetsAndTheRedeliveryIsHandled()
    {
        _handler.Next = _ => throw new InvalidOperationException("HIS down for test.intent@sbx");

        await Assert.ThrowsAsync<InvalidOperationException>(() => Inbox.HandleShareIntentAsync(ReadIntent("RECORD_SHARE", RequestId)));
        _handler.Next = _ => ShareIntentOutcome.Accept;
        var redelivered = await Inbox.HandleShareIntentAsync(ReadIntent("RECORD_SHARE", RequestId));

        Assert.True(redelivered.Accepted);
        Assert.Equal(2, _handler.Requests.Count);
        var logs = _services.GetFakeLogCollector().GetSnapshot();
        var failed = Assert.Single(logs, r => r.Id.Id == 1221);
        Assert.Equal(LogLevel.Error, failed.Level);
        Assert.Contains("InvalidOperationException", failed.Message, StringComparison.Ordinal);
        Assert.Null(failed.Exception);
        Assert.DoesNotContain(logs, r => r.Message.Contains("test.intent", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AcceptShareAsync_AnIntentShare_ThrowsAndStoresNothing()
    {
        var share = ReadIntent("RECORD_SHARE", RequestId);

        await Assert.ThrowsAsync<ArgumentException>(() => Inbox.AcceptShareAsync(share));

        Assert.Empty(await _store.ListEntriesAsync(HipId, null, DateTimeOffset.UtcNow.AddYears(-1)));
    }

    [Fact]
    public async Task HandleShareIntentAsync_AProfileShare_ThrowsAndTheHandlerIsNotCalled()
    {
        var read = Inbox.ReadShare(WireVersion.V3, HipId, RequestId.ToString(), Bytes(ShareV3));

        await Assert.ThrowsAsync<ArgumentException>(() => Inbox.HandleShareIntentAsync(read.Value!));

        Assert.Empty(_handler.Requests);
    }

    [Theory]
    [InlineData("12")]
    [InlineData("ABDM-114")]
    [InlineData("ABDM-1149: ")]
    [InlineData("abdm-1149")]
    [InlineData(" ")]
    public void Refuse_NotAnAbdmErrorCode_Throws(string code) =>
        Assert.Equal("errorCode", Assert.ThrowsAny<ArgumentException>(() => ShareIntentOutcome.Refuse(code, "No.")).ParamName);

    [Theory]
    [InlineData("ABDM-1149")]
    [InlineData("900901")]
    public void Refuse_AnAbdmErrorCode_CarriesCodeAndMessage(string code)
    {
        var outcome = ShareIntentOutcome.Refuse(code, "Not here.");

        Assert.False(outcome.Accepted);
        Assert.Equal(code, outcome.ErrorCode);
        Assert.Equal("Not here.", outcome.ErrorMessage);
    }

    private ReceivedShare ReadIntent(string intent, Guid requestId)
    {
        var read = Inbox.ReadShare(WireVersion.V3, HipId, requestId.ToString(), Bytes(With(ShareV3, "$.intent", intent)));
        Assert.True(read.Succeeded, read.Error);
        return read.Value!;
    }

    private ServiceProvider Build(bool withHandler)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace));
        services.AddFakeLogging();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 4, 30, 0, TimeSpan.Zero)));
        services.AddSingleton<IProfileShareStore>(_store);
        services.AddSingleton(_handler);
        var builder = services.AddAbdmProfileShare(options =>
        {
            options.HipIds.Add(HipId);
            options.Gateway.BaseUrl = new Uri(FakeGateway.BaseUrl);
            options.Gateway.ClientId = GatewayHarness.ClientId;
            options.Gateway.ClientSecret = GatewayHarness.ClientSecret;
        });
        if (withHandler)
        {
            builder.AddShareIntentHandler<ForwardingIntentHandler>();
        }

        services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static byte[] Bytes(string json) => Encoding.UTF8.GetBytes(json);

    /// <summary><paramref name="json"/> with the string at <paramref name="path"/> (<c>$.a.b</c>) replaced (null: removed).</summary>
    private static string With(string json, string path, string? value)
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

    /// <summary>Records every request and answers with <see cref="Next"/> (accept by default).</summary>
    internal sealed class RecordingIntentHandler
    {
        private readonly Lock _gate = new();
        private readonly List<ShareIntentRequest> _requests = [];

        public Func<ShareIntentRequest, ShareIntentOutcome> Next { get; set; } = _ => ShareIntentOutcome.Accept;

        public IReadOnlyList<ShareIntentRequest> Requests
        {
            get
            {
                lock (_gate)
                {
                    return [.. _requests];
                }
            }
        }

        public ShareIntentOutcome Handle(ShareIntentRequest request)
        {
            lock (_gate)
            {
                _requests.Add(request);
            }

            return Next(request);
        }
    }

    /// <summary>The registered (scoped) handler: forwards to the test's recorder.</summary>
    private sealed class ForwardingIntentHandler(RecordingIntentHandler recorder) : IShareIntentHandler
    {
        public Task<ShareIntentOutcome> HandleAsync(ShareIntentRequest request, CancellationToken cancellationToken) => Task.FromResult(recorder.Handle(request));
    }
}
