using System.Text.Json;
using System.Text.Json.Serialization;

namespace Abdm.ProfileShare.Storage.Internal;

/// <summary>
/// Reads a stored gateway error code written as a number (entries stored before error codes became strings, e.g.
/// <c>1441</c>) or a string (<c>"ABDM-1051"</c>); writes a string.
/// </summary>
internal sealed class ErrorCodeJsonConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => reader.TryGetInt64(out var number) ? number.ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
        JsonTokenType.Null => null,
        _ => throw new JsonException($"Expected an error code (a string or a number), found {reader.TokenType}."),
    };

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
