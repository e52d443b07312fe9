using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Abdm.ProfileShare.Model;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Abdm.ProfileShare.Testing.Tests;

public sealed partial class AuthTests
{
    [Fact]
    public async Task AuthInit_Valid_Returns202ThenOnInitWithTransactionInRealGatewayShape()
    {
        await using var bed = await TestBed.StartAsync();
        var patient = SyntheticPatients.All[0];
        var init = TestBed.InitBody(patient.HealthId);

        using var response = await bed.PostAsync("v0.5/users/auth/init", init);
        var onInit = await bed.Hip.WaitForAsync("/users/auth/on-init", TestBed.Wait);

        Assert.Equal(202, (int)response.StatusCode);
        Assert.Equal("/hip/v0.5/users/auth/on-init", onInit.Path);
        Assert.Equal(TestBed.HipId, onInit.Headers["X-HIP-ID"]);
        Assert.False(onInit.Headers.ContainsKey("X-HIU-ID"));
        Assert.True((await bed.ValidateCallbackTokenAsync(onInit.BearerToken)).IsValid);
        var body = onInit.Body;
        Assert.Equal(["requestId", "timestamp", "auth", "error", "resp"], body.Select(p => p.Key));
        Assert.Matches(Microseconds(), (string)body["timestamp"]!);
        Assert.True(Guid.TryParse((string?)body["auth"]!["transactionId"], out _));
        Assert.Equal("DEMOGRAPHICS", (string?)body["auth"]!["mode"]);
        Assert.True(body["auth"]!["meta"]!.AsObject().ContainsKey("hint"));
        Assert.Null(body["auth"]!["meta"]!["hint"]);
        Assert.Matches(Microseconds(), (string)body["auth"]!["meta"]!["expiry"]!);
        Assert.Contains("\"error\":null", onInit.Text, StringComparison.Ordinal);
        Assert.Equal((string?)init["requestId"], (string?)body["resp"]!["requestId"]);
        var sent = await bed.Gateway.Journal.WaitForOnInitSentAsync(patient.HealthId, TestBed.Wait);
        var received = await bed.Gateway.Journal.WaitForAuthInitAsync(patient.HealthId, TestBed.Wait);
        Assert.True(received.Sequence < sent.Sequence);
    }

    [Fact]
    public async Task AuthConfirm_MatchingDemographics_SendsRs512LinkingTokenWithClaims()
    {
        await using var bed = await TestBed.StartAsync();
        var patient = SyntheticPatients.All[0];
        var transactionId = await bed.TransactionAsync(patient);
        var confirm = TestBed.ConfirmBody(transactionId, patient);

        using var response = await bed.PostAsync("v0.5/users/auth/confirm", confirm);
        var onConfirm = await bed.Hip.WaitForAsync("/users/auth/on-confirm", TestBed.Wait);
        var issued = await bed.Gateway.Journal.WaitForLinkingTokenIssuedAsync(patient.HealthId, TestBed.Wait);

        Assert.Equal(202, (int)response.StatusCode);
        Assert.Equal(TestBed.HipId, onConfirm.Headers["X-HIP-ID"]);
        var body = onConfirm.Body;
        Assert.Equal((string?)confirm["requestId"], (string?)body["resp"]!["requestId"]);
        Assert.Contains("\"error\":null", onConfirm.Text, StringComparison.Ordinal);
        Assert.Null(body["auth"]!["patient"]);
        var linkingToken = (string)body["auth"]!["accessToken"]!;
        Assert.Equal(linkingToken, issued);
        var token = new JsonWebToken(linkingToken);
        Assert.Equal("RS512", token.Alg);
        Assert.Equal(patient.HealthId, token.Subject);
        Assert.Equal("HIP", token.GetClaim("requesterType").Value);
        Assert.Equal(TestBed.HipId, token.GetClaim("requesterId").Value);
        Assert.Equal(patient.HealthId, token.GetClaim("patientId").Value);
        Assert.True(Guid.TryParse(token.GetClaim("sessionId").Value, out _));
        Assert.Equal(TimeSpan.FromHours(24), token.ValidTo - token.IssuedAt);
        var engine = bed.Gateway.Engine.Tokens;
        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(linkingToken, new TokenValidationParameters
        {
            IssuerSigningKey = engine.LinkingTokenKey,
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidAlgorithms = ["RS512"],
        });
        Assert.True(validation.IsValid, validation.Exception?.Message);
    }

