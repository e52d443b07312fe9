using System.Globalization;
using System.Net;
using Abdm.ProfileShare.Gateway;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Tests.TestSupport;

namespace Abdm.ProfileShare.Tests.Gateway;

/// <summary>
/// What the gateway client puts on the wire, operation by operation: method, absolute path under a base URL with
/// a path prefix, headers, and the JSON body compared structurally against fixtures built from the seed's examples.
/// </summary>
public sealed class AbdmGatewayClientWireTests
{
    private static readonly Guid OnShareRequestId = Guid.Parse("5f7a535d-a3fd-416b-b069-c97d021fbacd");
    private static readonly Guid ShareRequestId = Guid.Parse("499a5a4a-7dda-4f20-9b67-e24589627061");
    private static readonly Guid InitRequestId = Guid.Parse("28ac1de6-a2ce-4b8e-8afe-a97f7bb52b85");
    private static readonly Guid ConfirmRequestId = Guid.Parse("5f7a535d-a3fd-416b-b069-c97d021fbacd");
    private const string TransactionId = "ee1d6495-96a3-4fb6-a0fc-f5b33e3e0434";
    private const string Mobile = "+91-9000000001";

    [Fact]
    public async Task SendShareAcknowledgementAsync_V05Success_PostsSeedOnShareBody()
    {
        await using var h = Harness();
        h.Gateway.On("/v0.5/patients/profile/on-share", (HttpStatusCode.Accepted, null));

        await h.Client.SendShareAcknowledgementAsync(Acknowledgement(WireVersion.V05, success: true));

        var request = Assert.Single(h.Gateway.RequestsTo("/v0.5/patients/profile/on-share"));
        AssertGatewayPost(request, "/gateway/v0.5/patients/profile/on-share", "sbx");
        JsonAssert.Equal(Fixtures.Json("Wire/on-share-v05-success.json"), request.Body);
    }

    [Fact]
    public async Task SendShareAcknowledgementAsync_V05Failure_PostsFailureWithError1000()
    {
        await using var h = Harness();
        h.Gateway.On("/v0.5/patients/profile/on-share", (HttpStatusCode.Accepted, null));

        await h.Client.SendShareAcknowledgementAsync(Acknowledgement(WireVersion.V05, success: false) with
        {
            ErrorMessage = "The registration desk is closed. Please ask at the counter.",
        });

        var request = Assert.Single(h.Gateway.RequestsTo("/v0.5/patients/profile/on-share"));
        AssertGatewayPost(request, "/gateway/v0.5/patients/profile/on-share", "sbx");
        JsonAssert.Equal(Fixtures.Json("Wire/on-share-v05-failure.json"), request.Body);
    }

    [Fact]
    public async Task SendShareAcknowledgementAsync_V10Success_PostsV10PathWithTokenNumber()
    {
        await using var h = Harness();
        h.Gateway.On("/v1.0/patients/profile/on-share", (HttpStatusCode.Accepted, null));

        await h.Client.SendShareAcknowledgementAsync(Acknowledgement(WireVersion.V10, success: true) with { TokenNumber = "17" });

        Assert.Equal(0, h.Gateway.CallsTo("/v0.5/patients/profile/on-share"));
        var request = Assert.Single(h.Gateway.RequestsTo("/v1.0/patients/profile/on-share"));
        AssertGatewayPost(request, "/gateway/v1.0/patients/profile/on-share", "sbx");
        JsonAssert.Equal(Fixtures.Json("Wire/on-share-v10-success.json"), request.Body);
    }

    [Fact]
    public async Task InitLinkingAuthAsync_SeedExample_PostsLinkDemographicsQueryForTheHip()
    {
        await using var h = Harness();
        h.Time!.SetUtcNow(DateTimeOffset.Parse("2022-05-15T15:16:47.212Z", CultureInfo.InvariantCulture));
        h.Gateway.On("/v0.5/users/auth/init", (HttpStatusCode.Accepted, null));

        await h.Client.InitLinkingAuthAsync(new LinkingAuthInit { RequestId = InitRequestId, HealthId = "test@sbx", HipId = GatewayHarness.HipId });

        var request = Assert.Single(h.Gateway.RequestsTo("/v0.5/users/auth/init"));
        AssertGatewayPost(request, "/gateway/v0.5/users/auth/init", "sbx");
        JsonAssert.Equal(Fixtures.Json("Wire/auth-init.json"), request.Body);
    }

