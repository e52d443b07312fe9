using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Abdm.ProfileShare.Wire;

namespace Abdm.ProfileShare.Testing.Internal;

/// <summary>
/// Serializer settings for what the simulator writes. Callbacks to the HIP look like real gateway traffic:
/// nulls written (<c>"error": null</c>), timestamps with microseconds and no zone. Shares use ABDM's documented
/// <c>...993Z</c> timestamps. Responses (certs, sessions, errors) omit nulls.
/// </summary>
internal static class SimulatorJson
{
    public static SimulatorJsonContext Callbacks { get; } = new(Create(JsonIgnoreCondition.Never, new GatewayTimestampConverter()));

    public static SimulatorJsonContext Shares { get; } = new(Create(JsonIgnoreCondition.Never, new AbdmTimestampConverter()));

    public static SimulatorJsonContext Compact { get; } = new(Create(JsonIgnoreCondition.WhenWritingNull, new AbdmTimestampConverter()));

    private static JsonSerializerOptions Create(JsonIgnoreCondition ignore, JsonConverter timestamps) => new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = ignore,
        Converters = { timestamps },
    };
}

/// <summary>Writes timestamps as the real gateway does: UTC, microseconds, no zone (<c>2022-05-15T15:16:48.277264</c>).</summary>
internal sealed class GatewayTimestampConverter : JsonConverter<DateTimeOffset>
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.ffffff";

    public static string ToText(DateTimeOffset value) => value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && AbdmTimestampConverter.TryParse(reader.GetString(), out var value)
            ? value
            : throw new JsonException("Not a timestamp.");

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) => writer.WriteStringValue(ToText(value));
}

/// <summary>WSO2 API manager's error body (<c>{"fault":{"code":900901,...}}</c>).</summary>
internal sealed record Wso2Fault(Wso2FaultBody Fault);

/// <summary>The inner WSO2 fault.</summary>
internal sealed record Wso2FaultBody(int Code, string Message, string Description);

/// <summary>The v3 API gateway's flat error body (<c>{"code":"900901","message":"Invalid Credentials","description":...}</c>).</summary>
internal sealed record V3FlatError(string Code, string Message, string Description);

/// <summary>The v3 gateway's error body, <c>{"error":{"code":"ABDM-1006","message":...}}</c>.</summary>
internal sealed record V3ErrorResponse(V3Error Error);

/// <summary>A v3 error: the code is a string (<c>ABDM-1006</c>).</summary>
internal sealed record V3Error(string Code, string Message);

/// <summary>One key of the v3 JWKS: the fields of the spec's example, in its order (<c>x5t2</c>, not <c>x5t#S256</c>).</summary>
internal sealed record V3Jwk(string E, string Kid, string Kty, string N, string Use, IReadOnlyList<string> X5c, string X5t, string X5t2, string Alg);

/// <summary>The v3 JWKS.</summary>
internal sealed record V3Certs(IReadOnlyList<V3Jwk> Keys);

/// <summary>The v3 share (<c>POST {hip}/api/v3/hip/patient/share</c>) in the real sandbox's shape.</summary>
internal sealed record V3ShareRequest(string Intent, V3ShareMetaData MetaData, V3ShareProfile Profile);

/// <summary>The v3 share's <c>metaData</c>; latitude and longitude are strings, as observed in the sandbox.</summary>
internal sealed record V3ShareMetaData(string HipId, string Context, string? HprId, string? Latitude, string? Longitude);

/// <summary>The v3 share's <c>profile</c>.</summary>
internal sealed record V3ShareProfile(V3SharePatient Patient);

/// <summary>The v3 share's patient: birth parts are strings, <c>abhaNumber</c> dashed or <see langword="null"/>.</summary>
internal sealed record V3SharePatient(
    string? AbhaNumber, string AbhaAddress, string Name, string Gender, string? DayOfBirth, string? MonthOfBirth, string YearOfBirth,
    V3Address Address, string? PhoneNumber);

