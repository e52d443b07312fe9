using System.Globalization;
using System.Text.Json;
using Abdm.ProfileShare.Wire;

namespace Abdm.ProfileShare.Testing.Internal;

/// <summary>
/// Strict reads of a received JSON body by dotted path; each read throws a <see cref="RejectionException"/> naming
/// the field (never its value) when the rule is broken.
/// </summary>
internal readonly struct BodyRules(JsonElement root)
{
    public JsonElement? Find(string path)
    {
        var current = root;
        foreach (var part in path.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out var next))
            {
                return null;
            }

            current = next;
        }

        return current.ValueKind == JsonValueKind.Null ? null : current;
    }

    public JsonElement Object(string path)
    {
        var element = Find(path) ?? throw Missing(path);
        return element.ValueKind == JsonValueKind.Object
            ? element
            : throw new RejectionException(GatewayRejection.InvalidFieldValue, $"'{path}' must be an object.");
    }

    /// <summary>An optional object: absent and <see langword="null"/> are fine, anything else must be an object.</summary>
    public void OptionalObject(string path)
    {
        if (Find(path) is { } element && element.ValueKind != JsonValueKind.Object)
        {
            throw new RejectionException(GatewayRejection.InvalidFieldValue, $"'{path}' must be an object or null.");
        }
    }

    public string String(string path)
    {
        var element = Find(path) ?? throw Missing(path);
        if (element.ValueKind != JsonValueKind.String)
        {
            throw new RejectionException(GatewayRejection.InvalidFieldValue, $"'{path}' must be a string.");
        }

        var text = element.GetString();
        return string.IsNullOrWhiteSpace(text) ? throw Missing(path) : text;
    }

    public Guid Uuid(string path) =>
        Guid.TryParse(String(path), out var value)
            ? value
            : throw new RejectionException(GatewayRejection.InvalidFieldValue, $"'{path}' must be a UUID.");

    public DateTimeOffset Timestamp(string path)
    {
        var element = Find(path) ?? throw Missing(path);
        return element.ValueKind == JsonValueKind.String && AbdmTimestampConverter.TryParse(element.GetString(), out var value)
            ? value
            : throw new RejectionException(GatewayRejection.InvalidTimestamp, $"'{path}' must be an ISO 8601 timestamp (for example 2022-05-15T15:16:48.277Z).");
    }

    public string Enum(string path, params string[] allowed)
    {
        var element = Find(path) ?? throw Missing(path);
        var text = element.ValueKind == JsonValueKind.String ? element.GetString() : null;
        return text is not null && allowed.Contains(text, StringComparer.Ordinal)
            ? text
            : throw new RejectionException(GatewayRejection.InvalidEnumValue, $"'{path}' must be {string.Join(" or ", allowed)}.");
    }

    public DateOnly Date(string path)
    {
        var text = String(path);
        return text.Length == 10 && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var value)
            ? value
            : throw new RejectionException(GatewayRejection.InvalidFieldValue, $"'{path}' must be a date as YYYY-MM-DD.");
    }

    /// <summary>A JSON number greater than zero (a string holding a number is refused).</summary>
    public double PositiveNumber(string path)
    {
        var element = Find(path) ?? throw Missing(path);
        return element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out var value) && value > 0
            ? value
            : throw new RejectionException(GatewayRejection.InvalidFieldValue, $"'{path}' must be a JSON number greater than 0 (not a string).");
    }

    /// <summary>A JSON integer between <paramref name="min"/> and <paramref name="max"/> (a string holding a number is refused).</summary>
    public long Integer(string path, long min, long max, string what)
    {
        var element = Find(path) ?? throw Missing(path);
        return element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var value) && value >= min && value <= max
            ? value
            : throw new RejectionException(GatewayRejection.InvalidFieldValue, $"'{path}' must be a JSON number ({what}), not a string.");
    }

    /// <summary>The requestId, when it is a UUID (for the journal; no rule).</summary>
    public Guid? TryUuid(string path) =>
        Find(path) is { ValueKind: JsonValueKind.String } element && Guid.TryParse(element.GetString(), out var value) ? value : null;

    /// <summary>A string, when present (for the journal; no rule).</summary>
    public string? TryString(string path) =>
        Find(path) is { ValueKind: JsonValueKind.String } element ? element.GetString() : null;

    private static RejectionException Missing(string path) => new(GatewayRejection.MissingField, $"Required field '{path}' is missing, null or empty.");
}
