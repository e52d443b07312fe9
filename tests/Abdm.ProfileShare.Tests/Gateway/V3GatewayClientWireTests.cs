using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Abdm.ProfileShare.Gateway;
using Abdm.ProfileShare.Gateway.Internal;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Tests.TestSupport;

namespace Abdm.ProfileShare.Tests.Gateway;

/// <summary>
/// What the gateway client puts on the ABDM v3 wire (CONTRACT-v3 sections 2, 4, 5 and 7a): method, absolute path under
/// the host, the v3 headers, and the exact JSON body (JSON kinds included: expiry and abhaNumber are numbers,
/// tokenNumber and error codes are strings).
/// </summary>
public sealed partial class V3GatewayClientWireTests
{
    private static readonly Guid OnShareRequestId = Guid.Parse("0f8b3c2e-5a41-4d7e-9a0b-2c6d1e7f8a90");
    private static readonly Guid ShareRequestId = Guid.Parse("18235d89-cb13-479d-ad71-7a57d5f669a8");
    private static readonly Guid TokenRequestId = Guid.Parse("6a1c9e2f-3b4d-4e5f-8a7b-9c0d1e2f3a4b");
    private const string AbhaAddress = "test.v3@sbx";
    private const string Name = "Jane Doe";

    [Fact]
    public async Task SendShareAcknowledgementAsync_V3Success_PostsOnShareWithV3HeadersAndExactBody()
    {
        await using var h = Harness();
        h.Gateway.On(V3FakeGateway.OnShare, (HttpStatusCode.Accepted, null));

        await h.Client.SendShareAcknowledgementAsync(Success(TimeSpan.FromMinutes(30)));

        var request = Assert.Single(h.Gateway.RequestsTo(V3FakeGateway.OnShare));
        AssertV3Post(request, "https://gw.test/api/hiecm/patient-share/v3/on-share", OnShareRequestId, "sbx");
        Assert.Equal("2022-10-06T15:10:00.587Z", request.Header("TIMESTAMP"));
        Assert.Null(request.Header("X-HIP-ID"));
        var expected = JsonNode.Parse($$"""
            {"acknowledgement":{"status":"SUCCESS","abhaAddress":"{{AbhaAddress}}","profile":{"context":"OPD1","tokenNumber":"1","expiry":1800} },
             "response":{"requestId":"{{ShareRequestId}}"} }
            """)!;
        JsonAssert.Equal(expected, request.Body);
        var body = request.Json!;
        Assert.Equal(JsonValueKind.String, body["acknowledgement"]!["profile"]!["tokenNumber"]!.GetValueKind());
        Assert.Equal(JsonValueKind.Number, body["acknowledgement"]!["profile"]!["expiry"]!.GetValueKind());
        Assert.False(body.AsObject().ContainsKey("error"));
        Assert.False(body.AsObject().ContainsKey("requestId"));
        Assert.False(body.AsObject().ContainsKey("timestamp"));
    }

    [Fact]
    public async Task SendShareAcknowledgementAsync_V3TimestampNotUtc_SendsUtcWithMillisecondsAndZ()
    {
        await using var h = Harness();
        h.Time!.SetUtcNow(new DateTimeOffset(2026, 11, 28, 10, 0, 0, 5, TimeSpan.Zero));
        h.Gateway.On(V3FakeGateway.OnShare, (HttpStatusCode.Accepted, null));

        await h.Client.SendShareAcknowledgementAsync(Success(TimeSpan.FromMinutes(30)));

        var request = Assert.Single(h.Gateway.RequestsTo(V3FakeGateway.OnShare));
        Assert.Equal("2026-11-28T10:00:00.005Z", request.Header("TIMESTAMP"));
        Assert.Equal("2026-11-28T10:00:00.005Z", GatewayV3Headers.Format(new DateTimeOffset(2026, 11, 28, 15, 30, 0, 5, TimeSpan.FromHours(5.5))));
    }

