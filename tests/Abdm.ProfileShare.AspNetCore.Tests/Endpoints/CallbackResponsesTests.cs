using System.Text;
using System.Text.Json;
using Abdm.ProfileShare.AspNetCore.Diagnostics.Internal;
using Abdm.ProfileShare.AspNetCore.Endpoints.Internal;
using Abdm.ProfileShare.AspNetCore.Internal;
using Abdm.ProfileShare.Wire;
using Abdm.ProfileShare.Wire.V3;
using Microsoft.AspNetCore.Http;

namespace Abdm.ProfileShare.AspNetCore.Tests.Endpoints;

/// <summary>
/// The answers the endpoints write without the core's DTOs (<see cref="CallbackResponses"/>) are byte for byte what the
/// wire contracts (<see cref="AbdmJsonContext"/>, <see cref="AbdmV3JsonContext"/>) write.
/// </summary>
public sealed class CallbackResponsesTests
{
    public static TheoryData<string> Messages =>
    [
        "Unauthorized",
        "Missing required property at $.profile.patient: name.",
        "intent RECORD_SHARE is not supported at this HIP: a registration counter accepts PROFILE_SHARE.",
        "This host is a HIP: the X-HIP-ID header is required (X-HIU-ID callbacks are not handled here).",
        "Quotes \" and \\ and <html> & 'apostrophes' + plus",
        "Unicode: \u0928\u092E\u0938\u094D\u0924\u0947, \u00E9, \u2028, \u0001",
    ];

    [Theory]
    [MemberData(nameof(Messages))]
    public async Task WriteErrorAsync_V05_AsTheErrorResponseContract(string message)
    {
        var (context, body) = Context();

        await CallbackResponses.WriteErrorAsync(context, 400, message);

        var expected = JsonSerializer.Serialize(new ErrorResponse { Error = new Error { Code = 400, Message = message } }, AbdmJsonContext.Default.ErrorResponse);
        Assert.Equal(expected, Encoding.UTF8.GetString(body.ToArray()));
        Assert.Equal(400, context.Response.StatusCode);
        Assert.Equal("application/json", context.Response.ContentType);
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public async Task WriteErrorAsync_V3_AsTheErrorResponseV3Contract(string message)
    {
        var (context, body) = Context();

        await CallbackResponses.WriteErrorAsync(context, 401, message, "900901");

        var expected = JsonSerializer.Serialize(new ErrorResponseV3 { Error = new ErrorV3 { Code = "900901", Message = message } }, AbdmV3JsonContext.Default.ErrorResponseV3);
        Assert.Equal(expected, Encoding.UTF8.GetString(body.ToArray()));
        Assert.Equal(401, context.Response.StatusCode);
        Assert.Equal("application/json", context.Response.ContentType);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5.5)]
    [InlineData(-3)]
    public async Task WriteHeartbeatAsync_Up_AsTheHeartbeatContract(double offsetHours)
    {
        var now = new DateTimeOffset(2022, 5, 11, 10, 28, 0, 37, TimeSpan.FromHours(offsetHours)).AddTicks(4321);
        var (context, body) = Context();

        await CallbackResponses.WriteHeartbeatAsync(context, now, null);

        var expected = JsonSerializer.Serialize(new HeartbeatResponse { Timestamp = now, Status = HeartbeatStatus.UP }, AbdmJsonContext.Default.HeartbeatResponse);
        Assert.Equal(expected, Encoding.UTF8.GetString(body.ToArray()));
        Assert.Equal(AbdmTimestampConverter.WriteFormat, CallbackResponses.TimestampFormat);
        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", context.Response.ContentType);
    }

    [Fact]
    public async Task WriteHeartbeatAsync_Down_AsTheHeartbeatContractWithError500()
    {
        var now = new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);
        var (context, body) = Context();

        await CallbackResponses.WriteHeartbeatAsync(context, now, "The store is unreachable.");

        var expected = JsonSerializer.Serialize(new HeartbeatResponse
        {
            Timestamp = now,
            Status = HeartbeatStatus.DOWN,
            Error = new Error { Code = 500, Message = "The store is unreachable." },
        }, AbdmJsonContext.Default.HeartbeatResponse);
        Assert.Equal(expected, Encoding.UTF8.GetString(body.ToArray()));
        Assert.Equal(200, context.Response.StatusCode);
    }

    private static (DefaultHttpContext Context, MemoryStream Body) Context()
    {
        var body = new MemoryStream();
        var context = new DefaultHttpContext();
        context.Response.Body = body;
        return (context, body);
    }
}
