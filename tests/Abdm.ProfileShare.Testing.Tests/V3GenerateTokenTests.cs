using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Abdm.ProfileShare.Model;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Abdm.ProfileShare.Testing.Tests;

/// <summary>v3 generate-token and the on-generate-token callback.</summary>
public sealed partial class V3GenerateTokenTests
{
    private const string CallbackPath = "/api/v3/hip/token/on-generate-token";

    [Fact]
    public async Task GenerateToken_DemographicsMatch_Answers202ThenSendsV3SignedLinkToken()
    {
        await using var bed = await TestBed.StartAsync();
        bed.Hip.StatusCode = 200;
        var patient = SyntheticPatients.All[1];
        var request = TestBed.GenerateToken(TestBed.GenerateTokenBody(patient));

        using var response = await bed.SendV3Async(request);
        var call = await bed.Hip.WaitForAsync(CallbackPath, TestBed.Wait);

        Assert.Equal(202, (int)response.StatusCode);
        Assert.Equal(0, response.Content.Headers.ContentLength);
        Assert.Equal("/hip" + CallbackPath, call.Path);
        Assert.True(Guid.TryParseExact(call.Headers["REQUEST-ID"], "D", out var callbackRequestId));
        Assert.NotEqual(request.RequestId, callbackRequestId.ToString());
        Assert.Matches(MillisecondsZulu(), call.Headers["TIMESTAMP"]);
        Assert.Equal(TestBed.HipId, call.Headers["X-HIP-ID"]);
        var jwt = new JsonWebToken(call.BearerToken);
        Assert.Equal(bed.Gateway.SigningKeyIdFor(WireVersion.V3), jwt.Kid);
        Assert.DoesNotContain(jwt.Kid, (await bed.JwksAsync()).Keys.Select(k => k.Kid));
        var validation = await bed.ValidateV3CallbackTokenAsync(call.BearerToken);
        Assert.True(validation.IsValid, validation.Exception?.Message);
        Assert.Equal(["abhaAddress", "linkToken", "response"], call.Body.Select(p => p.Key));
        Assert.Equal(patient.HealthId, (string?)call.Body["abhaAddress"]);
        Assert.Equal(request.RequestId, (string?)call.Body["response"]!["requestId"]);
        var linkToken = new JsonWebToken((string)call.Body["linkToken"]!);
        Assert.Equal(TimeSpan.FromDays(182.5), linkToken.ValidTo - linkToken.IssuedAt);
        Assert.Equal(patient.HealthId, linkToken.Subject);
        Assert.Equal(TestBed.HipId, linkToken.GetClaim("hipId").Value);
        Assert.Equal((string)call.Body["linkToken"]!, await bed.Gateway.Journal.WaitForLinkTokenIssuedAsync(patient.HealthId.ToUpperInvariant(), TestBed.Wait));
        var sent = Assert.Single(bed.Gateway.Journal.Of(GatewayOperation.OnGenerateToken));
        Assert.Equal(200, sent.StatusCode);
        Assert.Equal(callbackRequestId, sent.RequestId);
        Assert.Equal(Guid.Parse(request.RequestId!), sent.RespRequestId);
        var received = Assert.Single(bed.Gateway.Journal.Of(GatewayOperation.GenerateToken));
        Assert.True(received.IsAccepted);
        Assert.Equal(Guid.Parse(request.RequestId!), received.RequestId);
    }

    [Theory]
    [InlineData("name-other-case-and-spaces")]
    [InlineData("no-abhaNumber")]
    [InlineData("null-abhaNumber")]
    [InlineData("patient-without-abhaNumber")]
    [InlineData("abhaAddress-other-case")]
    public async Task GenerateToken_MatchingVariants_IssueLinkToken(string variant)
    {
        await using var bed = await TestBed.StartAsync();
        var patient = SyntheticPatients.All[variant == "patient-without-abhaNumber" ? 2 : 0];
        var body = TestBed.GenerateTokenBody(patient);
        switch (variant)
        {
            case "name-other-case-and-spaces": body["name"] = "  " + patient.Name.ToUpperInvariant() + " "; break;
            case "no-abhaNumber": body.Remove("abhaNumber"); break;
            case "null-abhaNumber": body["abhaNumber"] = null; break;
            case "abhaAddress-other-case": body["abhaAddress"] = patient.HealthId.Split('@')[0].ToUpperInvariant() + "@sbx"; break;
        }

        using var response = await bed.SendV3Async(TestBed.GenerateToken(body));
        var call = await bed.Hip.WaitForAsync(CallbackPath, TestBed.Wait);

        Assert.Equal(202, (int)response.StatusCode);
        Assert.False(string.IsNullOrEmpty((string?)call.Body["linkToken"]));
        Assert.Null(call.Body["error"]);
    }

