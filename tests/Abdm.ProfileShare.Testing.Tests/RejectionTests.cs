using System.Text.Json.Nodes;
using Abdm.ProfileShare.Model;
using Microsoft.Extensions.Time.Testing;

namespace Abdm.ProfileShare.Testing.Tests;

/// <summary>Every rejection rule of the package README, one malformed request per rule: the documented answer, and nothing accepted.</summary>
public sealed class RejectionTests
{
    private static readonly Dictionary<string, Case> Cases = new()
    {
        // on-share (v0.5 unless the name says v1.0)
        ["onshare-no-authorization"] = new("onshare", 401, 900902, GatewayRejection.MissingCredentials, (r, _) => r.Authorization = ""),
        ["onshare-basic-authorization"] = new("onshare", 401, 900902, GatewayRejection.MissingCredentials, (r, _) => r.Authorization = "Basic c2ltOnNpbQ=="),
        ["onshare-garbage-token"] = new("onshare", 401, 900901, GatewayRejection.InvalidCredentials, (r, _) => r.Authorization = "Bearer not.a.jwt"),
        ["onshare-callback-token-not-session"] = new("onshare", 401, 900901, GatewayRejection.InvalidCredentials, (r, c) => r.Authorization = "Bearer " + c.CallbackToken),
        ["onshare-no-cm-id"] = new("onshare", 400, 1006, GatewayRejection.MissingConsentManagerId, (r, _) => r.CmId = null),
        ["onshare-truncated-json"] = new("onshare", 400, 1001, GatewayRejection.MalformedJson, (r, _) => r.Raw = "{\"requestId\":"),
        ["onshare-json-array"] = new("onshare", 400, 1001, GatewayRejection.MalformedJson, (r, _) => r.Raw = "[]"),
        ["onshare-empty-body"] = new("onshare", 400, 1001, GatewayRejection.MalformedJson, (r, _) => r.Raw = ""),
        ["onshare-no-requestId"] = new("onshare", 400, 1002, GatewayRejection.MissingField, (r, _) => Remove(r.Body, "requestId")),
        ["onshare-requestId-not-uuid"] = new("onshare", 400, 1003, GatewayRejection.InvalidFieldValue, (r, _) => r.Body["requestId"] = "abc"),
        ["onshare-no-timestamp"] = new("onshare", 400, 1002, GatewayRejection.MissingField, (r, _) => Remove(r.Body, "timestamp")),
        ["onshare-bad-timestamp"] = new("onshare", 400, 1005, GatewayRejection.InvalidTimestamp, (r, _) => r.Body["timestamp"] = "yesterday"),
        ["onshare-no-acknowledgement"] = new("onshare", 400, 1002, GatewayRejection.MissingField, (r, _) => Remove(r.Body, "acknowledgement")),
        ["onshare-acknowledgement-not-object"] = new("onshare", 400, 1003, GatewayRejection.InvalidFieldValue, (r, _) => r.Body["acknowledgement"] = "ok"),
        ["onshare-no-status"] = new("onshare", 400, 1002, GatewayRejection.MissingField, (r, _) => Remove(r.Body, "acknowledgement.status")),
        ["onshare-status-error"] = new("onshare", 400, 1004, GatewayRejection.InvalidEnumValue, (r, _) => r.Body["acknowledgement"]!["status"] = "ERROR"),
        ["onshare-no-healthId"] = new("onshare", 400, 1002, GatewayRejection.MissingField, (r, _) => Remove(r.Body, "acknowledgement.healthId")),
        ["onshare-error-not-object"] = new("onshare", 400, 1003, GatewayRejection.InvalidFieldValue, (r, _) => r.Body["error"] = "oops"),
        ["onshare-no-resp"] = new("onshare", 400, 1002, GatewayRejection.MissingField, (r, _) => Remove(r.Body, "resp")),
        ["onshare-no-resp-requestId"] = new("onshare", 400, 1002, GatewayRejection.MissingField, (r, _) => Remove(r.Body, "resp.requestId")),
        ["onshare-unknown-share"] = new("onshare", 400, 1008, GatewayRejection.UnknownShareRequest, (r, _) => r.Body["resp"]!["requestId"] = Guid.NewGuid().ToString()),
        ["onshare-healthId-mismatch"] = new("onshare", 400, 1010, GatewayRejection.HealthIdMismatch, (r, _) => r.Body["acknowledgement"]!["healthId"] = "someone.else@sbx"),
        ["onshare-cm-id-mismatch"] = new("onshare", 400, 1007, GatewayRejection.ConsentManagerIdMismatch, (r, _) => r.CmId = "abdm"),
        ["onshare-cm-id-with-at"] = new("onshare", 400, 1007, GatewayRejection.ConsentManagerIdMismatch, (r, _) => r.CmId = "@sbx"),
        ["onshare-v05-share-on-v10-path"] = new("onshare", 400, 1009, GatewayRejection.ShareVersionMismatch, (r, _) =>
        {
            r.Path = "v1.0/patients/profile/on-share";
            r.Body["acknowledgement"]!["tokenNumber"] = "5";
        }),
        ["onshare-v10-no-tokenNumber"] = new("onshare10", 400, 1011, GatewayRejection.MissingTokenNumber, (r, _) => Remove(r.Body, "acknowledgement.tokenNumber")),
        ["onshare-v10-null-tokenNumber"] = new("onshare10", 400, 1011, GatewayRejection.MissingTokenNumber, (r, _) => r.Body["acknowledgement"]!["tokenNumber"] = null),
        ["onshare-v10-empty-tokenNumber-success"] = new("onshare10", 400, 1011, GatewayRejection.MissingTokenNumber, (r, _) => r.Body["acknowledgement"]!["tokenNumber"] = ""),
        ["onshare-v10-share-on-v05-path"] = new("onshare10", 400, 1009, GatewayRejection.ShareVersionMismatch, (r, _) => r.Path = "v0.5/patients/profile/on-share"),

        // auth init
        ["init-no-authorization"] = new("init", 401, 900902, GatewayRejection.MissingCredentials, (r, _) => r.Authorization = ""),
        ["init-expired-or-foreign-token"] = new("init", 401, 900901, GatewayRejection.InvalidCredentials, (r, c) => r.Authorization = "Bearer " + c.CallbackToken),
        ["init-no-cm-id"] = new("init", 400, 1006, GatewayRejection.MissingConsentManagerId, (r, _) => r.CmId = null),
        ["init-malformed"] = new("init", 400, 1001, GatewayRejection.MalformedJson, (r, _) => r.Raw = "{'query': 1}"),
        ["init-no-requestId"] = new("init", 400, 1002, GatewayRejection.MissingField, (r, _) => Remove(r.Body, "requestId")),
        ["init-bad-timestamp"] = new("init", 400, 1005, GatewayRejection.InvalidTimestamp, (r, _) => r.Body["timestamp"] = 1652627807),
        ["init-no-query"] = new("init", 400, 1002, GatewayRejection.MissingField, (r, _) => Remove(r.Body, "query")),
        ["init-no-id"] = new("init", 400, 1002, GatewayRejection.MissingField, (r, _) => Remove(r.Body, "query.id")),
        ["init-purpose-kyc"] = new("init", 400, 1004, GatewayRejection.InvalidEnumValue, (r, _) => r.Body["query"]!["purpose"] = "KYC"),
        ["init-no-authMode"] = new("init", 400, 1002, GatewayRejection.MissingField, (r, _) => Remove(r.Body, "query.authMode")),
        ["init-authMode-otp"] = new("init", 400, 1004, GatewayRejection.InvalidEnumValue, (r, _) => r.Body["query"]!["authMode"] = "MOBILE_OTP"),
        ["init-no-requester"] = new("init", 400, 1002, GatewayRejection.MissingField, (r, _) => Remove(r.Body, "query.requester")),
        ["init-requester-hiu"] = new("init", 400, 1004, GatewayRejection.InvalidEnumValue, (r, _) => r.Body["query"]!["requester"]!["type"] = "HIU"),
        ["init-no-requester-id"] = new("init", 400, 1002, GatewayRejection.MissingField, (r, _) => Remove(r.Body, "query.requester.id")),
        ["init-requester-id-number"] = new("init", 400, 1003, GatewayRejection.InvalidFieldValue, (r, _) => r.Body["query"]!["requester"]!["id"] = 1010342452),
        ["init-unknown-hip"] = new("init", 400, 1012, GatewayRejection.UnknownRequester, (r, _) => r.Body["query"]!["requester"]!["id"] = "HIP-UNKNOWN"),
        ["init-cm-id-mismatch"] = new("init", 400, 1007, GatewayRejection.ConsentManagerIdMismatch, (r, _) => r.CmId = "abdm"),

        // auth confirm
        ["confirm-no-authorization"] = new("confirm", 401, 900902, GatewayRejection.MissingCredentials, (r, _) => r.Authorization = ""),
        ["confirm-no-cm-id"] = new("confirm", 400, 1006, GatewayRejection.MissingConsentManagerId, (r, _) => r.CmId = null),
        ["confirm-malformed"] = new("confirm", 400, 1001, GatewayRejection.MalformedJson, (r, _) => r.Raw = "not json"),
        ["confirm-no-transactionId"] = new("confirm", 400, 1002, GatewayRejection.MissingField, (r, _) => Remove(r.Body, "transactionId")),
        ["confirm-unknown-transaction"] = new("confirm", 400, 1013, GatewayRejection.UnknownTransaction, (r, _) => r.Body["transactionId"] = Guid.NewGuid().ToString()),
        ["confirm-no-credential"] = new("confirm", 400, 1002, GatewayRejection.MissingField, (r, _) => Remove(r.Body, "credential")),
        ["confirm-authCode-only"] = new("confirm", 400, 1002, GatewayRejection.MissingField, (r, _) => r.Body["credential"] = new JsonObject { ["authCode"] = "519316" }),
        ["confirm-no-name"] = new("confirm", 400, 1002, GatewayRejection.MissingField, (r, _) => Remove(r.Body, "credential.demographic.name")),
        ["confirm-no-gender"] = new("confirm", 400, 1002, GatewayRejection.MissingField, (r, _) => Remove(r.Body, "credential.demographic.gender")),
        ["confirm-gender-female-word"] = new("confirm", 400, 1004, GatewayRejection.InvalidEnumValue, (r, _) => r.Body["credential"]!["demographic"]!["gender"] = "FEMALE"),
        ["confirm-no-dateOfBirth"] = new("confirm", 400, 1002, GatewayRejection.MissingField, (r, _) => Remove(r.Body, "credential.demographic.dateOfBirth")),
        ["confirm-dateOfBirth-dd-mm-yyyy"] = new("confirm", 400, 1003, GatewayRejection.InvalidFieldValue, (r, _) => r.Body["credential"]!["demographic"]!["dateOfBirth"] = "27-02-1990"),
        ["confirm-dateOfBirth-impossible"] = new("confirm", 400, 1003, GatewayRejection.InvalidFieldValue, (r, _) => r.Body["credential"]!["demographic"]!["dateOfBirth"] = "1990-02-30"),
        ["confirm-identifier-aadhaar"] = new("confirm", 400, 1004, GatewayRejection.InvalidEnumValue, (r, _) => r.Body["credential"]!["demographic"]!["identifier"]!["type"] = "AADHAAR"),
        ["confirm-identifier-no-value"] = new("confirm", 400, 1002, GatewayRejection.MissingField, (r, _) => Remove(r.Body, "credential.demographic.identifier.value")),
        ["confirm-cm-id-mismatch"] = new("confirm", 400, 1007, GatewayRejection.ConsentManagerIdMismatch, (r, _) => r.CmId = "abdm"),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Post_BrokenRule_AnswersDocumentedErrorAndAcceptsNothing(string caseName)
    {
        var @case = Cases[caseName];
        await using var bed = await TestBed.StartAsync();
        var patient = SyntheticPatients.All[0];
        var (share05, call) = await bed.ScanAsync(0, WireVersion.V05);
        var (share10, _) = await bed.ScanAsync(1, WireVersion.V10);
        var context = new CaseContext(call.BearerToken);
        var request = @case.Operation switch
        {
            "onshare" => new RequestSpec("v0.5/patients/profile/on-share", TestBed.OnShareBody(share05)),
            "onshare10" => new RequestSpec("v1.0/patients/profile/on-share", TestBed.OnShareBody(share10)),
            "init" => new RequestSpec("v0.5/users/auth/init", TestBed.InitBody(patient.HealthId)),
            _ => new RequestSpec("v0.5/users/auth/confirm", TestBed.ConfirmBody(await bed.TransactionAsync(patient), patient)),
        };
        @case.Mutate(request, context);

        using var response = await bed.PostAsync(request.Path, request.Raw ?? request.Body.ToJsonString(), request.CmId, request.Authorization);

        Assert.Equal(@case.Status, (int)response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var code = (int)(body["error"]?["code"] ?? body["fault"]!["code"])!;
        Assert.Equal(@case.Code, code);
        Assert.False(string.IsNullOrEmpty((string?)(body["error"]?["message"] ?? body["fault"]!["message"])));
        var operation = @case.Operation switch
        {
            "onshare" or "onshare10" => GatewayOperation.OnShare,
            "init" => GatewayOperation.AuthInit,
            _ => GatewayOperation.AuthConfirm,
        };
        var entries = bed.Gateway.Journal.Of(operation);
        var entry = entries[^1];
        Assert.Equal(@case.Rule, entry.Rejection);
        Assert.Equal(@case.Code, entry.ErrorCode);
        Assert.False(entry.IsAccepted);
        Assert.False(share05.Acknowledgement.IsCompleted);
        Assert.False(share10.Acknowledgement.IsCompleted);
        Assert.DoesNotContain(bed.Gateway.Journal.Entries, e => e.IsAccepted && e.Operation == operation);
        Assert.Empty(bed.Gateway.Journal.Of(GatewayOperation.OnConfirm));
        if (operation == GatewayOperation.AuthInit)
        {
            Assert.Empty(bed.Gateway.Journal.Of(GatewayOperation.OnInit));
        }
    }

    [Fact]
    public async Task AuthConfirm_TransactionPastExpiry_Rejected1014()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var bed = await TestBed.StartAsync(o => { o.TimeProvider = time; o.AuthTransactionLifetime = TimeSpan.FromMinutes(10); });
        var patient = SyntheticPatients.All[0];
        var transactionId = await bed.TransactionAsync(patient);

        time.Advance(TimeSpan.FromMinutes(10));
        using var response = await bed.PostAsync("v0.5/users/auth/confirm", TestBed.ConfirmBody(transactionId, patient));

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal(1014, (int)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["code"]!);
        Assert.Empty(bed.Gateway.Journal.Of(GatewayOperation.OnConfirm));
    }

    [Fact]
    public async Task OnShare_OptionalNullsAndExtraFields_Accepted()
    {
        await using var bed = await TestBed.StartAsync();
        var (share, _) = await bed.ScanAsync(0, WireVersion.V10);
        var body = TestBed.OnShareBody(share);
        body["timestamp"] = "2022-05-15T15:16:48.277264";
        body["error"] = null;
        body["somethingNew"] = new JsonObject { ["x"] = 1 };

        using var response = await bed.PostAsync(TestBed.OnSharePath(share), body);

        Assert.Equal(202, (int)response.StatusCode);
        Assert.True((await share.Acknowledgement.WaitAsync(TestBed.Wait)).IsSuccess);
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

    private sealed record Case(string Operation, int Status, int Code, GatewayRejection Rule, Action<RequestSpec, CaseContext> Mutate);

    private sealed record CaseContext(string CallbackToken);

    private sealed class RequestSpec(string path, JsonObject body)
    {
        public string Path { get; set; } = path;

        public JsonObject Body { get; } = body;

        public string? Raw { get; set; }

        public string? CmId { get; set; } = "sbx";

        public string? Authorization { get; set; }
    }
}
