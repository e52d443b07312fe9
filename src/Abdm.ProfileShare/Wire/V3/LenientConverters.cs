using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Abdm.ProfileShare.Wire.V3;

/// <summary>
/// Reads a string from a JSON string or a JSON number (kept as its exact text: the sandbox sends
/// <c>"yearOfBirth": "2000"</c> where other senders write <c>2000</c>); writes a JSON string.
/// </summary>
internal sealed class LenientStringConverter : JsonConverter<string>
{
    /// <inheritdoc />
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan),
        JsonTokenType.Null => null,
        _ => throw new JsonException($"Expected a string or a number, found {reader.TokenType}."),
    };

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value);
    }
}

/// <summary>
/// Reads an optional number from a JSON number, a numeric JSON string (the sandbox sends <c>"latitude": "12.97"</c>),
/// an empty string or <c>null</c> (no value); writes a JSON number or <c>null</c>.
/// </summary>
internal sealed class LenientDoubleConverter : JsonConverter<double?>
{
    /// <inheritdoc />
    public override bool HandleNull => true;

    /// <inheritdoc />
    public override double? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number:
                return reader.GetDouble();
            case JsonTokenType.String:
                var span = (reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan).Trim(" "u8);
                if (span.IsEmpty)
                {
                    return null;
                }

                if (Utf8Parser.TryParse(span, out double value, out var consumed) && consumed == span.Length && double.IsFinite(value))
                {
                    return value;
                }

                throw new JsonException("Expected a number; the string is not a number.");
            default:
                throw new JsonException($"Expected a number or a numeric string, found {reader.TokenType}.");
        }
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, double? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is { } number)
        {
            writer.WriteNumberValue(number);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
