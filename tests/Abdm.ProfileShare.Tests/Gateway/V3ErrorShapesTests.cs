using System.Net;
using System.Text;
using Abdm.ProfileShare.Gateway;
using Abdm.ProfileShare.Gateway.Internal;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Tests.TestSupport;

namespace Abdm.ProfileShare.Tests.Gateway;

/// <summary>
/// Every error shape the v3 sandbox answers with (CONTRACT-v3 section 0 and 8): parsed on its own, and carried by the
/// <see cref="AbdmGatewayException"/> of a real HTTP answer.
/// </summary>
public sealed class V3ErrorShapesTests
{
    /// <summary>Body, expected code, expected message.</summary>
    public static TheoryData<string, string?, string?> Shapes => new()
    {
        // 1. {"error":{"code","message"}}
        { """{"error":{"code":"ABDM-1006","message":"Bad Request, invalid request Body"}}""", "ABDM-1006", "Bad Request, invalid request Body" },

        // 2. a top-level array: the first error names the problem
        { """[{"code":"ABDM-1050","message":"Invalid Profile Share Metadata Keys"},{"code":"ABDM-1049","message":"Invalid Profile Share Intent Keys"}]""", "ABDM-1050", "Invalid Profile Share Metadata Keys" },

        // 3. flat {"code","message"}
        { """{"code":"ABDM-1024","message":"Dependent service unavailable"}""", "ABDM-1024", "Dependent service unavailable" },

        // 4. {"message","timestamp"}
        { """{"message":"Request processing failed","timestamp":"2026-09-16T10:12:45.123Z"}""", null, "Request processing failed" },

        // 5. a field-keyed object
        { """{"abhaAddress":"must not be null","yearOfBirth":"must be a number"}""", null, "abhaAddress: must not be null; yearOfBirth: must be a number" },

        // the API gateway's flat body with a description
        { """{"code":"900902","message":"Missing Credentials","description":"Make sure your API invocation call has a header: 'Authorization : Bearer ACCESS_TOKEN'"}""",
            "900902", "Missing Credentials (Make sure your API invocation call has a header: 'Authorization : Bearer ACCESS_TOKEN')" },

        // WSO2's fault wrapper
        { """{"fault":{"code":900901,"message":"Invalid Credentials","description":"Access failure for API: /api/hiecm, version: v3 status: (900901)"}}""",
            "900901", "Invalid Credentials (Access failure for API: /api/hiecm, version: v3 status: (900901))" },

        // a code with the sandbox's trailing ": "
        { """{"error":{"code":"ABDM-1006: ","message":"Invalid request body"}}""", "ABDM-1006", "Invalid request body" },
        { """{"code":"ABDM-1016: ","message":"Invalid TimeStamp"}""", "ABDM-1016", "Invalid TimeStamp" },

        // numeric codes (v0.5 integers, and the API gateway's codes as numbers)
        { """{"error":{"code":1000,"message":"Format mismatch of any of attributes"}}""", "1000", "Format mismatch of any of attributes" },
        { """{"code":900900,"message":"Unclassified Authentication Failure"}""", "900900", "Unclassified Authentication Failure" },

        // a genuine routing 404
        { """{"code":"404","type":"Status report","message":"Not Found"}""", "404", "Not Found" },

        // an empty body
        { "", null, null },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Parse_V3ErrorShape_ReadsCodeAndMessage(string body, string? code, string? message) =>
        Assert.Equal((code, message), GatewayErrorParser.Parse(Encoding.UTF8.GetBytes(body)));

    [Theory]
    [InlineData("ABDM-1006: ", "ABDM-1006")]
    [InlineData("ABDM-1006:", "ABDM-1006")]
    [InlineData(" ABDM-1051 ", "ABDM-1051")]
    [InlineData("900901", "900901")]
    [InlineData(": ", null)]
    [InlineData(null, null)]
    public void NormalizeCode_SandboxCode_IsTrimmed(string? code, string? expected) =>
        Assert.Equal(expected, GatewayErrorParser.NormalizeCode(code));

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task SendShareAcknowledgementAsync_GatewayAnswers400InShape_ThrowsWithItsCodeAndMessage(string body, string? code, string? message)
    {
        await using var h = V3GatewayHarness.Create();
        h.NeverLog("test.v3@sbx");

        // A 900901 body is a refused session token: the call is sent once more with a fresh token, then fails the same way.
        h.Gateway.On(V3FakeGateway.OnShare, (HttpStatusCode.BadRequest, body.Length == 0 ? null : body));
        var requestId = Guid.NewGuid();

        var error = await Assert.ThrowsAsync<AbdmGatewayException>(() => h.Client.SendShareAcknowledgementAsync(new ShareAcknowledgement
        {
            RequestId = requestId,
            ShareRequestId = Guid.NewGuid(),
            HealthId = "test.v3@sbx",
            WireVersion = WireVersion.V3,
            Success = true,
            TokenNumber = "1",
            CounterCode = "OPD1",
            TokenExpiresIn = TimeSpan.FromMinutes(30),
        }));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal(code, error.ErrorCode);
        Assert.Equal(message, error.GatewayMessage);
        Assert.Equal(requestId, error.RequestId);
        Assert.Equal(GatewayEndpoints.OnShareV3, error.Operation);
        Assert.False(error.IsTransient);
        Assert.Equal(code == GatewayErrorParser.InvalidCredentialsCode ? 2 : 1, h.Gateway.RequestsTo(V3FakeGateway.OnShare).Count);
    }

    [Fact]
    public async Task RequestLinkTokenAsync_GatewayAnswers404RoutingError_ThrowsNotTransientWithCode404()
    {
        await using var h = V3GatewayHarness.Create();
        h.NeverLog("test.v3@sbx", "Jane Doe");

        // Unscripted: the fake gateway answers its routing 404 {"code":"404","type":"Status report","message":"Not Found"}.
        var error = await Assert.ThrowsAsync<AbdmGatewayException>(() => h.Client.RequestLinkTokenAsync(new LinkTokenRequest
        {
            RequestId = Guid.NewGuid(),
            HipId = V3GatewayHarness.HipId,
            Profile = new SharedPatientProfile { HealthId = "test.v3@sbx", Name = "Jane Doe", Gender = Gender.Female, YearOfBirth = 2000 },
        }));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Equal("404", error.ErrorCode);
        Assert.Equal("Not Found", error.GatewayMessage);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task SendShareAcknowledgementAsync_GatewayAnswers503InV3Shape_IsTransientWithItsCode()
    {
        await using var h = V3GatewayHarness.Create(o => o.Resilience.MaxRetryAttempts = 0);
        h.NeverLog("test.v3@sbx");
        h.Gateway.On(V3FakeGateway.OnShare, (HttpStatusCode.ServiceUnavailable, """{"error":{"code":"ABDM-1024: ","message":"Dependent service unavailable"}}"""));

        var error = await Assert.ThrowsAsync<AbdmGatewayException>(() => h.Client.SendShareAcknowledgementAsync(new ShareAcknowledgement
        {
            RequestId = Guid.NewGuid(),
            ShareRequestId = Guid.NewGuid(),
            HealthId = "test.v3@sbx",
            WireVersion = WireVersion.V3,
            Success = false,
        }));

        Assert.True(error.IsTransient);
        Assert.Equal("ABDM-1024", error.ErrorCode);
        Assert.Equal("Dependent service unavailable", error.GatewayMessage);
    }
}