    [Fact]
    public async Task SendShareAcknowledgementAsync_V3RetriedAfter503_SendsTheSameRequestIdOnEveryAttempt()
    {
        await using var h = V3GatewayHarness.Create(fakeTime: false);
        h.NeverLog(AbhaAddress);
        h.Gateway.On(V3FakeGateway.OnShare, (HttpStatusCode.ServiceUnavailable, """{"code":"ABDM-1024","message":"Dependent service unavailable"}"""), (HttpStatusCode.Accepted, null));

        await h.Client.SendShareAcknowledgementAsync(Success(TimeSpan.FromMinutes(30)));

        var attempts = h.Gateway.RequestsTo(V3FakeGateway.OnShare);
        Assert.Equal(2, attempts.Count);
        Assert.All(attempts, a => Assert.Equal(OnShareRequestId.ToString(), a.Header("REQUEST-ID")));
        Assert.All(attempts, a => Assert.Matches(TimestampPattern(), a.Header("TIMESTAMP")));
        Assert.Equal(attempts[0].Body, attempts[1].Body);
    }

    [Theory]
    [InlineData(null, null, "ABDM-9999")]
    [InlineData(null, "ABDM-1102", "ABDM-1102")]
    [InlineData("ABDM-1149", null, "ABDM-1149")]
    [InlineData("1000", null, "ABDM-9999")]
    [InlineData("1000", "ABDM-1006", "ABDM-1006")]
    public async Task SendShareAcknowledgementAsync_V3Failed_PostsFailedWithAStringErrorCode(string? givenCode, string? rejectionErrorCode, string expectedCode)
    {
        await using var h = Harness(o =>
        {
            if (rejectionErrorCode is not null)
            {
                o.V3.RejectionErrorCode = rejectionErrorCode;
            }
        });
        h.Gateway.On(V3FakeGateway.OnShare, (HttpStatusCode.Accepted, null));

        await h.Client.SendShareAcknowledgementAsync(Success(TimeSpan.FromMinutes(30)) with
        {
            Success = false,
            ErrorCode = givenCode,
            ErrorMessage = "The registration desk is closed. Please ask at the counter.",
        });

        var request = Assert.Single(h.Gateway.RequestsTo(V3FakeGateway.OnShare));
        AssertV3Post(request, "https://gw.test/api/hiecm/patient-share/v3/on-share", OnShareRequestId, "sbx");
        var body = request.Json!;
        Assert.Equal("FAILED", body["acknowledgement"]!["status"]!.GetValue<string>());
        Assert.Equal(AbhaAddress, body["acknowledgement"]!["abhaAddress"]!.GetValue<string>());
        Assert.Equal(JsonValueKind.String, body["error"]!["code"]!.GetValueKind());
        Assert.Equal(expectedCode, body["error"]!["code"]!.GetValue<string>());
        Assert.Equal("The registration desk is closed. Please ask at the counter.", body["error"]!["message"]!.GetValue<string>());
        Assert.Equal(ShareRequestId.ToString(), body["response"]!["requestId"]!.GetValue<string>());
    }

