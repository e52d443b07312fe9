using System.Text.Json;
using System.Text.Json.Serialization;

namespace Abdm.ProfileShare.Wire.V3;

/// <summary>
/// The source-generated serializer context for the ABDM v3 wire DTOs (trimming- and AOT-safe).
/// </summary>
/// <remarks>
/// Web defaults (camelCase, case-insensitive reading), nulls omitted when writing, unknown fields kept in each DTO's
/// extension data, nullable annotations respected. Reading is lenient where the real sandbox differs from NHA's
/// document: a string field also accepts a JSON number (birth parts, counter ids) and a number field also accepts a
/// numeric string (<c>"latitude": "12.97"</c>); see <see cref="LenientStringConverter"/> and <see cref="LenientDoubleConverter"/>.
/// The share callback is read with <see cref="ShareV3Contract.ShareRequest"/>, where the patient's identifiers stay strings.
/// </remarks>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    AllowTrailingCommas = false,
    ReadCommentHandling = JsonCommentHandling.Disallow,
    MaxDepth = 32,
    Converters = [typeof(LenientStringConverter), typeof(LenientDoubleConverter)])]
[JsonSerializable(typeof(ShareProfileV3Request))]
[JsonSerializable(typeof(OnShareV3Request))]
[JsonSerializable(typeof(GenerateLinkTokenV3Request))]
[JsonSerializable(typeof(OnGenerateLinkTokenV3Request))]
[JsonSerializable(typeof(ErrorResponseV3))]
[JsonSerializable(typeof(RunningTokenStatusV3Request))]
[JsonSerializable(typeof(OnRunningTokenStatusV3Request))]
[JsonSerializable(typeof(BridgeServicesV3Response))]
internal sealed partial class AbdmV3JsonContext : JsonSerializerContext;
