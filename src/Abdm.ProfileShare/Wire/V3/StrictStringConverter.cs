using System.Text.Json;
using System.Text.Json.Serialization;

namespace Abdm.ProfileShare.Wire.V3;

/// <summary>
/// Reads a string only from a JSON string: for identifiers (<c>abhaAddress</c>, <c>abhaNumber</c>), which
/// <see cref="LenientStringConverter"/> must not take from a JSON number (<c>"abhaAddress": 42</c> is not an ABHA
/// address written differently, it is a broken sender). Writes a JSON string. The exception names no value; the reader
/// describes it by path (<c>expected a string, got a number</c>).
/// </summary>
internal sealed class StrictStringConverter : JsonConverter<string>
{
    /// <summary>The one instance (the converter is stateless).</summary>
    public static StrictStringConverter Instance { get; } = new();

    /// <inheritdoc />
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        _ => throw new JsonException($"Expected a string, found {reader.TokenType}."),
    };

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value);
    }
}
