using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Abdm.ProfileShare.Model;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Abdm.ProfileShare.Testing.Tests;

public sealed partial class ShareTests
{
    [Fact]
    public async Task ScanAsync_V05_SendsSeedShapedShareWithGatewayHeaders()
    {
        await using var bed = await TestBed.StartAsync();
        var patient = SyntheticPatients.All[0];

        var (share, call) = await bed.ScanAsync(0, WireVersion.V05, "counter-7");

        Assert.Equal("/hip/v0.5/patients/profile/share", call.Path);
        Assert.Equal(TestBed.HipId, call.Headers["X-HIP-ID"]);
        Assert.StartsWith("Bearer ", call.Headers["Authorization"], StringComparison.Ordinal);
        Assert.StartsWith("application/json", call.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Equal(202, share.HipStatusCode);
        var body = call.Body;
        Assert.Equal(["requestId", "timestamp", "profile"], body.Select(p => p.Key));
        Assert.Equal(share.RequestId.ToString(), (string?)body["requestId"]);
        Assert.Matches(MillisecondsZulu(), (string)body["timestamp"]!);
        Assert.Equal("counter-7", (string?)body["profile"]!["hipCode"]);
        var p = body["profile"]!["patient"]!;
        Assert.Equal(patient.HealthId, (string?)p["healthId"]);
        Assert.Equal(patient.AbhaNumber, (string?)p["healthIdNumber"]);
        Assert.Equal(patient.Name, (string?)p["name"]);
        Assert.Equal("F", (string?)p["gender"]);
        Assert.Equal(1990, (int)p["yearOfBirth"]!);
        Assert.Equal(2, (int)p["monthOfBirth"]!);
        Assert.Equal(27, (int)p["dayOfBirth"]!);
        Assert.Equal("560001", (string?)p["address"]!["pincode"]);
        var identifier = Assert.Single(p["identifiers"]!.AsArray())!;
        Assert.Equal("MOBILE", (string?)identifier["type"]);
        Assert.Equal(patient.Mobile, (string?)identifier["value"]);
    }

    [Fact]
    public async Task ScanAsync_V10_AddsIntentAndLocationAsStrings()
    {
        await using var bed = await TestBed.StartAsync();

        var (share, call) = await bed.ScanAsync(2, WireVersion.V10);

        Assert.Equal("/hip/v1.0/patients/profile/share", call.Path);
        var body = call.Body;
        Assert.Equal(["requestId", "timestamp", "intent", "location", "profile"], body.Select(p => p.Key));
        Assert.Equal("PROFILE_SHARE", (string?)body["intent"]!["type"]);
        Assert.Equal("12.9716", body["location"]!["latitude"]!.GetValue<string>());
        Assert.Equal("77.5946", body["location"]!["longitude"]!.GetValue<string>());
        var p = body["profile"]!["patient"]!.AsObject();
        Assert.True(p.ContainsKey("healthIdNumber"));
        Assert.Null(p["healthIdNumber"]);
        Assert.Null(p["dayOfBirth"]);
        Assert.Null(p["monthOfBirth"]);
        Assert.Null(p["address"]!["pincode"]);
        Assert.Equal(WireVersion.V10, share.Version);
    }

    [Fact]
    public async Task ScanAsync_CallbackToken_VerifiesWithPublishedJwksAndAudienceAccount()
    {
        await using var bed = await TestBed.StartAsync();

        var (_, call) = await bed.ScanAsync();

        var result = await bed.ValidateCallbackTokenAsync(call.BearerToken);
        Assert.True(result.IsValid, result.Exception?.Message);
        var token = new JsonWebToken(call.BearerToken);
        Assert.Equal("RS256", token.Alg);
        Assert.Equal(bed.Gateway.SigningKeyId, token.Kid);
        Assert.Equal(["account"], token.Audiences);
        Assert.EndsWith("/auth/realms/central-registry", token.Issuer, StringComparison.Ordinal);
        Assert.True(token.ValidTo > token.IssuedAt);
    }

    [Fact]
    public async Task ScanAsync_TwoShares_ReuseOneCallbackToken()
    {
        await using var bed = await TestBed.StartAsync();

        var (_, first) = await bed.ScanAsync(0);
        var (_, second) = await bed.ScanAsync(1);

        Assert.Equal(first.BearerToken, second.BearerToken);
    }

    [Fact]
    public async Task ScanAsync_UnregisteredHip_Throws()
    {
        await using var bed = await TestBed.StartAsync();

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => bed.Gateway.ScanAsync(new SimulatedScan("HIP-UNKNOWN", "c", SyntheticPatients.All[0])));

        Assert.Contains("RegisterHip", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScanAsync_HipAnswers500_RecordsStatusAndJournal()
    {
        await using var bed = await TestBed.StartAsync();
        bed.Hip.StatusCode = 500;

        var share = await bed.Gateway.ScanAsync(new SimulatedScan(TestBed.HipId, "c", SyntheticPatients.All[0]));

        Assert.Equal(500, share.HipStatusCode);
        var entry = Assert.Single(bed.Gateway.Journal.Of(GatewayOperation.Share));
        Assert.Equal(JournalDirection.Sent, entry.Direction);
        Assert.Equal(500, entry.StatusCode);
        Assert.False(entry.IsDelivered);
        Assert.Equal("[redacted]", entry.Headers["Authorization"]);
    }

    [Fact]
    public async Task ScanAsync_HipUnreachable_ReportsDeliveryError()
    {
        await using var bed = await TestBed.StartAsync();
        var hip = await FakeHip.StartAsync();
        var url = hip.BaseUrl;
        await hip.DisposeAsync();
        bed.Gateway.RegisterHip("HIP-GONE", url);

        var share = await bed.Gateway.ScanAsync(new SimulatedScan("HIP-GONE", "c", SyntheticPatients.All[0]));

        Assert.Null(share.HipStatusCode);
        Assert.Contains("could not be reached", share.DeliveryError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(WireVersion.V05)]
    [InlineData(WireVersion.V10)]
    public async Task OnShare_Success_CompletesAcknowledgementWithWhatThePhoneShows(WireVersion version)
    {
        await using var bed = await TestBed.StartAsync();
        var (share, _) = await bed.ScanAsync(0, version);

        using var response = await bed.PostAsync(TestBed.OnSharePath(share), TestBed.OnShareBody(share, tokenNumber: "42"));
        var phone = await share.Acknowledgement.WaitAsync(TestBed.Wait);

        Assert.Equal(202, (int)response.StatusCode);
        Assert.Equal(0, response.Content.Headers.ContentLength);
        Assert.True(phone.IsSuccess);
        Assert.Equal(version == WireVersion.V10 ? "42" : null, phone.TokenNumber);
        var entry = await bed.Gateway.Journal.WaitForOnShareAsync(share.RequestId, TestBed.Wait);
        Assert.True(entry.IsAccepted);
        Assert.Equal(share.HealthId, entry.HealthId);
        Assert.Equal(phone.OnShareRequestId, entry.RequestId);
    }

    [Fact]
    public async Task OnShare_Failure_PhoneShowsErrorMessage()
    {
        await using var bed = await TestBed.StartAsync();
        var (share, _) = await bed.ScanAsync(3, WireVersion.V10);

        using var response = await bed.PostAsync(TestBed.OnSharePath(share), TestBed.OnShareBody(share, "FAILURE", tokenNumber: ""));
        var phone = await share.Acknowledgement.WaitAsync(TestBed.Wait);

        Assert.Equal(202, (int)response.StatusCode);
        Assert.Equal(PhoneAcknowledgementStatus.Failure, phone.Status);
        Assert.Equal(1000, phone.ErrorCode);
        Assert.Equal("Counter closed", phone.ErrorMessage);
    }

    [Fact]
    public async Task OnShare_SecondValidOnShare_AcceptedButPhoneKeepsFirst()
    {
        await using var bed = await TestBed.StartAsync();
        var (share, _) = await bed.ScanAsync(0, WireVersion.V10);

        using var first = await bed.PostAsync(TestBed.OnSharePath(share), TestBed.OnShareBody(share, tokenNumber: "1"));
        using var second = await bed.PostAsync(TestBed.OnSharePath(share), TestBed.OnShareBody(share, tokenNumber: "2"));

        Assert.Equal(202, (int)second.StatusCode);
        Assert.Equal("1", (await share.Acknowledgement.WaitAsync(TestBed.Wait)).TokenNumber);
        Assert.Equal(2, bed.Gateway.Journal.Of(GatewayOperation.OnShare).Count(e => e.IsAccepted));
    }

    [Fact]
    public async Task ScanAsync_CallerPatient_IsSentAndHeldForAuth()
    {
        await using var bed = await TestBed.StartAsync();
        var patient = new SharedPatientProfile { HealthId = "custom.patient@sbx", Name = "Custom Testpatient", Gender = Gender.Male, YearOfBirth = 2000 };

        var share = await bed.Gateway.ScanAsync(new SimulatedScan(TestBed.HipId, "c", patient));
        var call = await bed.Hip.WaitForAsync("/patients/profile/share", TestBed.Wait);
        var onInit = await bed.InitAsync(patient);

        Assert.Equal("custom.patient@sbx", (string?)call.Body["profile"]!["patient"]!["healthId"]);
        Assert.Null(call.Body["profile"]!["patient"]!["identifiers"]);
        Assert.Equal(202, share.HipStatusCode);
        Assert.NotNull(onInit.Body["auth"]);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")]
    private static partial Regex MillisecondsZulu();
}
