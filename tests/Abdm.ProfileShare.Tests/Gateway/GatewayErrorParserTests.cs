using System.Net;
using System.Text;
using Abdm.ProfileShare.Gateway.Internal;

namespace Abdm.ProfileShare.Tests.Gateway;

public sealed class GatewayErrorParserTests
{
    [Fact]
    public void Parse_VeryLongMessage_IsCutTo512Characters()
    {
        var body = Encoding.UTF8.GetBytes("{\"error\":{\"code\":1000,\"message\":\"" + new string('x', 5000) + "\"}}");

        var (code, message) = GatewayErrorParser.Parse(body);

        Assert.Equal("1000", code);
        Assert.Equal(512, message!.Length);
    }

    [Fact]
    public void Parse_DeeplyNestedBody_ReturnsNothingWithoutThrowing()
    {
        var body = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", 100)) + "1" + new string('}', 100));

        Assert.Equal((null, null), GatewayErrorParser.Parse(body));
    }

    [Theory]
    [InlineData("""{"error":{"code":true,"message":42}}""", null, null)]
    [InlineData("""{"error":{"code":"   ","message":"m"}}""", null, "m")]
    [InlineData("""{"fault":"text","code":"900901","message":"Invalid Credentials"}""", "900901", "Invalid Credentials")]
    [InlineData("""{"error":{"code":"ABDM-1016 : ","message":"Invalid TimeStamp"}}""", "ABDM-1016", "Invalid TimeStamp")]
    public void Parse_OddShapes_ReadsWhatIsThere(string json, string? code, string? message) =>
        Assert.Equal((code, message), GatewayErrorParser.Parse(Encoding.UTF8.GetBytes(json)));

    [Theory]
    [InlineData(HttpStatusCode.RequestTimeout, true)]
    [InlineData(HttpStatusCode.TooManyRequests, true)]
    [InlineData(HttpStatusCode.InternalServerError, true)]
    [InlineData(HttpStatusCode.ServiceUnavailable, true)]
    [InlineData(HttpStatusCode.BadRequest, false)]
    [InlineData(HttpStatusCode.Unauthorized, false)]
    [InlineData(HttpStatusCode.NotFound, false)]
    [InlineData(HttpStatusCode.Conflict, false)]
    public void IsTransient_Status_OnlyTimeoutsThrottlingAndServerErrors(HttpStatusCode status, bool transient) =>
        Assert.Equal(transient, GatewayErrorParser.IsTransient(status));
}
