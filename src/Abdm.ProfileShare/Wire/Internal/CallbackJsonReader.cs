using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Abdm.ProfileShare.Workflow;

namespace Abdm.ProfileShare.Wire.Internal;

/// <summary>
/// Reads a callback body's bytes into a wire DTO within <see cref="CallbackOptions"/> limits: a UTF-8 byte order mark
/// is skipped (UTF-16/32 is refused), a single <see cref="Utf8JsonReader"/> pass checks structure and limits
/// (<see cref="SecurityJsonScanner"/>: <c>MaxJsonDepth</c>, <c>MaxStringLength</c>, duplicate names, enum values), then
/// the source-generated contract deserializes it (a failure described by <see cref="SecurityJsonErrorDescriber"/>).
/// </summary>
/// <remarks>
/// No message ever contains a submitted value (bodies carry patient data): messages name JSON paths, limits and the
/// expected kind of value. The size limit (<c>MaxBodyBytes</c>) is the transport's: it holds the bytes.
/// </remarks>
internal static class CallbackJsonReader
{
    /// <summary>Reads <paramref name="json"/> as <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The wire DTO.</typeparam>
    /// <param name="json">The body's bytes.</param>
    /// <param name="typeInfo">The DTO's source-generated contract.</param>
    /// <param name="limits">The depth and string-length limits.</param>
    /// <returns>The DTO, or why the body is refused (no error code: the caller knows the wire version's).</returns>
    public static CallbackReadResult<T> Read<T>(ReadOnlySpan<byte> json, JsonTypeInfo<T> typeInfo, CallbackOptions limits)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        ArgumentNullException.ThrowIfNull(limits);

        if (json.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            json = json[3..];
        }
        else if (json.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) || json.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || json.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00]))
        {
            return Bad<T>("The body must be UTF-8 encoded JSON.");
        }

        if (json.Trim(" \t\r\n"u8).IsEmpty)
        {
            return Bad<T>("The body is empty.");
        }

        var schema = SecurityJsonSchema.For(typeInfo);
        var error = SecurityJsonScanner.Scan(json, schema, limits.MaxJsonDepth, limits.MaxStringLength);
        if (error is not null)
        {
            return Bad<T>(error);
        }

        T? value;
        try
        {
            value = JsonSerializer.Deserialize(json, typeInfo);
        }
        catch (JsonException ex)
        {
            return Bad<T>(SecurityJsonErrorDescriber.Describe(ex, json, schema));
        }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException or FormatException or OverflowException or ArgumentException)
        {
            return Bad<T>("The body does not match the contract.");
        }

        return value is null ? Bad<T>("The body must be a JSON object.") : new CallbackReadResult<T>(value, null, null);
    }

    private static CallbackReadResult<T> Bad<T>(string error)
        where T : class => new(null, error, null);
}