    [Fact]
    public async Task ConfirmDemographicAuthAsync_FullDateOfBirthAndMobile_PostsSeedDemographic()
    {
        await using var h = Harness();
        h.Time!.SetUtcNow(DateTimeOffset.Parse("2022-05-15T15:16:49.873Z", CultureInfo.InvariantCulture));
        h.Gateway.On("/v0.5/users/auth/confirm", (HttpStatusCode.Accepted, null));

        await h.Client.ConfirmDemographicAuthAsync(Confirm(Profile() with { Mobile = Mobile, Identifiers = [new("MOBILE", Mobile)] }));

        var request = Assert.Single(h.Gateway.RequestsTo("/v0.5/users/auth/confirm"));
        AssertGatewayPost(request, "/gateway/v0.5/users/auth/confirm", "sbx");
        JsonAssert.Equal(Fixtures.Json("Wire/auth-confirm.json"), request.Body);
    }

    [Fact]
    public async Task ConfirmDemographicAuthAsync_OnlyYearOfBirthAndNoMobile_SendsJanuaryFirstAndNoIdentifier()
    {
        await using var h = Harness();
        h.Time!.SetUtcNow(DateTimeOffset.Parse("2022-05-15T15:16:49.873Z", CultureInfo.InvariantCulture));
        h.Gateway.On("/v0.5/users/auth/confirm", (HttpStatusCode.Accepted, null));

        await h.Client.ConfirmDemographicAuthAsync(Confirm(Profile() with
        {
            MonthOfBirth = null,
            DayOfBirth = null,
            Identifiers = [new("MR", "MR-TEST-0001"), new("NDHM_HEALTH_NUMBER", null)],
        }));

        var request = Assert.Single(h.Gateway.RequestsTo("/v0.5/users/auth/confirm"));
        JsonAssert.Equal(Fixtures.Json("Wire/auth-confirm-year-only.json"), request.Body);
        Assert.DoesNotContain("null", request.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfirmDemographicAuthAsync_MobileIsNotTheFirstIdentifier_SendsTheIdentifierOfTypeMobile()
    {
        await using var h = Harness();
        h.Time!.SetUtcNow(DateTimeOffset.Parse("2022-05-15T15:16:49.873Z", CultureInfo.InvariantCulture));
        h.Gateway.On("/v0.5/users/auth/confirm", (HttpStatusCode.Accepted, null));

        // As a profile read from the wire carries it: the mobile only in the identifier list, after others.
        await h.Client.ConfirmDemographicAuthAsync(Confirm(Profile() with
        {
            Mobile = null,
            Identifiers = [new("MR", "MR-TEST-0001"), new("NDHM_HEALTH_NUMBER", null), new("MOBILE", Mobile)],
        }));

        var request = Assert.Single(h.Gateway.RequestsTo("/v0.5/users/auth/confirm"));
        JsonAssert.Equal(Fixtures.Json("Wire/auth-confirm.json"), request.Body);
    }

    [Theory]
    [InlineData("test@sbx", "sbx")]
    [InlineData("x@abdm", "abdm")]
    [InlineData("first.last@sbx", "sbx")]
    [InlineData("no-suffix", "cm-default")]
    [InlineData("trailing-at@", "cm-default")]
    public async Task AllOperations_HealthId_SendXCmIdFromThePhrAddressSuffix(string healthId, string expectedCmId)
    {
        await using var h = Harness(o => o.Gateway.DefaultConsentManagerId = "cm-default");
        h.Gateway.On("/v0.5/patients/profile/on-share", (HttpStatusCode.Accepted, null));
        h.Gateway.On("/v1.0/patients/profile/on-share", (HttpStatusCode.Accepted, null));
        h.Gateway.On("/v0.5/users/auth/init", (HttpStatusCode.Accepted, null));
        h.Gateway.On("/v0.5/users/auth/confirm", (HttpStatusCode.Accepted, null));

        await h.Client.SendShareAcknowledgementAsync(Acknowledgement(WireVersion.V05, success: true) with { HealthId = healthId });
        await h.Client.SendShareAcknowledgementAsync(Acknowledgement(WireVersion.V10, success: true) with { HealthId = healthId, TokenNumber = "1" });
        await h.Client.InitLinkingAuthAsync(new LinkingAuthInit { RequestId = InitRequestId, HealthId = healthId, HipId = GatewayHarness.HipId });
        await h.Client.ConfirmDemographicAuthAsync(Confirm(Profile() with { HealthId = healthId }));

        var operations = h.Gateway.Requests.Where(r => !r.Path.EndsWith("/sessions", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, operations.Count);
        Assert.All(operations, r => Assert.Equal(expectedCmId, r.ConsentManagerId));
    }

    [Fact]
    public async Task GetAccessTokenAsync_FirstCall_PostsClientCredentialsToSessions()
    {
        await using var h = Harness();

        var token = await h.Tokens.GetAccessTokenAsync();

        Assert.Equal(FakeGateway.AccessToken(1), token);
        var request = Assert.Single(h.Gateway.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://gw.test/gateway/v0.5/sessions", request.Uri.GetLeftPart(UriPartial.Path));
        Assert.Null(request.Authorization);
        Assert.Null(request.ConsentManagerId);
        Assert.Contains("application/json", request.Accept);
        Assert.Equal("application/json", request.ContentMediaType);
        JsonAssert.Equal(Fixtures.Json("Wire/session-request.json"), request.Body);
    }

    [Fact]
    public async Task GetCertsAsync_Jwks_GetsCertsAndReadsTheKeys()
    {
        await using var h = Harness();
        h.Gateway.On("/v0.5/certs", (HttpStatusCode.OK, Fixtures.Text("Wire/certs.json")));

        var certs = await h.Client.GetCertsAsync();

        var request = Assert.Single(h.Gateway.RequestsTo("/v0.5/certs"));
        Assert.Equal(HttpMethod.Get, request.Method);
        Assert.Equal("https://gw.test/gateway/v0.5/certs", request.Uri.GetLeftPart(UriPartial.Path));
        Assert.Contains("application/json", request.Accept);
        Assert.Null(request.Body);
        var key = Assert.Single(certs);
        Assert.Equal("test-key-1", key.KeyId);
        Assert.Equal("RSA", key.KeyType);
        Assert.Equal("sig", key.Use);
        Assert.Equal("RS256", key.Algorithm);
        Assert.Equal("dGVzdC1tb2R1bHVzLW5vdC1hLXJlYWwta2V5", key.Modulus);
        Assert.Equal("AQAB", key.Exponent);
        Assert.Equal(["dGVzdC1jZXJ0aWZpY2F0ZQ"], key.X509CertificateChain);
        Assert.Equal("test-thumbprint", key.X509Thumbprint);
        Assert.Equal("test-thumbprint-256", key.X509ThumbprintSha256);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"keys":[]}""")]
    public async Task GetCertsAsync_NoKeys_Empty(string jwks)
    {
        await using var h = Harness();
        h.Gateway.On("/v0.5/certs", (HttpStatusCode.OK, jwks));

        Assert.Empty(await h.Client.GetCertsAsync());
    }

    [Fact]
    public async Task Operations_BaseUrlWithTrailingSlash_KeepThePathPrefixOnce()
    {
        await using var h = Harness(o => o.Gateway.BaseUrl = new Uri(FakeGateway.BaseUrl + "/"));
        h.Gateway.On("/v0.5/users/auth/init", (HttpStatusCode.Accepted, null));

        await h.Client.InitLinkingAuthAsync(new LinkingAuthInit { RequestId = InitRequestId, HealthId = "test@sbx", HipId = GatewayHarness.HipId });

        Assert.Equal(["/gateway/v0.5/sessions", "/gateway/v0.5/users/auth/init"], h.Gateway.Requests.Select(r => r.Path));
    }

    private static GatewayHarness Harness(Action<AbdmProfileShareOptions>? configure = null)
    {
        var h = GatewayHarness.Create(configure);
        h.NeverLog("test@sbx", "Jane Doe", Mobile, "x@abdm", "first.last@sbx");
        return h;
    }

    private static void AssertGatewayPost(CapturedRequest request, string path, string cmId)
    {
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://gw.test" + path, request.Uri.GetLeftPart(UriPartial.Path));
        Assert.Equal("", request.Uri.Query);
        Assert.Equal("Bearer " + FakeGateway.AccessToken(1), request.Authorization);
        Assert.Equal(cmId, request.ConsentManagerId);
        Assert.Contains("application/json", request.Accept);
        Assert.Equal("application/json", request.ContentMediaType);
    }

    private static ShareAcknowledgement Acknowledgement(WireVersion version, bool success) => new()
    {
        RequestId = OnShareRequestId,
        ShareRequestId = ShareRequestId,
        HealthId = "test@sbx",
        WireVersion = version,
        Success = success,
    };

    private static SharedPatientProfile Profile() => new()
    {
        HealthId = "test@sbx",
        AbhaNumber = "1111-1111-1111-11",
        Name = "Jane Doe",
        Gender = Gender.Female,
        YearOfBirth = 2000,
        MonthOfBirth = 2,
        DayOfBirth = 27,
    };

    private static DemographicAuthConfirm Confirm(SharedPatientProfile profile) => new()
    {
        RequestId = ConfirmRequestId,
        TransactionId = TransactionId,
        Profile = profile,
    };
}
