using System.Text.Json;
using System.Text.Json.Serialization;

namespace Abdm.ProfileShare.Wire;

/// <summary>
/// The source-generated serializer context for every wire DTO (trimming- and AOT-safe).
/// </summary>
/// <remarks>
/// Web defaults (camelCase, case-insensitive reading), enums as strings (also inside lists), tolerant
/// timestamps (<see cref="AbdmTimestampConverter"/>), nulls omitted when writing, unknown fields kept in
/// each DTO's extension data, and nullable annotations respected: a <see langword="null"/> in a field the
/// contract declares non-nullable is a <see cref="JsonException"/> naming the field.
/// </remarks>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    AllowTrailingCommas = false,
    ReadCommentHandling = JsonCommentHandling.Disallow,
    MaxDepth = 32,
    Converters = [typeof(AbdmTimestampConverter)])]
[JsonSerializable(typeof(ShareProfileRequest))]
[JsonSerializable(typeof(ShareProfileRequestV1))]
[JsonSerializable(typeof(ShareProfileResult))]
[JsonSerializable(typeof(ShareProfileResultV1))]
[JsonSerializable(typeof(PatientAuthInitRequest))]
[JsonSerializable(typeof(PatientAuthInitResponse))]
[JsonSerializable(typeof(PatientAuthConfirmRequest))]
[JsonSerializable(typeof(PatientAuthConfirmResponse))]
[JsonSerializable(typeof(SessionRequest))]
[JsonSerializable(typeof(SessionResponse))]
[JsonSerializable(typeof(Certs))]
[JsonSerializable(typeof(OpenIdConfiguration))]
[JsonSerializable(typeof(HeartbeatResponse))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class AbdmJsonContext : JsonSerializerContext;
