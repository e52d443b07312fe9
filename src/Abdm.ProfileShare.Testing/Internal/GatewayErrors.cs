using System.Text.Json;
using Abdm.ProfileShare.Wire;
using Microsoft.AspNetCore.Http;

namespace Abdm.ProfileShare.Testing.Internal;

/// <summary>
/// The gateway's error bodies: for a rejected request (WSO2 faults for credentials, <c>{"error":{...}}</c> else) and
/// for a <see cref="FaultKind.RespondWith"/> fault, in the v0.5/v1.0 and the v3 shapes.
/// </summary>
internal static class GatewayErrors
{
    public static byte[] ErrorBody(RejectionException rejection) => rejection.Rule switch
    {
        GatewayRejection.MissingCredentials => JsonSerializer.SerializeToUtf8Bytes(
            new Wso2Fault(new Wso2FaultBody(900902, "Missing Credentials", "Invalid Credentials. Make sure your API invocation call has a header: 'Authorization : Bearer ***'")),
            SimulatorJson.Compact.Wso2Fault),
        GatewayRejection.InvalidCredentials => JsonSerializer.SerializeToUtf8Bytes(
            new Wso2Fault(new Wso2FaultBody(900901, "Invalid Credentials", "Invalid Credentials. Make sure you have provided the correct security credentials")),
            SimulatorJson.Compact.Wso2Fault),
        _ => JsonSerializer.SerializeToUtf8Bytes(
            new ErrorResponse { Error = new Error { Code = rejection.ErrorCode, Message = rejection.Message } }, SimulatorJson.Compact.ErrorResponse),
    };

    /// <summary>v3 error bodies: the API gateway's flat body for credentials, <c>{"error":{"code":"ABDM-xxxx",...}}</c> else.</summary>
    public static byte[] ErrorBodyV3(RejectionException rejection) => rejection.Rule switch
    {
        GatewayRejection.MissingCredentials => JsonSerializer.SerializeToUtf8Bytes(
            new V3FlatError("900902", "Missing Credentials", "Invalid Credentials. Make sure your API invocation call has a header: 'Authorization : Bearer ***'"),
            SimulatorJson.Compact.V3FlatError),
        _ when RejectionException.IsV3Flat(rejection.Rule) => JsonSerializer.SerializeToUtf8Bytes(
            new V3FlatError("900901", "Invalid Credentials", "Invalid Credentials. Make sure you have provided the correct security credentials"),
            SimulatorJson.Compact.V3FlatError),
        _ => JsonSerializer.SerializeToUtf8Bytes(new V3ErrorResponse(new V3Error(rejection.V3ErrorCode, rejection.Message)), SimulatorJson.Compact.V3ErrorResponse),
    };

    public static (string Code, byte[] Body) FaultResponse(int statusCode) => statusCode switch
    {
        StatusCodes.Status429TooManyRequests => ("900800", JsonSerializer.SerializeToUtf8Bytes(
            new Wso2Fault(new Wso2FaultBody(900800, "Message throttled out", "You have exceeded your quota")), SimulatorJson.Compact.Wso2Fault)),
        >= 500 => ("1500", JsonSerializer.SerializeToUtf8Bytes(
            new ErrorResponse { Error = new Error { Code = 1500, Message = "Unknown error occurred." } }, SimulatorJson.Compact.ErrorResponse)),
        _ => ("1000", JsonSerializer.SerializeToUtf8Bytes(
            new ErrorResponse { Error = new Error { Code = 1000, Message = "Simulated failure." } }, SimulatorJson.Compact.ErrorResponse)),
    };

    /// <summary>v3 fault answers: the spec's codes (429 <c>ABDM-1022</c>, 503 <c>ABDM-1024</c>, else <c>ABDM-9999</c>).</summary>
    public static (string Code, byte[] Body) FaultResponseV3(int statusCode)
    {
        var (code, message) = statusCode switch
        {
            StatusCodes.Status429TooManyRequests => ("ABDM-1022", "Too many requests"),
            StatusCodes.Status503ServiceUnavailable => ("ABDM-1024", "Dependent service unavailable"),
            _ => ("ABDM-9999", "Unknown exception"),
        };
        return (code, JsonSerializer.SerializeToUtf8Bytes(new V3ErrorResponse(new V3Error(code, message)), SimulatorJson.Compact.V3ErrorResponse));
    }
}