    [Fact]
    public async Task SendShareAcknowledgementAsync_V3FailedForAnEntryWithAToken_SendsTheErrorAndNoTokenProfileOrExpiry()
    {
        await using var h = Harness();
        h.Gateway.On(V3FakeGateway.OnShare, (HttpStatusCode.Accepted, null));

        // The acknowledgement step hands over the entry's token number and counter for a rejected share too.
        await h.Client.SendShareAcknowledgementAsync(Success(TimeSpan.FromMinutes(30)) with
        {
            Success = false,
            ErrorCode = "ABDM-1149",
            ErrorMessage = "This counter is closed.",
        });

        var request = Assert.Single(h.Gateway.RequestsTo(V3FakeGateway.OnShare));
        var expected = JsonNode.Parse($$"""
            {"acknowledgement":{"status":"FAILED","abhaAddress":"{{AbhaAddress}}"},
             "error":{"code":"ABDM-1149","message":"This counter is closed."},
             "response":{"requestId":"{{ShareRequestId}}"} }
            """)!;
        JsonAssert.Equal(expected, request.Body);
        Assert.DoesNotContain("tokenNumber", request.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("expiry", request.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("profile", request.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendShareAcknowledgementAsync_V05FailureWithAnAbdmCode_StillSendsIntegerCode1000()
    {
        await using var h = GatewayHarness.Create();
        h.NeverLog(AbhaAddress);
        h.Gateway.On("/v0.5/patients/profile/on-share", (HttpStatusCode.Accepted, null));

        await h.Client.SendShareAcknowledgementAsync(Success(null) with { WireVersion = WireVersion.V05, Success = false, ErrorCode = "ABDM-9999", ErrorMessage = "Closed." });

        var request = Assert.Single(h.Gateway.RequestsTo("/v0.5/patients/profile/on-share"));
        var body = JsonNode.Parse(request.Body!)!;
        Assert.Equal("FAILURE", body["acknowledgement"]!["status"]!.GetValue<string>());
        Assert.Equal(JsonValueKind.Number, body["error"]!["code"]!.GetValueKind());
        Assert.Equal(1000, body["error"]!["code"]!.GetValue<int>());
    }

    [Theory]
    [InlineData(1800.0, TokenExpiryUnit.Seconds, 1800)]
    [InlineData(1799.999, TokenExpiryUnit.Seconds, 1799)]
    [InlineData(600.4, TokenExpiryUnit.Seconds, 600)]
    [InlineData(0.5, TokenExpiryUnit.Seconds, 0)]
    [InlineData(-5.0, TokenExpiryUnit.Seconds, 0)]
    [InlineData(1800.0, TokenExpiryUnit.Minutes, 30)]
    [InlineData(1741.0, TokenExpiryUnit.Minutes, 30)]
    [InlineData(0.5, TokenExpiryUnit.Minutes, 1)]
    [InlineData(-5.0, TokenExpiryUnit.Minutes, 0)]
    public void ExpiryValue_RemainingValidity_SecondsRoundDownMinutesRoundUpNeverNegative(double seconds, TokenExpiryUnit unit, long expected) =>
        Assert.Equal(expected, AbdmGatewayClient.ExpiryValue(TimeSpan.FromSeconds(seconds), unit));

    [Fact]
    public void ExpiryValue_NoRemainingValidity_IsZero() =>
        Assert.Equal(0, AbdmGatewayClient.ExpiryValue(null, TokenExpiryUnit.Seconds));

    [Theory]
    [InlineData(TokenExpiryUnit.Seconds, 1800.0, 1800)]
    [InlineData(TokenExpiryUnit.Minutes, 1800.0, 30)]
    [InlineData(TokenExpiryUnit.Minutes, 1741.0, 30)]
    [InlineData(TokenExpiryUnit.Seconds, -60.0, 0)]
    public async Task SendShareAcknowledgementAsync_V3ExpiryUnit_SendsTheExpiryInThatUnit(TokenExpiryUnit unit, double remainingSeconds, long expected)
    {
        await using var h = Harness(o => o.V3.ExpiryUnit = unit);
        h.Gateway.On(V3FakeGateway.OnShare, (HttpStatusCode.Accepted, null));

        await h.Client.SendShareAcknowledgementAsync(Success(TimeSpan.FromSeconds(remainingSeconds)));

        var expiry = Assert.Single(h.Gateway.RequestsTo(V3FakeGateway.OnShare)).Json!["acknowledgement"]!["profile"]!["expiry"]!;
        Assert.Equal(JsonValueKind.Number, expiry.GetValueKind());
        Assert.Equal(expected, expiry.GetValue<long>());
    }

    [Theory]
    [InlineData(HttpStatusCode.OK)]
    [InlineData(HttpStatusCode.Accepted)]
    public async Task GetAccessTokenAsync_V3SessionAnswered200Or202_PostsV3SessionsAndReturnsTheToken(HttpStatusCode status)
    {
        await using var h = Harness();
        h.Gateway.SessionStatus = status;

        var token = await h.Tokens.GetAccessTokenAsync();

        Assert.Equal(V3FakeGateway.AccessToken(1), token);
        var request = Assert.Single(h.Gateway.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://gw.test/api/hiecm/gateway/v3/sessions", request.Uri.ToString());
        Assert.Null(request.Header("Authorization"));
        Assert.True(Guid.TryParse(request.Header("REQUEST-ID"), out var requestId) && requestId != Guid.Empty);
        Assert.Equal("2022-10-06T15:10:00.587Z", request.Header("TIMESTAMP"));
        Assert.Equal("sbx", request.Header("X-CM-ID"));
        Assert.Equal("application/json", request.Header("Content-Type"));
        JsonAssert.Equal(JsonNode.Parse($$"""{"clientId":"{{V3GatewayHarness.ClientId}}","clientSecret":"{{V3GatewayHarness.ClientSecret}}","grantType":"client_credentials"}""")!, request.Body);
    }

    [Fact]
    public async Task GetAccessTokenAsync_V3Answers401InvalidCredentials_IsRefusedNamingTheCredentials()
    {
        await using var h = Harness();
        h.Gateway.On(V3FakeGateway.Sessions, (HttpStatusCode.Unauthorized,
            """{"code":"900901","message":"Invalid Credentials","description":"Invalid Credentials. Make sure you have provided the correct security credentials"}"""));

        var error = await Assert.ThrowsAsync<AbdmGatewayException>(async () => await h.Tokens.GetAccessTokenAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal("900901", error.ErrorCode);
        Assert.False(error.IsTransient);
        Assert.Equal(GatewayEndpoints.SessionsV3, error.Operation);
        Assert.Contains("refused the client credentials", error.GatewayMessage, StringComparison.Ordinal);
        Assert.Contains("AbdmProfileShare:Gateway:ClientId", error.GatewayMessage, StringComparison.Ordinal);
        Assert.Contains("AbdmProfileShare:Gateway:ClientSecret", error.GatewayMessage, StringComparison.Ordinal);
        Assert.DoesNotContain(V3GatewayHarness.ClientSecret, error.Message, StringComparison.Ordinal);
        Assert.Single(h.Gateway.RequestsTo(V3FakeGateway.Sessions));
    }

    [Fact]
    public async Task GetAccessTokenAsync_V3WithoutBaseUrl_PostsToTheSandboxHost()
    {
        await using var h = Harness(o => o.Gateway.BaseUrl = null);

        await h.Tokens.GetAccessTokenAsync();

        Assert.Equal(new Uri("https://dev.abdm.gov.in"), h.Options.GetGatewayBaseUrl());
        Assert.Equal("https://dev.abdm.gov.in/api/hiecm/gateway/v3/sessions", Assert.Single(h.Gateway.Requests).Uri.ToString());
    }

    [Fact]
    public void GetGatewayBaseUrl_NoBaseUrl_IsTheSandboxOfTheWireVersion()
    {
        Assert.Equal(new Uri("https://dev.abdm.gov.in"), new AbdmProfileShareOptions { WireVersion = WireVersion.V3 }.GetGatewayBaseUrl());
        Assert.Equal(new Uri("https://dev.abdm.gov.in/gateway"), new AbdmProfileShareOptions { WireVersion = WireVersion.V05 }.GetGatewayBaseUrl());
        Assert.Equal(new Uri("https://dev.abdm.gov.in/gateway"), new AbdmProfileShareOptions { WireVersion = WireVersion.V10 }.GetGatewayBaseUrl());
        var configured = new AbdmProfileShareOptions { WireVersion = WireVersion.V3 };
        configured.Gateway.BaseUrl = new Uri("https://apis.abdm.gov.in");
        Assert.Equal(new Uri("https://apis.abdm.gov.in"), configured.GetGatewayBaseUrl());
    }

    [Fact]
    public async Task RequestLinkTokenAsync_DashedAbhaNumber_PostsGenerateTokenWithTheDigitsAsANumber()
    {
        await using var h = Harness();
        h.Gateway.On(V3FakeGateway.GenerateToken, (HttpStatusCode.Accepted, null));

        await h.Client.RequestLinkTokenAsync(new LinkTokenRequest { RequestId = TokenRequestId, HipId = V3GatewayHarness.HipId, Profile = Profile() });

        var request = Assert.Single(h.Gateway.RequestsTo(V3FakeGateway.GenerateToken));
        AssertV3Post(request, "https://gw.test/api/hiecm/v3/token/generate-token", TokenRequestId, "sbx");
        Assert.Equal(V3GatewayHarness.HipId, request.Header("X-HIP-ID"));
        JsonAssert.Equal(JsonNode.Parse($$"""{"abhaNumber":91111111111111,"abhaAddress":"{{AbhaAddress}}","name":"{{Name}}","gender":"F","yearOfBirth":2000}""")!, request.Body);
        Assert.Equal(JsonValueKind.Number, request.Json!["abhaNumber"]!.GetValueKind());
        Assert.Equal(JsonValueKind.Number, request.Json!["yearOfBirth"]!.GetValueKind());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-an-abha-number")]
    public async Task RequestLinkTokenAsync_NoUsableAbhaNumber_OmitsAbhaNumber(string? abhaNumber)
    {
        await using var h = Harness();
        h.Gateway.On(V3FakeGateway.GenerateToken, (HttpStatusCode.Accepted, null));

        await h.Client.RequestLinkTokenAsync(new LinkTokenRequest { RequestId = TokenRequestId, HipId = V3GatewayHarness.HipId, Profile = Profile() with { AbhaNumber = abhaNumber } });

        var request = Assert.Single(h.Gateway.RequestsTo(V3FakeGateway.GenerateToken));
        JsonAssert.Equal(JsonNode.Parse($$"""{"abhaAddress":"{{AbhaAddress}}","name":"{{Name}}","gender":"F","yearOfBirth":2000}""")!, request.Body);
        Assert.DoesNotContain("null", request.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Gender.Male, "M")]
    [InlineData(Gender.Female, "F")]
    [InlineData(Gender.Other, "O")]
    [InlineData(Gender.Undisclosed, "D")]
    [InlineData(Gender.Transgender, "T")]
    [InlineData(Gender.Unknown, "U")]
    public async Task RequestLinkTokenAsync_Gender_SendsItsV3Letter(Gender gender, string letter)
    {
        await using var h = Harness();
        h.Gateway.On(V3FakeGateway.GenerateToken, (HttpStatusCode.Accepted, null));

        await h.Client.RequestLinkTokenAsync(new LinkTokenRequest { RequestId = TokenRequestId, HipId = V3GatewayHarness.HipId, Profile = Profile() with { Gender = gender } });

        Assert.Equal(letter, Assert.Single(h.Gateway.RequestsTo(V3FakeGateway.GenerateToken)).Json!["gender"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("91-1111-1111-1111", 91111111111111L)]
    [InlineData("91111111111111", 91111111111111L)]
    [InlineData(" 91 1111 1111 1111 ", 91111111111111L)]
    [InlineData("91-1111-1111-111", null)]
    [InlineData("91-1111-1111-11111", null)]
    [InlineData("91-1111-1111-111x", null)]
    public void AbhaNumberDigits_Text_IsTheFourteenDigitsOrNothing(string text, long? expected) =>
        Assert.Equal(expected, AbdmGatewayClient.AbhaNumberDigits(text));

    [Fact]
    public async Task GetCertsAsync_V3_GetsV3CertsWithTheSessionTokenAndV3Headers()
    {
        await using var h = Harness();
        h.Gateway.On(V3FakeGateway.Certs, (HttpStatusCode.OK, Fixtures.Text("Wire/certs.json")));

        var certs = await h.Client.GetCertsAsync();

        Assert.Equal("test-key-1", Assert.Single(certs).KeyId);
        var request = Assert.Single(h.Gateway.RequestsTo(V3FakeGateway.Certs));
        AssertV3Headers(request, "https://gw.test/api/hiecm/gateway/v3/certs", null, "sbx");
        Assert.Equal(HttpMethod.Get, request.Method);
        Assert.Contains("application/json", request.Header("Accept"), StringComparison.Ordinal);
        Assert.Null(request.Body);
        Assert.Empty(h.Gateway.RequestsTo("/v0.5/certs"));
    }

    [Fact]
    public async Task CertsClient_V3_FetchesTheV3JwksWithTheSessionTokenAndV3Headers()
    {
        await using var h = Harness();
        h.Gateway.On(V3FakeGateway.Certs, (HttpStatusCode.OK, Fixtures.Text("Wire/certs.json")));
        var certsUrl = GatewayEndpoints.CertsUrl(h.Options);

        using var response = await h.CertsHttpClient.GetAsync(certsUrl);

        Assert.Equal(new Uri("https://gw.test/api/hiecm/gateway/v3/certs"), certsUrl);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertV3Headers(Assert.Single(h.Gateway.RequestsTo(V3FakeGateway.Certs)), "https://gw.test/api/hiecm/gateway/v3/certs", null, "sbx");
    }

    [Fact]
    public async Task CertsClient_V05_FetchesThePublicJwksWithoutAToken()
    {
        await using var h = Harness(o =>
        {
            o.WireVersion = WireVersion.V05;
            o.Gateway.BaseUrl = new Uri("https://gw.test/gateway");
        });

        using var response = await h.CertsHttpClient.GetAsync(GatewayEndpoints.CertsUrl(h.Options));

        var request = Assert.Single(h.Gateway.Requests);
        Assert.Equal("https://gw.test/gateway/v0.5/certs", request.Uri.ToString());
        Assert.Null(request.Header("Authorization"));
        Assert.Null(request.Header("REQUEST-ID"));
    }

    private static V3GatewayHarness Harness(Action<Abdm.ProfileShare.AbdmProfileShareOptions>? configure = null)
    {
        var h = V3GatewayHarness.Create(configure);
        h.NeverLog(AbhaAddress, Name, "91-1111-1111-1111", "91111111111111");
        return h;
    }

    private static void AssertV3Post(V3CapturedRequest request, string url, Guid requestId, string cmId)
    {
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("application/json", request.Header("Content-Type"));
        Assert.Contains("application/json", request.Header("Accept"), StringComparison.Ordinal);
        AssertV3Headers(request, url, requestId, cmId);
    }

    private static void AssertV3Headers(V3CapturedRequest request, string url, Guid? requestId, string cmId)
    {
        Assert.Equal(url, request.Uri.ToString());
        Assert.Equal("Bearer " + V3FakeGateway.AccessToken(1), request.Header("Authorization"));
        Assert.True(Guid.TryParse(request.Header("REQUEST-ID"), out var sent), "REQUEST-ID is a UUID");
        if (requestId is { } expected)
        {
            Assert.Equal(expected, sent);
        }

        Assert.Matches(TimestampPattern(), request.Header("TIMESTAMP"));
        Assert.Equal(cmId, request.Header("X-CM-ID"));
    }

    private static ShareAcknowledgement Success(TimeSpan? expiresIn) => new()
    {
        RequestId = OnShareRequestId,
        ShareRequestId = ShareRequestId,
        HealthId = AbhaAddress,
        WireVersion = WireVersion.V3,
        Success = true,
        TokenNumber = "1",
        CounterCode = "OPD1",
        TokenExpiresIn = expiresIn,
    };

    private static SharedPatientProfile Profile() => new()
    {
        HealthId = AbhaAddress,
        AbhaNumber = "91-1111-1111-1111",
        Name = Name,
        Gender = Gender.Female,
        YearOfBirth = 2000,
        MonthOfBirth = 6,
        DayOfBirth = 6,
        Mobile = "+91-9000000001",
    };

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")]
    private static partial Regex TimestampPattern();
}
