using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Abdm.ProfileShare.Wire;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Abdm.ProfileShare.AspNetCore.Internal;

/// <summary>The outcome of reading a callback body.</summary>
/// <typeparam name="T">The body type.</typeparam>
/// <param name="Value">The body, when read.</param>
/// <param name="StatusCode">0 when read; otherwise the HTTP status to answer (400, 413, 415).</param>
/// <param name="Error">Why not (names JSON paths and limits, never a submitted value).</param>
internal readonly record struct CallbackBody<T>(T? Value, int StatusCode, string? Error)
{
    /// <summary>Whether the body was read.</summary>
    public bool Succeeded => StatusCode == 0;

    public static CallbackBody<T> Ok(T value) => new(value, 0, null);

    public static CallbackBody<T> Fail(int statusCode, string error) => new(default, statusCode, error);
}

/// <summary>
/// Reads a callback body within <see cref="CallbackOptions"/> limits: JSON content type (415), size
/// (<c>MaxBodyBytes</c>, 413, checked on Content-Length and while streaming), a single
/// <see cref="Utf8JsonReader"/> pass for structure and limits (<c>MaxJsonDepth</c>, <c>MaxStringLength</c>, 400),
/// then deserialization with the source-generated contract (400 naming the JSON path and the problem).
/// </summary>
/// <remarks>
/// No message ever contains a submitted value (bodies carry patient data). The pooled buffer is cleared before
/// it is returned to the pool. A UTF-8 byte order mark is skipped; UTF-16/32 bodies are refused.
/// </remarks>
internal static class CallbackBodyReader
{
    /// <summary>The first buffer for a body without Content-Length (grown while it streams in).</summary>
    private const int InitialBufferBytes = 4096;

    public static async Task<CallbackBody<T>> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, CallbackOptions limits, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(typeInfo);
        ArgumentNullException.ThrowIfNull(limits);

        if (!IsJson(request.ContentType))
        {
            return CallbackBody<T>.Fail(StatusCodes.Status415UnsupportedMediaType, "Content-Type must be application/json.");
        }

        var limit = limits.MaxBodyBytes;
        if (request.ContentLength > limit)
        {
            return TooLarge<T>(limit);
        }

        // Sized by Content-Length when it is given (a share is about half a kilobyte), else grown as the body streams
        // in, up to the limit: renting and clearing the largest size for every callback cost more than the rest of
        // the read (and, once the pool's few large arrays were all rented, large-object-heap allocations).
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(request.ContentLength + 1 ?? InitialBufferBytes, limit + 1L));
        var total = 0;
        try
        {
            try
            {
                while (total <= limit)
                {
                    if (total == buffer.Length)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(buffer.Length * 2L, limit + 1L));
                        buffer.AsSpan(0, total).CopyTo(larger);
                        buffer.AsSpan(0, total).Clear();
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }

                    var read = await request.Body.ReadAsync(buffer.AsMemory(total, Math.Min(buffer.Length, limit + 1) - total), ct);
                    if (read == 0)
                    {
                        break;
                    }

                    total += read;
                }
            }
            catch (BadHttpRequestException ex)
            {
                return ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                    ? TooLarge<T>(limit)
                    : CallbackBody<T>.Fail(StatusCodes.Status400BadRequest, "The request body could not be read.");
            }

            if (total > limit)
            {
                return TooLarge<T>(limit);
            }

            return Parse(buffer.AsSpan(0, total), typeInfo, limits);
        }
        finally
        {
            // Only the bytes read were written: clear those (the body is patient data) before the pool sees them again.
            buffer.AsSpan(0, Math.Min(total, buffer.Length)).Clear();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The gateway's error body <c>{"error":{"code":..,"message":".."}}</c> with status <paramref name="statusCode"/>.</summary>
    public static IResult Error(int statusCode, string message) =>
        TypedResults.Json(
            new ErrorResponse { Error = new Error { Code = statusCode, Message = message } },
            AbdmJsonContext.Default.ErrorResponse,
            contentType: "application/json",
            statusCode: statusCode);

    private static CallbackBody<T> Parse<T>(ReadOnlySpan<byte> json, JsonTypeInfo<T> typeInfo, CallbackOptions limits)
    {
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

        return value is null ? Bad<T>("The body must be a JSON object.") : CallbackBody<T>.Ok(value);
    }

    private static bool IsJson(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType))
        {
            return false;
        }

        if (mediaType.MatchesAllTypes || mediaType.MatchesAllSubTypes)
        {
            return false;
        }

        return mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (mediaType.Type.Equals("application", StringComparison.OrdinalIgnoreCase)
                && mediaType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));
    }

    private static CallbackBody<T> Bad<T>(string error) => CallbackBody<T>.Fail(StatusCodes.Status400BadRequest, error);

    private static CallbackBody<T> TooLarge<T>(int limit) =>
        CallbackBody<T>.Fail(StatusCodes.Status413PayloadTooLarge, string.Create(CultureInfo.InvariantCulture, $"The body is larger than {limit} bytes."));
}
