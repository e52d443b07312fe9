using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Abdm.ProfileShare.Model;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Abdm.ProfileShare.Testing.Tests;

/// <summary>Running-token status on demand: the request to the HIP and the HIP's on-status (a fake HIP answers it).</summary>
public sealed partial class V3RunningTokenStatusTests
{
    private const string StatusPath = "/api/v3/hip/patient/running-token/status";
    private const string OnStatusPath = "api/hiecm/patient-share/v3/running-token/on-status";

    /// <summary>Makes the fake HIP answer every status request with <paramref name="answer"/> (given the request's REQUEST-ID).</summary>
    private static void AnswerWith(TestBed bed, Func<string, JsonObject> answer) =>
        bed.Hip.OnReceived = async call =>
        {
            if (call.Path.EndsWith(StatusPath, StringComparison.Ordinal))
            {
                using var response = await bed.SendV3Async(new V3Request(OnStatusPath, answer(call.Headers["REQUEST-ID"])));
            }
        };

    private static JsonObject TokenAnswer(string requestId, string number = "12", int minutes = 4) => new()
    {
        ["token"] = new JsonObject { ["runningTokenNumber"] = number, ["averageTokenServiceTimeInMinutes"] = minutes },
        ["response"] = new JsonObject { ["requestId"] = requestId },
    };

    [Fact]
    public async Task RequestRunningTokenStatus_HipAnswersToken_SignedV3RequestAndTheAnswer()
    {
        await using var bed = await TestBed.StartAsync();
        AnswerWith(bed, id => TokenAnswer(id));

        var status = await bed.Gateway.RequestRunningTokenStatusAsync(TestBed.HipId, "OPD-2").WaitAsync(TestBed.Wait);

        var call = Assert.Single(bed.Hip.CallsTo(StatusPath));
        Assert.Equal("/hip" + StatusPath, call.Path);
        Assert.Equal(status.RequestId.ToString(), call.Headers["REQUEST-ID"]);
        Assert.Matches(MillisecondsZulu(), call.Headers["TIMESTAMP"]);
        Assert.Equal(TestBed.HipId, call.Headers["X-HIP-ID"]);
        Assert.Equal(bed.Gateway.SigningKeyIdFor(WireVersion.V3), new JsonWebToken(call.BearerToken).Kid);
        var validation = await bed.ValidateV3CallbackTokenAsync(call.BearerToken);
        Assert.True(validation.IsValid, validation.Exception?.Message);
        Assert.Equal("""{"hipId":"HIP-1","context":"OPD-2"}""", call.Text);

        Assert.True(status.IsSuccess);
        Assert.Equal("12", status.RunningTokenNumber);
        Assert.Equal(4, status.AverageTokenServiceTimeInMinutes);
        Assert.Null(status.ErrorCode);
        Assert.Equal(202, status.HipStatusCode);
        Assert.Null(status.DeliveryError);
        Assert.Equal(TestBed.HipId, status.HipId);
        Assert.Equal("OPD-2", status.CounterCode);
        Assert.NotNull(status.OnStatusRequestId);
        var sent = Assert.Single(bed.Gateway.Journal.Of(GatewayOperation.RunningTokenStatus));
        Assert.Equal(202, sent.StatusCode);
        Assert.Equal(status.RequestId, sent.RequestId);
        var received = Assert.Single(bed.Gateway.Journal.Of(GatewayOperation.OnRunningTokenStatus));
        Assert.True(received.IsAccepted);
        Assert.Equal(status.RequestId, received.RespRequestId);
        Assert.Equal(TestBed.HipId, received.HipId);
    }

    [Fact]
    public async Task RequestRunningTokenStatus_HipAnswers1031_ErrorInTheResult()
    {
        await using var bed = await TestBed.StartAsync();
        AnswerWith(bed, id => new JsonObject
        {
            ["error"] = new JsonObject { ["code"] = "ABDM-1031", ["message"] = "No token generated today for this counter" },
            ["response"] = new JsonObject { ["requestId"] = id },
        });

        var status = await bed.Gateway.RequestRunningTokenStatusAsync(TestBed.HipId, "OPD-9").WaitAsync(TestBed.Wait);

        Assert.False(status.IsSuccess);
        Assert.Equal("ABDM-1031", status.ErrorCode);
        Assert.Equal("No token generated today for this counter", status.ErrorMessage);
        Assert.Null(status.RunningTokenNumber);
        Assert.Null(status.AverageTokenServiceTimeInMinutes);
    }

    [Fact]
    public async Task RequestRunningTokenStatus_HipRefusesTheRequest_ReturnsAtOnceWithTheStatus()
    {
        await using var bed = await TestBed.StartAsync();
        bed.Hip.StatusCode = 404;

        var status = await bed.Gateway.RequestRunningTokenStatusAsync(TestBed.HipId, "OPD-1").WaitAsync(TestBed.Wait);

        Assert.Equal(404, status.HipStatusCode);
        Assert.Contains("404", status.DeliveryError, StringComparison.Ordinal);
        Assert.False(status.IsSuccess);
        Assert.Empty(bed.Gateway.Journal.Of(GatewayOperation.OnRunningTokenStatus));
    }

    [Fact]
    public async Task RequestRunningTokenStatus_DroppedByFault_ReturnsNotDelivered()
    {
        await using var bed = await TestBed.StartAsync();
        bed.Gateway.Faults.For(GatewayOperation.RunningTokenStatus).Drop(times: 1);

        var status = await bed.Gateway.RequestRunningTokenStatusAsync(TestBed.HipId, "OPD-1").WaitAsync(TestBed.Wait);

        Assert.Null(status.HipStatusCode);
        Assert.NotNull(status.DeliveryError);
        Assert.Empty(bed.Hip.CallsTo(StatusPath));
    }

