using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Abdm.ProfileShare.Wire;

/// <summary>
/// Reads ABDM timestamps tolerantly and writes them in the form the specification asks for.
/// </summary>
/// <remarks>
/// Real gateway traffic carries timestamps with microseconds and no zone (<c>2022-05-15T15:16:48.277264</c>)
/// as well as the specification's <c>2022-05-15T15:16:48.277Z</c>. A timestamp without a zone is read as UTC
/// (never as the server's local time). Timestamps are written as UTC with milliseconds and <c>Z</c>.
/// </remarks>
internal sealed class AbdmTimestampConverter : JsonConverter<DateTimeOffset>
{
    /// <summary>The format every outbound timestamp is written in.</summary>
    public const string WriteFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <inheritdoc />
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("A timestamp must be a JSON string (ISO 8601, for example 2022-05-15T15:16:48.277Z).");
        }

        var text = reader.GetString();
        if (TryParse(text, out var value))
        {
            return value;
        }

        throw new JsonException("A timestamp is not an ISO 8601 date and time (for example 2022-05-15T15:16:48.277Z).");
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<char> buffer = stackalloc char[32];
        if (value.UtcDateTime.TryFormat(buffer, out var written, WriteFormat, CultureInfo.InvariantCulture))
        {
            writer.WriteStringValue(buffer[..written]);
        }
        else
        {
            writer.WriteStringValue(Format(value));
        }
    }

    /// <summary>Formats a timestamp the way this library sends it: UTC, milliseconds, <c>Z</c>.</summary>
    /// <param name="value">The instant.</param>
    /// <returns>For example <c>2022-05-11T04:58:00.037Z</c>.</returns>
    public static string Format(DateTimeOffset value) => value.UtcDateTime.ToString(WriteFormat, CultureInfo.InvariantCulture);

    /// <summary>Parses an ABDM timestamp; a value without a zone is UTC.</summary>
    /// <param name="text">The text.</param>
    /// <param name="value">The instant, when the text is a timestamp.</param>
    /// <returns><see langword="true"/> when <paramref name="text"/> is an ISO 8601 timestamp.</returns>
    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        if (!string.IsNullOrWhiteSpace(text) && text.Length <= 64
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value))
        {
            return true;
        }

        value = default;
        return false;
    }
}
