using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Abdm.ProfileShare.Model;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Abdm.ProfileShare.Testing.Tests;

/// <summary>The v3 share the simulator sends (the phone side) and the v3 on-share it accepts.</summary>
public sealed partial class V3ShareTests
{
    [Fact]
    public async Task ScanAsync_V3_SendsSandboxShapedShareWithV3Headers()
    {
        await using var bed = await TestBed.StartAsync();
        var patient = SyntheticPatients.All[0];

        var (share, call) = await bed.ScanV3Async(0, "OPD1");

        Assert.Equal("/hip/api/v3/hip/patient/share", call.Path);
        Assert.Equal(share.RequestId.ToString(), call.Headers["REQUEST-ID"]);
        Assert.Matches(MillisecondsZulu(), call.Headers["TIMESTAMP"]);
        Assert.Equal(TestBed.HipId, call.Headers["X-HIP-ID"]);
        Assert.StartsWith("Bearer ", call.Headers["Authorization"], StringComparison.Ordinal);
        Assert.StartsWith("application/json", call.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Equal(202, share.HipStatusCode);
        Assert.Equal(WireVersion.V3, share.Version);
        var body = call.Body;
        Assert.Equal(["intent", "metaData", "profile"], body.Select(p => p.Key));
        Assert.Equal("PROFILE_SHARE", body["intent"]!.GetValue<string>());
        var meta = body["metaData"]!.AsObject();
        Assert.Equal(["hipId", "context", "hprId", "latitude", "longitude"], meta.Select(p => p.Key));
        Assert.Equal(TestBed.HipId, (string?)meta["hipId"]);
        Assert.Equal("OPD1", (string?)meta["context"]);
        Assert.Null(meta["hprId"]);
        Assert.Equal("12.97", meta["latitude"]!.GetValue<string>());
        Assert.Equal("77.71", meta["longitude"]!.GetValue<string>());
        var p = body["profile"]!["patient"]!.AsObject();
        Assert.Equal(["abhaNumber", "abhaAddress", "name", "gender", "dayOfBirth", "monthOfBirth", "yearOfBirth", "address", "phoneNumber"], p.Select(x => x.Key));
        Assert.Equal("91-0000-0000-0001", (string?)p["abhaNumber"]);
        Assert.Equal(patient.HealthId, (string?)p["abhaAddress"]);
        Assert.Equal(patient.Name, (string?)p["name"]);
        Assert.Equal("F", (string?)p["gender"]);
        Assert.Equal("27", p["dayOfBirth"]!.GetValue<string>());
        Assert.Equal("2", p["monthOfBirth"]!.GetValue<string>());
        Assert.Equal("1990", p["yearOfBirth"]!.GetValue<string>());
        Assert.Equal(["line", "district", "state", "pincode"], p["address"]!.AsObject().Select(x => x.Key));
        Assert.Equal("560001", (string?)p["address"]!["pincode"]);
        Assert.Equal("+91-9000000001", (string?)p["phoneNumber"]);
        var entry = Assert.Single(bed.Gateway.Journal.Of(GatewayOperation.Share));
        Assert.Equal(share.RequestId, entry.RequestId);
        Assert.Equal(share.RequestId.ToString(), entry.Headers["REQUEST-ID"]);
        Assert.Equal("[redacted]", entry.Headers["Authorization"]);
    }

    [Fact]
    public async Task ScanAsync_V3PatientWithoutAbhaNumberAddressOrMobile_SendsNulls()
    {
        await using var bed = await TestBed.StartAsync();

        var (_, call) = await bed.ScanV3Async(5);
        var (_, yearOnly) = await bed.ScanV3Async(2);

        var p = call.Body["profile"]!["patient"]!.AsObject();
        Assert.True(p.ContainsKey("abhaNumber"));
        Assert.Null(p["abhaNumber"]);
        Assert.True(p.ContainsKey("phoneNumber"));
        Assert.Null(p["phoneNumber"]);
        Assert.All(p["address"]!.AsObject(), field => Assert.Null(field.Value));
        Assert.Equal("1995", p["yearOfBirth"]!.GetValue<string>());
        var q = yearOnly.Body["profile"]!["patient"]!.AsObject();
        Assert.Null(q["dayOfBirth"]);
        Assert.Null(q["monthOfBirth"]);
        Assert.Null(q["abhaNumber"]);
        Assert.Equal("1972", q["yearOfBirth"]!.GetValue<string>());
    }

    [Fact]
    public async Task ScanAsync_V3CallbackToken_VerifiesWithV3JwksNotV05()
    {
        await using var bed = await TestBed.StartAsync();

        var (_, call) = await bed.ScanV3Async();

        var token = new JsonWebToken(call.BearerToken);
        Assert.Equal("RS256", token.Alg);
        Assert.Equal(bed.Gateway.SigningKeyIdFor(WireVersion.V3), token.Kid);
        Assert.Contains(token.Kid, (await bed.V3JwksAsync()).Keys.Select(k => k.Kid));
        Assert.DoesNotContain(token.Kid, (await bed.JwksAsync()).Keys.Select(k => k.Kid));
        var v3 = await bed.ValidateV3CallbackTokenAsync(call.BearerToken);
        Assert.True(v3.IsValid, v3.Exception?.Message);
        Assert.False((await bed.ValidateCallbackTokenAsync(call.BearerToken)).IsValid);
    }

    [Fact]
    public async Task OnShareV3_Success_Answers202AndPhoneShowsTokenAndExpiry()
    {
        await using var bed = await TestBed.StartAsync();
        bed.Hip.StatusCode = 200;
        var (share, _) = await bed.ScanV3Async(0, "OPD1");
        var request = TestBed.OnShareV3(TestBed.OnShareV3Body(share, "12", JsonValue.Create(1799.5)));

        using var response = await bed.SendV3Async(request);
        var phone = await share.Acknowledgement.WaitAsync(TestBed.Wait);

        Assert.Equal(200, share.HipStatusCode);
        Assert.Equal(202, (int)response.StatusCode);
        Assert.Equal(0, response.Content.Headers.ContentLength);
        Assert.True(phone.IsSuccess);
        Assert.Equal("12", phone.TokenNumber);
        Assert.Equal(1799.5, phone.Expiry);
        Assert.Null(phone.ErrorCodeText);
        Assert.Equal(Guid.Parse(request.RequestId!), phone.OnShareRequestId);
        var entry = await bed.Gateway.Journal.WaitForOnShareAsync(share.RequestId, TestBed.Wait);
        Assert.Equal(Guid.Parse(request.RequestId!), entry.RequestId);
        Assert.Equal(share.HealthId, entry.HealthId);
        Assert.Equal(TestBed.HipId, entry.HipId);
        Assert.Equal(1799.5, entry.Body!.Value.GetProperty("acknowledgement").GetProperty("profile").GetProperty("expiry").GetDouble());
    }

    [Theory]
    [InlineData(true, "ABDM-9999")]
    [InlineData(false, "ABDM-1149")]
    [InlineData(true, "500")]
    public async Task OnShareV3_Failed_PhoneShowsErrorCodeAndMessage(bool withAcknowledgement, string code)
    {
        await using var bed = await TestBed.StartAsync();
        var (share, _) = await bed.ScanV3Async(3);

        using var response = await bed.SendV3Async(TestBed.OnShareV3(TestBed.OnShareV3FailedBody(share, withAcknowledgement, code)));
        var phone = await share.Acknowledgement.WaitAsync(TestBed.Wait);

        Assert.Equal(202, (int)response.StatusCode);
        Assert.Equal(PhoneAcknowledgementStatus.Failure, phone.Status);
        Assert.Equal(code, phone.ErrorCodeText);
        Assert.Null(phone.ErrorCode);
        Assert.Equal("Counter closed", phone.ErrorMessage);
        Assert.Null(phone.Expiry);
    }

    [Fact]
    public async Task OnShareV3_AbhaAddressOtherCaseAndExtraFields_Accepted()
    {
        await using var bed = await TestBed.StartAsync();
        var (share, _) = await bed.ScanV3Async(0);
        var body = TestBed.OnShareV3Body(share);
        body["acknowledgement"]!["abhaAddress"] = share.HealthId.ToUpperInvariant();
        body["somethingNew"] = new JsonObject { ["x"] = 1 };

        using var response = await bed.SendV3Async(TestBed.OnShareV3(body));

        Assert.Equal(202, (int)response.StatusCode);
        Assert.True((await share.Acknowledgement.WaitAsync(TestBed.Wait)).IsSuccess);
    }

    [Fact]
    public async Task OnShareV05_AnswersV3Share_RefusedAsVersionMismatch()
    {
        await using var bed = await TestBed.StartAsync();
        var (share, _) = await bed.ScanV3Async(0);
        var body = new JsonObject
        {
            ["requestId"] = Guid.NewGuid().ToString(),
            ["timestamp"] = TestBed.Now(),
            ["acknowledgement"] = new JsonObject { ["status"] = "SUCCESS", ["healthId"] = share.HealthId },
            ["resp"] = new JsonObject { ["requestId"] = share.RequestId.ToString() },
        };

        using var response = await bed.PostAsync("v0.5/patients/profile/on-share", body);

        Assert.Equal(400, (int)response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal(1009, (int)error["code"]!);
        Assert.Contains("v3", (string?)error["message"], StringComparison.Ordinal);
        Assert.False(share.Acknowledgement.IsCompleted);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")]
    private static partial Regex MillisecondsZulu();
}