    [Fact]
    public async Task RequestRunningTokenStatus_UnregisteredHip_Throws()
    {
        await using var bed = await TestBed.StartAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => bed.Gateway.RequestRunningTokenStatusAsync("HIP-NOPE", "OPD-1"));
    }

    [Theory]
    [InlineData("unknown-request", 400, "ABDM-1006", GatewayRejection.UnknownStatusRequest)]
    [InlineData("token-and-error", 400, "ABDM-1006", GatewayRejection.ErrorWithSuccess)]
    [InlineData("neither", 400, "ABDM-1006", GatewayRejection.MissingField)]
    [InlineData("number-not-string", 400, "ABDM-1006", GatewayRejection.InvalidFieldValue)]
    [InlineData("minutes-negative", 400, "ABDM-1006", GatewayRejection.InvalidFieldValue)]
    [InlineData("minutes-missing", 400, "ABDM-1006", GatewayRejection.MissingField)]
    [InlineData("error-code-number", 400, "ABDM-1006", GatewayRejection.InvalidFieldValue)]
    [InlineData("no-response", 400, "ABDM-1006", GatewayRejection.MissingField)]
    [InlineData("no-authorization", 401, "900902", GatewayRejection.MissingCredentials)]
    [InlineData("no-request-id", 400, "ABDM-2404", GatewayRejection.InvalidRequestIdHeader)]
    public async Task OnStatus_BrokenRule_RefusedAndTheRequestStillWaits(string caseName, int status, string code, GatewayRejection rule)
    {
        await using var bed = await TestBed.StartAsync();
        var received = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        bed.Hip.OnReceived = async call =>
        {
            var id = caseName == "unknown-request" ? Guid.NewGuid().ToString() : call.Headers["REQUEST-ID"];
            var body = TokenAnswer(id);
            switch (caseName)
            {
                case "token-and-error": body["error"] = new JsonObject { ["code"] = "ABDM-1031", ["message"] = "x" }; break;
                case "neither": body.Remove("token"); break;
                case "number-not-string": body["token"]!["runningTokenNumber"] = 12; break;
                case "minutes-negative": body["token"]!["averageTokenServiceTimeInMinutes"] = -1; break;
                case "minutes-missing": body["token"]!.AsObject().Remove("averageTokenServiceTimeInMinutes"); break;
                case "error-code-number":
                    body.Remove("token");
                    body["error"] = new JsonObject { ["code"] = 1031, ["message"] = "x" };
                    break;
                case "no-response": body.Remove("response"); break;
            }

            var request = new V3Request(OnStatusPath, body);
            if (caseName == "no-authorization")
            {
                request.Authorization = "";
            }

            if (caseName == "no-request-id")
            {
                request.RequestId = null;
            }

            received.TrySetResult(await bed.SendV3Async(request));
        };

        var pending = bed.Gateway.RequestRunningTokenStatusAsync(TestBed.HipId, "OPD-1");
        using var response = await received.Task.WaitAsync(TestBed.Wait);

        Assert.Equal(status, (int)response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(code, (string?)(status == 401 ? answer : answer["error"]!)["code"]);
        var entry = Assert.Single(bed.Gateway.Journal.Of(GatewayOperation.OnRunningTokenStatus));
        Assert.Equal(rule, entry.Rejection);
        Assert.False(pending.IsCompleted);
    }

    [Fact]
    public async Task ControlApi_RunningTokenStatus_AnswersTheHipsOnStatus()
    {
        await using var bed = await TestBed.StartAsync(o => o.EnableControlApi = true);
        AnswerWith(bed, id => TokenAnswer(id, "A-7", 3));
        using var control = new HttpClient { BaseAddress = bed.Gateway.RootUrl, Timeout = TimeSpan.FromSeconds(20) };

        using var response = await control.PostAsync("_simulator/running-token-status", TestBed.Json(new JsonObject { ["hipId"] = TestBed.HipId, ["counter"] = "C1", ["timeoutSeconds"] = 10 }));

        Assert.Equal(200, (int)response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("A-7", (string?)body["runningTokenNumber"]);
        Assert.Equal(3, (int)body["averageTokenServiceTimeInMinutes"]!);
        Assert.Equal("C1", (string?)body["counterCode"]);
        Assert.True((bool)body["isSuccess"]!);
    }

    [Fact]
    public async Task ControlApi_RunningTokenStatus_BadRequestOrUnknownHip_400()
    {
        await using var bed = await TestBed.StartAsync(o => o.EnableControlApi = true);
        using var control = new HttpClient { BaseAddress = bed.Gateway.RootUrl, Timeout = TimeSpan.FromSeconds(20) };

        using var missing = await control.PostAsync("_simulator/running-token-status", TestBed.Json(new JsonObject { ["hipId"] = TestBed.HipId }));
        using var unknown = await control.PostAsync("_simulator/running-token-status", TestBed.Json(new JsonObject { ["hipId"] = "NOPE", ["counter"] = "C1" }));

        Assert.Equal(400, (int)missing.StatusCode);
        Assert.Equal(400, (int)unknown.StatusCode);
        Assert.Contains("NOPE", (string?)JsonNode.Parse(await unknown.Content.ReadAsStringAsync())!["error"], StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")]
    private static partial Regex MillisecondsZulu();
}