/// <summary>The v3 share's address (required, its fields nullable).</summary>
internal sealed record V3Address(string? Line, string? District, string? State, string? Pincode);

/// <summary>A v3 <c>response</c> reference: the <c>REQUEST-ID</c> header of the request answered.</summary>
internal sealed record V3ResponseReference(Guid RequestId);

/// <summary>The success body of <c>on-generate-token</c>.</summary>
internal sealed record V3LinkTokenResult(string AbhaAddress, string LinkToken, V3ResponseReference Response);

/// <summary>The error body of <c>on-generate-token</c>.</summary>
internal sealed record V3LinkTokenError(V3Error Error, V3ResponseReference Response);

/// <summary>Control API: a scan request.</summary>
internal sealed record ControlScanRequest
{
    public string? HipId { get; init; }

    public string? Counter { get; init; }

    public int? PatientIndex { get; init; }

    public string? Version { get; init; }

    public int? TimeoutSeconds { get; init; }
}

/// <summary>Control API: what the phone shows.</summary>
internal sealed record ControlScanResponse
{
    public required string Outcome { get; init; }

    public required Guid ShareRequestId { get; init; }

    public required string HipId { get; init; }

    public required string Counter { get; init; }

    public required string Version { get; init; }

    public required int PatientIndex { get; init; }

    public required string PatientName { get; init; }

    public required string HealthId { get; init; }

    public int? HipStatus { get; init; }

    public string? DeliveryError { get; init; }

    public string? TokenNumber { get; init; }

    public int? ErrorCode { get; init; }

    public string? ErrorCodeText { get; init; }

    public string? ErrorMessage { get; init; }

    public double? Expiry { get; init; }
}

/// <summary>Control API: a running-token status request (<c>POST /_simulator/running-token-status</c>).</summary>
internal sealed record ControlRunningTokenRequest
{
    public string? HipId { get; init; }

    public string? Counter { get; init; }

    public int? TimeoutSeconds { get; init; }
}

/// <summary>Control API: a problem with the control request.</summary>
internal sealed record ControlProblem(string Error);

/// <summary>Control API: one journal line.</summary>
internal sealed record ControlJournalEntry(
    long Sequence, DateTimeOffset Time, string Direction, string Operation, string Method, string Path, int? StatusCode,
    string? Rejection, string? Detail, IReadOnlyList<string> Faults, Guid? RequestId, Guid? RespRequestId);

[JsonSerializable(typeof(ShareProfileRequest))]
[JsonSerializable(typeof(ShareProfileRequestV1))]
[JsonSerializable(typeof(PatientAuthInitResponse))]
[JsonSerializable(typeof(PatientAuthConfirmResponse))]
[JsonSerializable(typeof(SessionResponse))]
[JsonSerializable(typeof(Certs))]
[JsonSerializable(typeof(OpenIdConfiguration))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(Wso2Fault))]
[JsonSerializable(typeof(V3FlatError))]
[JsonSerializable(typeof(V3ErrorResponse))]
[JsonSerializable(typeof(V3Certs))]
[JsonSerializable(typeof(V3ShareRequest))]
[JsonSerializable(typeof(V3LinkTokenResult))]
[JsonSerializable(typeof(V3LinkTokenError))]
[JsonSerializable(typeof(Abdm.ProfileShare.Wire.V3.RunningTokenStatusV3Request))]
[JsonSerializable(typeof(Abdm.ProfileShare.Wire.V3.BridgeServicesV3Response))]
[JsonSerializable(typeof(ControlRunningTokenRequest))]
[JsonSerializable(typeof(RunningTokenStatus))]
[JsonSerializable(typeof(ControlScanRequest))]
[JsonSerializable(typeof(ControlScanResponse))]
[JsonSerializable(typeof(ControlProblem))]
[JsonSerializable(typeof(List<ControlJournalEntry>))]
internal sealed partial class SimulatorJsonContext : JsonSerializerContext;
