using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Abdm.ProfileShare.Gateway.Internal;

/// <summary>
/// Reads every error shape the gateway answers with (CONTRACT-v3 section 0): <c>{"error":{"code","message"}}</c>
/// (ErrorResponse), a top-level array <c>[{"code","message"}]</c>, a flat <c>{"code","message"}</c> (also the API
/// gateway's <c>{"code","message","description"}</c>), <c>{"message","timestamp"}</c>, WSO2's
/// <c>{"fault":{"code","message","description"}}</c>, a field-keyed object <c>{"abhaAddress":"must not be null"}</c>,
/// and an empty body. Codes as numbers or strings; <c>"ABDM-1006: "</c> is trimmed to <c>ABDM-1006</c>.
/// </summary>
internal static class GatewayErrorParser
{
    private const int MaxMessageLength = 512;

    public const string InvalidCredentialsCode = "900901";

    public static (string? Code, string? Message) Parse(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return (null, null);
        }

        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 16 });
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
            {
                // [{"code","message"}, ...]: the first error names the problem.
                foreach (var item in root.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.Object)
                    {
                        return Read(item);
                    }
                }

                return (null, null);
            }

            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }

            foreach (var wrapper in (ReadOnlySpan<string>)["error", "fault"])
            {
                if (root.TryGetProperty(wrapper, out var inner))
                {
                    if (inner.ValueKind == JsonValueKind.Object)
                    {
                        return Read(inner);
                    }

                    if (inner.ValueKind == JsonValueKind.String && !root.TryGetProperty("message", out _))
                    {
                        // {"error": "Bad Request", ...} (a Spring-style body): the text is the message.
                        return (ReadCode(root), Truncate(inner.GetString()));
                    }
                }
            }

            var (code, message) = Read(root);
            return code is null && message is null ? ReadFieldKeyed(root) : (code, message);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    /// <summary>Trims a code as the sandbox sends it: <c>"ABDM-1006: "</c> becomes <c>ABDM-1006</c>.</summary>
    public static string? NormalizeCode(string? code)
    {
        var trimmed = code?.Trim().TrimEnd(':').Trim();
        return string.IsNullOrEmpty(trimmed) ? null : trimmed;
    }

    private static string? ReadCode(JsonElement element) =>
        element.TryGetProperty("code", out var codeElement)
            ? codeElement.ValueKind switch
            {
                JsonValueKind.Number => codeElement.GetRawText(),
                JsonValueKind.String => NormalizeCode(codeElement.GetString()),
                _ => null,
            }
            : null;

    /// <summary><c>{"abhaAddress":"must not be null","yearOfBirth":"invalid"}</c>: the fields and their complaints, as the message.</summary>
    private static (string? Code, string? Message) ReadFieldKeyed(JsonElement root)
    {
        var text = new System.Text.StringBuilder();
        foreach (var property in root.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String || property.NameEquals("timestamp") || property.NameEquals("path") || property.NameEquals("status"))
            {
                continue;
            }

            if (text.Length > 0)
            {
                text.Append("; ");
            }

            text.Append(property.Name).Append(": ").Append(property.Value.GetString());
            if (text.Length > MaxMessageLength)
            {
                break;
            }
        }

        return (null, text.Length == 0 ? null : Truncate(text.ToString()));
    }

    private static string? Truncate(string? message) => message is { Length: > MaxMessageLength } ? message[..MaxMessageLength] : message;

    private static (string? Code, string? Message) Read(JsonElement element)
    {
        var code = ReadCode(element);

        string? message = null;
        if (element.TryGetProperty("message", out var messageElement) && messageElement.ValueKind == JsonValueKind.String)
        {
            message = messageElement.GetString();
        }

        if (element.TryGetProperty("description", out var description) && description.ValueKind == JsonValueKind.String
            && !string.IsNullOrWhiteSpace(description.GetString()))
        {
            message = string.IsNullOrWhiteSpace(message) ? description.GetString() : string.Create(CultureInfo.InvariantCulture, $"{message} ({description.GetString()})");
        }

        return (code, Truncate(message));
    }
}