    [Theory]
    [InlineData("wrong-name")]
    [InlineData("wrong-gender")]
    [InlineData("gender-T")]
    [InlineData("wrong-year")]
    [InlineData("wrong-abhaNumber")]
    [InlineData("abhaNumber-for-patient-without-one")]
    [InlineData("unknown-abhaAddress")]
    public async Task GenerateToken_DemographicsDoNotMatch_SendsError1051(string variant)
    {
        await using var bed = await TestBed.StartAsync();
        var patient = SyntheticPatients.All[0];
        var body = TestBed.GenerateTokenBody(patient);
        switch (variant)
        {
            case "wrong-name": body["name"] = "Someone Else"; break;
            case "wrong-gender": body["gender"] = "M"; break;
            case "gender-T": body["gender"] = "T"; break;
            case "wrong-year": body["yearOfBirth"] = 1991; break;
            case "wrong-abhaNumber": body["abhaNumber"] = 91000000009999L; break;
            case "abhaNumber-for-patient-without-one":
                body = TestBed.GenerateTokenBody(SyntheticPatients.All[2]);
                body["abhaNumber"] = 91000000000003L;
                break;
            default: body["abhaAddress"] = "nobody.known@sbx"; break;
        }

        var request = TestBed.GenerateToken(body);
        using var response = await bed.SendV3Async(request);
        var call = await bed.Hip.WaitForAsync(CallbackPath, TestBed.Wait);

        Assert.Equal(202, (int)response.StatusCode);
        Assert.Equal(["error", "response"], call.Body.Select(p => p.Key));
        Assert.Equal("ABDM-1051", (string?)call.Body["error"]!["code"]);
        Assert.Equal("Invalid ABHA Number or ABHA Address", (string?)call.Body["error"]!["message"]);
        Assert.Equal(request.RequestId, (string?)call.Body["response"]!["requestId"]);
        Assert.True((await bed.ValidateV3CallbackTokenAsync(call.BearerToken)).IsValid);
    }

    [Theory]
    [InlineData("no-authorization", 401, "900902", GatewayRejection.MissingCredentials)]
    [InlineData("no-request-id", 400, "ABDM-2404", GatewayRejection.InvalidRequestIdHeader)]
    [InlineData("no-timestamp", 400, "ABDM-2402", GatewayRejection.InvalidTimestampHeader)]
    [InlineData("no-cm-id", 400, "ABDM-2403", GatewayRejection.MissingConsentManagerId)]
    [InlineData("cm-id-mismatch", 400, "ABDM-2403", GatewayRejection.ConsentManagerIdMismatch)]
    [InlineData("no-hip-id", 400, "ABDM-1035", GatewayRejection.UnknownRequester)]
    [InlineData("unknown-hip-id", 400, "ABDM-1035", GatewayRejection.UnknownRequester)]
    [InlineData("abhaNumber-string", 400, "ABDM-1006", GatewayRejection.InvalidFieldValue)]
    [InlineData("abhaNumber-dashed", 400, "ABDM-1006", GatewayRejection.InvalidFieldValue)]
    [InlineData("abhaNumber-13-digits", 400, "ABDM-1006", GatewayRejection.InvalidFieldValue)]
    [InlineData("no-abhaAddress", 400, "ABDM-1006", GatewayRejection.MissingField)]
    [InlineData("abhaAddress-bad", 400, "ABDM-1006", GatewayRejection.InvalidFieldValue)]
    [InlineData("no-name", 400, "ABDM-1006", GatewayRejection.MissingField)]
    [InlineData("gender-word", 400, "ABDM-1006", GatewayRejection.InvalidEnumValue)]
    [InlineData("yearOfBirth-string", 400, "ABDM-1006", GatewayRejection.InvalidFieldValue)]
    [InlineData("yearOfBirth-1800", 400, "ABDM-1006", GatewayRejection.InvalidFieldValue)]
    [InlineData("no-yearOfBirth", 400, "ABDM-1006", GatewayRejection.MissingField)]
    public async Task GenerateToken_BrokenRule_AnswersDocumentedErrorAndSendsNoCallback(string caseName, int status, string code, GatewayRejection rule)
    {
        // With the bridge service-id rule on (the default), an unknown X-HIP-ID is accepted and dropped (V3SandboxRuleTests).
        await using var bed = await TestBed.StartAsync(o => o.EnforceBridgeServiceIds = caseName != "unknown-hip-id");
        var request = TestBed.GenerateToken(TestBed.GenerateTokenBody(SyntheticPatients.All[0]));
        var body = request.Body!;
        switch (caseName)
        {
            case "no-authorization": request.Authorization = ""; break;
            case "no-request-id": request.RequestId = null; break;
            case "no-timestamp": request.Timestamp = null; break;
            case "no-cm-id": request.CmId = null; break;
            case "cm-id-mismatch": request.CmId = "abdm"; break;
            case "no-hip-id": request.HipId = null; break;
            case "unknown-hip-id": request.HipId = "HIP-UNKNOWN"; break;
            case "abhaNumber-string": body["abhaNumber"] = "91000000000001"; break;
            case "abhaNumber-dashed": body["abhaNumber"] = "91-0000-0000-0001"; break;
            case "abhaNumber-13-digits": body["abhaNumber"] = 1000000000001L; break;
            case "no-abhaAddress": body.Remove("abhaAddress"); break;
            case "abhaAddress-bad": body["abhaAddress"] = "not-an-address"; break;
            case "no-name": body.Remove("name"); break;
            case "gender-word": body["gender"] = "FEMALE"; break;
            case "yearOfBirth-string": body["yearOfBirth"] = "1990"; break;
            case "yearOfBirth-1800": body["yearOfBirth"] = 1800; break;
            default: body.Remove("yearOfBirth"); break;
        }

        using var response = await bed.SendV3Async(request);

        Assert.Equal(status, (int)response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var error = status == 401 ? answer : answer["error"]!;
        Assert.Equal(code, error["code"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty((string?)error["message"]));
        var entry = Assert.Single(bed.Gateway.Journal.Of(GatewayOperation.GenerateToken));
        Assert.Equal(rule, entry.Rejection);
        Assert.Equal(code, entry.WireErrorCode);
        Assert.Empty(bed.Gateway.Journal.Of(GatewayOperation.OnGenerateToken));
        Assert.Empty(bed.Hip.CallsTo(CallbackPath));
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")]
    private static partial Regex MillisecondsZulu();
}
