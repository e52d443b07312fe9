using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Abdm.ProfileShare.Wire;

namespace Abdm.ProfileShare.Testing.Internal;

/// <summary>
/// Serializer settings for what the simulator writes. Callbacks to the HIP look like real gateway traffic:
/// nulls written (<c>"error": null</c>), timestamps with microseconds and no zone. Shares use the seed's
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

    public string? ErrorMessage { get; init; }
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
[JsonSerializable(typeof(ControlScanRequest))]
[JsonSerializable(typeof(ControlScanResponse))]
[JsonSerializable(typeof(ControlProblem))]
[JsonSerializable(typeof(List<ControlJournalEntry>))]
internal sealed partial class SimulatorJsonContext : JsonSerializerContext;
