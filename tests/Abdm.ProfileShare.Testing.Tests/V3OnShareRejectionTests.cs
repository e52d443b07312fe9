using System.Text.Json.Nodes;
using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Testing.Tests;

/// <summary>Every v3 on-share rule of the package README, one broken request per rule: the documented answer, and nothing accepted.</summary>
public sealed class V3OnShareRejectionTests
{
    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["no-authorization"] = new(401, "900902", GatewayRejection.MissingCredentials, (r, _) => r.Authorization = ""),
        ["garbage-token"] = new(401, "900901", GatewayRejection.InvalidCredentials, (r, _) => r.Authorization = "Bearer not.a.jwt"),
        ["callback-token-not-session"] = new(401, "900901", GatewayRejection.InvalidCredentials, (r, c) => r.Authorization = "Bearer " + c.CallbackToken),
        ["no-request-id"] = new(400, "ABDM-2404", GatewayRejection.InvalidRequestIdHeader, (r, _) => r.RequestId = null),
        ["request-id-not-uuid"] = new(400, "ABDM-2404", GatewayRejection.InvalidRequestIdHeader, (r, _) => r.RequestId = "12345"),
        ["no-timestamp"] = new(400, "ABDM-2402", GatewayRejection.InvalidTimestampHeader, (r, _) => r.Timestamp = null),
        ["timestamp-ist"] = new(400, "ABDM-2402", GatewayRejection.InvalidTimestampHeader, (r, _) => r.Timestamp = "2026-01-15T15:30:00.000+05:30"),
        ["timestamp-date-only"] = new(400, "ABDM-2402", GatewayRejection.InvalidTimestampHeader, (r, _) => r.Timestamp = "2026-01-15"),
        ["no-cm-id"] = new(400, "ABDM-2403", GatewayRejection.MissingConsentManagerId, (r, _) => r.CmId = null),
        ["cm-id-mismatch"] = new(400, "ABDM-2403", GatewayRejection.ConsentManagerIdMismatch, (r, _) => r.CmId = "abdm"),
        ["malformed-json"] = new(400, "ABDM-1006", GatewayRejection.MalformedJson, (r, _) => r.Raw = "{\"acknowledgement\":"),
        ["acknowledgement-not-object"] = new(400, "ABDM-1006", GatewayRejection.InvalidFieldValue, (r, _) => r.Body!["acknowledgement"] = "ok"),
        ["no-status"] = new(400, "ABDM-1006", GatewayRejection.MissingField, (r, _) => Remove(r.Body!, "acknowledgement.status")),
        ["status-failure-v05-word"] = new(400, "ABDM-1006", GatewayRejection.InvalidEnumValue, (r, _) => r.Body!["acknowledgement"]!["status"] = "FAILURE"),
        ["no-abhaAddress"] = new(400, "ABDM-1006", GatewayRejection.MissingField, (r, _) => Remove(r.Body!, "acknowledgement.abhaAddress")),
        ["abhaAddress-mismatch"] = new(400, "ABDM-1006", GatewayRejection.HealthIdMismatch, (r, _) => r.Body!["acknowledgement"]!["abhaAddress"] = "someone.else@sbx"),
        ["no-profile"] = new(400, "ABDM-1006", GatewayRejection.MissingField, (r, _) => Remove(r.Body!, "acknowledgement.profile")),
        ["no-context"] = new(400, "ABDM-1006", GatewayRejection.MissingField, (r, _) => Remove(r.Body!, "acknowledgement.profile.context")),
        ["context-mismatch"] = new(400, "ABDM-1006", GatewayRejection.ContextMismatch, (r, _) => r.Body!["acknowledgement"]!["profile"]!["context"] = "other-counter"),
        ["no-tokenNumber"] = new(400, "ABDM-1006", GatewayRejection.MissingTokenNumber, (r, _) => Remove(r.Body!, "acknowledgement.profile.tokenNumber")),
        ["empty-tokenNumber"] = new(400, "ABDM-1006", GatewayRejection.MissingTokenNumber, (r, _) => r.Body!["acknowledgement"]!["profile"]!["tokenNumber"] = ""),
        ["tokenNumber-number"] = new(400, "ABDM-1006", GatewayRejection.MissingTokenNumber, (r, _) => r.Body!["acknowledgement"]!["profile"]!["tokenNumber"] = 7),
        ["no-expiry"] = new(400, "ABDM-1006", GatewayRejection.MissingField, (r, _) => Remove(r.Body!, "acknowledgement.profile.expiry")),
        ["expiry-string"] = new(400, "ABDM-1006", GatewayRejection.InvalidFieldValue, (r, _) => r.Body!["acknowledgement"]!["profile"]!["expiry"] = "1799"),
        ["expiry-zero"] = new(400, "ABDM-1006", GatewayRejection.InvalidFieldValue, (r, _) => r.Body!["acknowledgement"]!["profile"]!["expiry"] = 0),
        ["success-with-error"] = new(400, "ABDM-1006", GatewayRejection.ErrorWithSuccess, (r, _) => r.Body!["error"] = new JsonObject { ["code"] = "ABDM-9999", ["message"] = "x" }),
        ["failed-without-error"] = new(400, "ABDM-1006", GatewayRejection.MissingField, (r, _) => r.Body!["acknowledgement"]!["status"] = "FAILED"),
        ["neither-acknowledgement-nor-error"] = new(400, "ABDM-1006", GatewayRejection.MissingField, (r, _) => Remove(r.Body!, "acknowledgement")),
        ["error-code-number"] = new(400, "ABDM-1006", GatewayRejection.InvalidFieldValue, (r, _) => Fail(r.Body!, code: 1000)),
        ["error-code-bad-pattern"] = new(400, "ABDM-1006", GatewayRejection.InvalidFieldValue, (r, _) => Fail(r.Body!, code: "ERR-1")),
        ["error-code-trailing-colon"] = new(400, "ABDM-1006", GatewayRejection.InvalidFieldValue, (r, _) => Fail(r.Body!, code: "ABDM-1006: ")),
        ["error-no-message"] = new(400, "ABDM-1006", GatewayRejection.MissingField, (r, _) => Fail(r.Body!, code: "ABDM-9999", message: null)),
        ["failed-abhaAddress-mismatch"] = new(400, "ABDM-1006", GatewayRejection.HealthIdMismatch, (r, _) =>
        {
            Fail(r.Body!, code: "ABDM-9999");
            r.Body!["acknowledgement"]!["abhaAddress"] = "someone.else@sbx";
        }),
        ["no-response"] = new(400, "ABDM-1006", GatewayRejection.MissingField, (r, _) => Remove(r.Body!, "response")),
        ["response-requestId-not-uuid"] = new(400, "ABDM-1006", GatewayRejection.InvalidFieldValue, (r, _) => r.Body!["response"]!["requestId"] = "abc"),
        ["unknown-share"] = new(400, "ABDM-1006", GatewayRejection.UnknownShareRequest, (r, _) => r.Body!["response"]!["requestId"] = Guid.NewGuid().ToString()),
        ["answers-v05-share"] = new(400, "ABDM-1006", GatewayRejection.ShareVersionMismatch, (r, c) =>
        {
            r.Body!["response"]!["requestId"] = c.V05ShareRequestId.ToString();
            r.Body!["acknowledgement"]!["abhaAddress"] = SyntheticPatients.All[1].HealthId;
        }),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task OnShareV3_BrokenRule_AnswersDocumentedErrorAndAcceptsNothing(string caseName)
    {
        var @case = Cases[caseName];
        await using var bed = await TestBed.StartAsync();
        var (share, call) = await bed.ScanV3Async(0, "OPD1");
        var (share05, _) = await bed.ScanAsync(1, WireVersion.V05);
        var request = TestBed.OnShareV3(TestBed.OnShareV3Body(share));
        @case.Mutate(request, new CaseContext(call.BearerToken, share05.RequestId));

        using var response = await bed.SendV3Async(request);

        Assert.Equal(@case.Status, (int)response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        var error = @case.Status == 401 ? body : body["error"]!.AsObject();
        Assert.Equal(@case.Code, error["code"]!.GetValue<string>());
        var message = (string?)error["message"];
        Assert.False(string.IsNullOrEmpty(message));
        Assert.DoesNotContain(share.HealthId, message, StringComparison.OrdinalIgnoreCase);
        if (@case.Rule == GatewayRejection.UnknownShareRequest)
        {
            Assert.Contains("response.requestId", message, StringComparison.Ordinal);
        }

        var entry = bed.Gateway.Journal.Of(GatewayOperation.OnShare)[^1];
        Assert.Equal(@case.Rule, entry.Rejection);
        Assert.Equal(@case.Code, entry.WireErrorCode);
        Assert.False(entry.IsAccepted);
        Assert.False(share.Acknowledgement.IsCompleted);
        Assert.False(share05.Acknowledgement.IsCompleted);
    }

    private static void Fail(JsonObject body, JsonNode? code, string? message = "Counter closed")
    {
        body["acknowledgement"]!["status"] = "FAILED";
        body["error"] = new JsonObject { ["code"] = code, ["message"] = message };
    }

    private static void Remove(JsonObject body, string path)
    {
        var parts = path.Split('.');
        JsonNode node = body;
        foreach (var part in parts[..^1])
        {
            node = node[part]!;
        }

        Assert.True(node.AsObject().Remove(parts[^1]), path);
    }

    private sealed record Case(int Status, string Code, GatewayRejection Rule, Action<V3Request, CaseContext> Mutate);

    private sealed record CaseContext(string CallbackToken, Guid V05ShareRequestId);
}