    [Fact]
    public async Task AuthConfirm_YearOnlyPatientWithJanuaryFirst_IssuesToken()
    {
        await using var bed = await TestBed.StartAsync();
        var patient = SyntheticPatients.All.First(p => p.MonthOfBirth is null && p.Mobile is not null);
        var transactionId = await bed.TransactionAsync(patient);
        var confirm = TestBed.ConfirmBody(transactionId, patient);

        using var response = await bed.PostAsync("v0.5/users/auth/confirm", confirm);
        var token = await bed.Gateway.Journal.WaitForLinkingTokenIssuedAsync(patient.HealthId, TestBed.Wait);

        Assert.Equal($"{patient.YearOfBirth}-01-01", (string?)confirm["credential"]!["demographic"]!["dateOfBirth"]);
        Assert.Equal(202, (int)response.StatusCode);
        Assert.NotEmpty(token);
    }

    [Fact]
    public async Task AuthConfirm_WithoutMobile_IssuesToken()
    {
        await using var bed = await TestBed.StartAsync();
        var patient = SyntheticPatients.All[1];
        var transactionId = await bed.TransactionAsync(patient);

        using var response = await bed.PostAsync("v0.5/users/auth/confirm", TestBed.ConfirmBody(transactionId, patient, withMobile: false));

        Assert.Equal(202, (int)response.StatusCode);
        Assert.NotEmpty(await bed.Gateway.Journal.WaitForLinkingTokenIssuedAsync(patient.HealthId, TestBed.Wait));
    }

    [Theory]
    [InlineData("name")]
    [InlineData("gender")]
    [InlineData("dateOfBirth")]
    [InlineData("mobile")]
    [InlineData("nameCase")]
    public async Task AuthConfirm_DemographicMismatch_OnConfirmWithError1441AndNoToken(string field)
    {
        await using var bed = await TestBed.StartAsync();
        var patient = SyntheticPatients.All[0];
        var transactionId = await bed.TransactionAsync(patient);
        var confirm = TestBed.ConfirmBody(transactionId, patient);
        var demographic = confirm["credential"]!["demographic"]!;
        switch (field)
        {
            case "name": demographic["name"] = "Someone Else"; break;
            case "nameCase": demographic["name"] = patient.Name.ToUpperInvariant(); break;
            case "gender": demographic["gender"] = "M"; break;
            case "dateOfBirth": demographic["dateOfBirth"] = "1990-02-28"; break;
            case "mobile": demographic["identifier"]!["value"] = "+91-9000000099"; break;
        }

        using var response = await bed.PostAsync("v0.5/users/auth/confirm", confirm);
        var onConfirm = await bed.Hip.WaitForAsync("/users/auth/on-confirm", TestBed.Wait);

        Assert.Equal(202, (int)response.StatusCode);
        Assert.Null(onConfirm.Body["auth"]);
        Assert.True(onConfirm.Body.ContainsKey("auth"));
        Assert.Equal(1441, (int)onConfirm.Body["error"]!["code"]!);
        Assert.Equal("Invalid auth confirm request.", (string?)onConfirm.Body["error"]!["message"]);
        Assert.Equal((string?)confirm["requestId"], (string?)onConfirm.Body["resp"]!["requestId"]);
    }

    [Fact]
    public async Task AuthInit_UnknownPhrAddress_OnInitCarriesErrorAndNoTransaction()
    {
        await using var bed = await TestBed.StartAsync();

        using var response = await bed.PostAsync("v0.5/users/auth/init", TestBed.InitBody("nobody.known@sbx"));
        var onInit = await bed.Hip.WaitForAsync("/users/auth/on-init", TestBed.Wait);

        Assert.Equal(202, (int)response.StatusCode);
        Assert.Null(onInit.Body["auth"]);
        Assert.Equal(1440, (int)onInit.Body["error"]!["code"]!);
    }

    [Fact]
    public async Task FullFlow_ScanOnShareInitConfirm_LinkingTokenForThatPatient()
    {
        await using var bed = await TestBed.StartAsync();
        var (share, _) = await bed.ScanAsync(4, WireVersion.V10);
        var patient = SyntheticPatients.All[4];

        using var onShare = await bed.PostAsync(TestBed.OnSharePath(share), TestBed.OnShareBody(share, tokenNumber: "12"));
        var phone = await share.Acknowledgement.WaitAsync(TestBed.Wait);
        var transactionId = await bed.TransactionAsync(patient);
        using var confirm = await bed.PostAsync("v0.5/users/auth/confirm", TestBed.ConfirmBody(transactionId, patient));
        var token = await bed.Gateway.Journal.WaitForLinkingTokenIssuedAsync(patient.HealthId, TestBed.Wait);

        Assert.Equal("12", phone.TokenNumber);
        Assert.Equal(patient.HealthId, new JsonWebToken(token).Subject);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$")]
    private static partial Regex Microseconds();
}
