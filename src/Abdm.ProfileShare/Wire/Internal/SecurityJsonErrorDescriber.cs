using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Abdm.ProfileShare.Wire.Internal;

/// <summary>
/// Turns a deserialization <see cref="JsonException"/> into a message that names the JSON path and the problem
/// (missing required property, null not allowed, unknown enum value, wrong type) without echoing any submitted
/// value: the serializer's own message is never used, and unknown property names are shown as <c>?</c>.
/// </summary>
internal static class SecurityJsonErrorDescriber
{
    public static string Describe(JsonException exception, ReadOnlySpan<byte> json, SecurityJsonSchema schema)
    {
        var segments = ParsePath(exception.Path);
        using var document = TryParse(json);
        var element = document?.RootElement;
        var current = schema;
        var path = new StringBuilder("$");
        var pathIsExact = segments is not null;
        foreach (var segment in segments ?? [])
        {
            if (segment.Name is { } name)
            {
                SecurityJsonSchema.Member? member = null;
                current?.Members?.TryGetValue(name, out member);
                path.Append('.').Append(member?.Name ?? "?");
                current = member?.Schema;
                element = element is { ValueKind: JsonValueKind.Object } obj ? Property(obj, name) : null;
            }
            else
            {
                path.Append('[').Append(segment.Index.ToString(CultureInfo.InvariantCulture)).Append(']');
                current = current?.Element;
                element = element is { ValueKind: JsonValueKind.Array } array && segment.Index < array.GetArrayLength()
                    ? array[segment.Index]
                    : null;
            }
        }

        var at = pathIsExact ? path.ToString() : "$";
        if (element is not { } value || current is null)
        {
            return $"Invalid value at {at}.";
        }

        if (value.ValueKind == JsonValueKind.Object && current.Kind == JsonTypeInfoKind.Object && current.Members is { } members)
        {
            var missing = members.Values.Where(m => m.IsRequired && Property(value, m.Name) is null).Select(m => m.Name).ToList();
            if (missing.Count > 0)
            {
                return $"Missing required propert{(missing.Count == 1 ? "y" : "ies")} at {at}: {string.Join(", ", missing)}.";
            }

            var nulls = members.Values.Where(m => m.IsRequired && Property(value, m.Name) is { ValueKind: JsonValueKind.Null }).Select(m => m.Name).ToList();
            if (nulls.Count > 0)
            {
                return $"Null is not allowed at {at}.{nulls[0]}.";
            }
        }

        if (value.ValueKind == JsonValueKind.Null)
        {
            return $"Null is not allowed at {at}.";
        }

        if (current.IsEnum)
        {
            return $"Unknown value at {at}: expected {current.Describe()}.";
        }

        var actual = value.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "another kind of value",
        };
        var expected = current.Describe();
        return string.Equals(ExpectedKind(current), actual, StringComparison.Ordinal)
            ? $"Invalid value at {at}: expected {expected}; the {actual[(actual.IndexOf(' ', StringComparison.Ordinal) + 1)..]} is not valid or out of range."
            : $"Invalid value at {at}: expected {expected}, got {actual}.";
    }

    private static string ExpectedKind(SecurityJsonSchema schema)
    {
        if (schema.Kind is JsonTypeInfoKind.Object or JsonTypeInfoKind.Dictionary)
        {
            return "an object";
        }

        if (schema.Kind == JsonTypeInfoKind.Enumerable)
        {
            return "an array";
        }

        var type = schema.Type;
        if (type == typeof(string) || type == typeof(Guid) || type == typeof(DateTimeOffset) || type == typeof(DateTime) || schema.IsEnum)
        {
            return "a string";
        }

        return type == typeof(bool) ? "a boolean" : "a number";
    }

    private static JsonElement? Property(JsonElement obj, string name)
    {
        foreach (var property in obj.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    private static JsonDocument? TryParse(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
            return JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Parses a System.Text.Json path (<c>$.a.b[0]['c.d']</c>); <see langword="null"/> when it is not one.</summary>
    internal static List<Segment>? ParsePath(string? path)
    {
        if (string.IsNullOrEmpty(path) || path[0] != '$')
        {
            return null;
        }

        var segments = new List<Segment>();
        var i = 1;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
                segments.Add(new Segment(path[(i + 1)..end], -1));
                i = end;
            }
            else if (path[i] == '[' && i + 1 < path.Length && path[i + 1] == '\'')
            {
                var end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    return null;
                }

                segments.Add(new Segment(path[(i + 2)..end], -1));
                i = end + 2;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i + 1);
                if (end < 0 || !int.TryParse(path.AsSpan(i + 1, end - i - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    return null;
                }

                segments.Add(new Segment(null, index));
                i = end + 1;
            }
            else
            {
                return null;
            }
        }

        return segments;
    }

    internal readonly record struct Segment(string? Name, int Index);
}
