using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Abdm.ProfileShare.Workflow;
using Microsoft.Extensions.DependencyInjection;

namespace Abdm.ProfileShare.AspNetCore.Tests.Endpoints;

/// <summary>
/// The v3 share callback for every intent and the v3 rules ABDM reads shares by, over the real pipeline:
/// <c>RECORD_SHARE</c>/<c>PAYMENT_SHARE</c> to the host's <see cref="IShareIntentHandler"/> (answered by its outcome;
/// <c>ABDM-1149</c> without one), unknown intents (<c>ABDM-1049</c>) and metaData keys (<c>ABDM-1050</c>),
/// <c>metaData.hipId</c> against <c>X-HIP-ID</c>, and identifiers sent as JSON numbers. Nothing refused reaches the
/// queue or the gateway.
/// </summary>
public sealed class V3ShareIntentEndpointTests
{
    [Theory]
    [InlineData("RECORD_SHARE", ShareIntent.RecordShare)]
    [InlineData("PAYMENT_SHARE", ShareIntent.PaymentShare)]
    public async Task Share_IntentWithAHandler_200TheHandlerHasItAndNoEntryNoTokenNoOnShare(string intent, ShareIntent expected)
    {
        var recorder = new IntentRecorder();
        await using var h = await StartAsync(recorder);
        var requestId = Guid.NewGuid();

        using var response = await h.ShareAsync(Share(intent), requestId);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var request = Assert.Single(recorder.Requests);
        Assert.Equal(expected, request.Intent);
        Assert.Equal(requestId, request.RequestId);
        Assert.Equal(ProfileShareTestHost.HipId, request.HipId);
        Assert.Equal("OPD1", request.CounterCode);
        Assert.Equal("test.v3@sbx", request.Profile.HealthId);
        Assert.Equal("12.97", request.MetaData["latitude"]);
        Assert.Empty(await h.Host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
        Assert.Equal(0, (await h.Host.Store.GetOutboxStatisticsAsync()).Pending);
        Assert.Empty(h.Gateway.CallsTo(V3FakeGateway.OnShare));
    }

    [Fact]
    public async Task Share_IntentWithTheSameRequestIdTwice_Both200AndTheHandlerCalledOnce()
    {
        var recorder = new IntentRecorder();
        await using var h = await StartAsync(recorder);
        var requestId = Guid.NewGuid();

        using var first = await h.ShareAsync(Share("RECORD_SHARE"), requestId);
        using var second = await h.ShareAsync(Share("RECORD_SHARE"), requestId);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Single(recorder.Requests);
    }

    [Fact]
    public async Task Share_TheHandlerRefuses_400WithItsCodeAndMessage()
    {
        var recorder = new IntentRecorder { Next = _ => ShareIntentOutcome.Refuse("ABDM-1149", "Payments are taken at the cash counter.") };
        await using var h = await StartAsync(recorder);

        using var response = await h.ShareAsync(Share("PAYMENT_SHARE"), Guid.NewGuid());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(("ABDM-1149", "Payments are taken at the cash counter."), await ErrorAsync(response));
    }

    [Fact]
    public async Task Share_TheHandlerThrows_503Abdm1024ThenTheRedeliveryIsHandledAnd200()
    {
        var recorder = new IntentRecorder { Next = _ => throw new InvalidOperationException("the HIS is down") };
        await using var h = await StartAsync(recorder);
        var requestId = Guid.NewGuid();

        using var failed = await h.ShareAsync(Share("RECORD_SHARE"), requestId);
        recorder.Next = _ => ShareIntentOutcome.Accept;
        using var redelivered = await h.ShareAsync(Share("RECORD_SHARE"), requestId);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        var (code, message) = await ErrorAsync(failed);
        Assert.Equal("ABDM-1024", code);
        Assert.DoesNotContain("HIS is down", message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, redelivered.StatusCode);
        Assert.Equal(2, recorder.Requests.Count);
    }

    [Theory]
    [InlineData("RECORD_SHARE")]
    [InlineData("PAYMENT_SHARE")]
    public async Task Share_IntentWithoutAHandler_400Abdm1149(string intent)
    {
        await using var h = await V3Host.StartAsync();

        using var response = await h.ShareAsync(Share(intent), Guid.NewGuid());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("ABDM-1149", (await ErrorAsync(response)).Code);
        await AssertNothingQueuedOrSentAsync(h);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Share_UnknownIntent_400Abdm1049(bool withHandler)
    {
        var recorder = new IntentRecorder();
        await using var h = withHandler ? await StartAsync(recorder) : await V3Host.StartAsync();

        using var response = await h.ShareAsync(Share("REFERRAL_SHARE"), Guid.NewGuid());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("ABDM-1049", (await ErrorAsync(response)).Code);
        Assert.Empty(recorder.Requests);
        await AssertNothingQueuedOrSentAsync(h);
    }

    [Fact]
    public async Task Share_UnknownMetaDataKey_400Abdm1050NamingTheKey()
    {
        await using var h = await V3Host.StartAsync();
        var share = Share("PROFILE_SHARE");
        share["metaData"]!["queueName"] = "General OPD";

        using var response = await h.ShareAsync(share, Guid.NewGuid());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var (code, message) = await ErrorAsync(response);
        Assert.Equal("ABDM-1050", code);
        Assert.Contains("'queueName'", message, StringComparison.Ordinal);
        await AssertNothingQueuedOrSentAsync(h);
    }

    [Fact]
    public async Task Share_MetaDataHipIdDiffersFromXHipId_400NamingBoth()
    {
        await using var h = await V3Host.StartAsync();
        var share = Share("PROFILE_SHARE");
        share["metaData"]!["hipId"] = ProfileShareTestHost.HipId + "_1";

        using var response = await h.ShareAsync(share, Guid.NewGuid());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var (code, message) = await ErrorAsync(response);
        Assert.Equal("ABDM-1035", code);
        Assert.Contains("metaData.hipId", message, StringComparison.Ordinal);
        Assert.Contains("X-HIP-ID", message, StringComparison.Ordinal);
        await AssertNothingQueuedOrSentAsync(h);
    }

    [Theory]
    [InlineData("abhaAddress", "42")]
    [InlineData("abhaNumber", "91111111111111")]
    public async Task Share_IdentifierAsAJsonNumber_400NamingTheFieldAndNoFailedOnShare(string field, string number)
    {
        await using var h = await V3Host.StartAsync();
        var share = Share("PROFILE_SHARE");
        share["profile"]!["patient"]![field] = JsonNode.Parse(number);

        using var response = await h.ShareAsync(share, Guid.NewGuid());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var (code, message) = await ErrorAsync(response);
        Assert.Equal("ABDM-1006", code);
        Assert.Contains($"$.profile.patient.{field}", message, StringComparison.Ordinal);
        await AssertNothingQueuedOrSentAsync(h);
    }

    [Fact]
    public async Task Share_BirthPartsAndLatitudeAsStringsOrNumbers_StillAccepted()
    {
        await using var h = await V3Host.StartAsync(o => o.Linking.Start = LinkingStart.Manual);
        var share = Share("PROFILE_SHARE");
        share["profile"]!["patient"]!["yearOfBirth"] = 2000;
        share["metaData"]!["latitude"] = 12.97;

        using var response = await h.ShareAsync(share, Guid.NewGuid());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2000, Assert.Single(await h.Host.Queue.ListAsync(ProfileShareTestHost.HipId, null)).Profile.YearOfBirth);
    }

    private static JsonObject Share(string intent)
    {
        var share = ProfileShareTestHost.V3Share();
        share["intent"] = intent;
        return share;
    }

    private static Task<V3Host> StartAsync(IntentRecorder recorder) => V3Host.StartAsync(build: b =>
    {
        b.Services.AddSingleton(recorder);
        b.AddShareIntentHandler<RecordingIntentHandler>();
    });

    /// <summary>No entry, no outbox item and no on-share: the share never reached the store.</summary>
    private static async Task AssertNothingQueuedOrSentAsync(V3Host h)
    {
        Assert.Empty(await h.Host.Queue.ListAsync(ProfileShareTestHost.HipId, null));
        Assert.Equal(0, (await h.Host.Store.GetOutboxStatisticsAsync()).Pending);
        Assert.Empty(h.Gateway.CallsTo(V3FakeGateway.OnShare));
    }

    /// <summary>Reads a v3 error body; the code must be a JSON string.</summary>
    private static async Task<(string Code, string Message)> ErrorAsync(HttpResponseMessage response)
    {
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var code = body["error"]!["code"]!;
        Assert.Equal(JsonValueKind.String, code.GetValueKind());
        return (code.GetValue<string>(), body["error"]!["message"]!.GetValue<string>());
    }

    /// <summary>What the handler received, and what it answers next.</summary>
    private sealed class IntentRecorder
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

    private sealed class RecordingIntentHandler(IntentRecorder recorder) : IShareIntentHandler
    {
        public Task<ShareIntentOutcome> HandleAsync(ShareIntentRequest request, CancellationToken cancellationToken) => Task.FromResult(recorder.Handle(request));
    }
}
