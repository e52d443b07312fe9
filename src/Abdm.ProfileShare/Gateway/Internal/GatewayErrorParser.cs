using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Abdm.ProfileShare.Gateway.Internal;

/// <summary>
/// Reads the error shapes the gateway answers with: <c>{"error":{"code","message"}}</c> (ErrorResponse),
/// a bare <c>{"code","message"}</c>, and WSO2's <c>{"fault":{"code","message","description"}}</c>; codes as
/// numbers or strings.
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
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }

            foreach (var wrapper in (ReadOnlySpan<string>)["error", "fault"])
            {
                if (root.TryGetProperty(wrapper, out var inner) && inner.ValueKind == JsonValueKind.Object)
                {
                    return Read(inner);
                }
            }

            return Read(root);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    private static (string? Code, string? Message) Read(JsonElement element)
    {
        string? code = null;
        if (element.TryGetProperty("code", out var codeElement))
        {
            code = codeElement.ValueKind switch
            {
                JsonValueKind.Number => codeElement.GetRawText(),
                JsonValueKind.String => codeElement.GetString()?.Trim().TrimEnd(':').Trim(),
                _ => null,
            };
        }

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

        if (message is { Length: > MaxMessageLength })
        {
            message = message[..MaxMessageLength];
        }

        return (string.IsNullOrEmpty(code) ? null : code, message);
    }
}
