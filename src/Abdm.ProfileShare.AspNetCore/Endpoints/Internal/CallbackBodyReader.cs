using Abdm.ProfileShare.AspNetCore.Diagnostics.Internal;
using Abdm.ProfileShare.AspNetCore.Internal;
using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using Abdm.ProfileShare.Workflow;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Abdm.ProfileShare.AspNetCore.Endpoints.Internal;

/// <summary>The outcome of reading a callback body.</summary>
/// <typeparam name="T">What the body was read into.</typeparam>
/// <param name="Value">The body, when read.</param>
/// <param name="StatusCode">0 when read; otherwise the HTTP status to answer (400, 413, 415).</param>
/// <param name="Error">Why not (names JSON paths and limits, never a submitted value).</param>
/// <param name="ErrorCode">v3: the ABDM error code the inbox named for a refused body; null otherwise.</param>
internal readonly record struct CallbackBody<T>(T? Value, int StatusCode, string? Error, string? ErrorCode = null)
{
    /// <summary>Whether the body was read.</summary>
    public bool Succeeded => StatusCode == 0;

    public static CallbackBody<T> Ok(T value) => new(value, 0, null);

    public static CallbackBody<T> Fail(int statusCode, string error, string? errorCode = null) => new(default, statusCode, error, errorCode);
}

/// <summary>
/// Reads a callback body's bytes within <see cref="CallbackOptions"/> limits: JSON content type (415), size
/// (<c>MaxBodyBytes</c>, 413, checked on Content-Length and while streaming), then hands them to the inbox
/// (<see cref="IProfileShareInbox"/>), which reads the JSON (limits, the contract, the wire version's rules; 400).
/// </summary>
/// <remarks>
/// No message ever contains a submitted value (bodies carry patient data). The pooled buffer is cleared before it is
/// returned to the pool, right after the inbox read it: nothing awaited later holds the bytes.
/// </remarks>
internal static class CallbackBodyReader
{
    /// <summary>The first buffer for a body without Content-Length (grown while it streams in).</summary>
    private const int InitialBufferBytes = 4096;

    /// <summary>Reads the body and hands its bytes to <paramref name="read"/>.</summary>
    /// <typeparam name="TState">What <paramref name="read"/> needs besides the bytes (the inbox, the HIP, ...).</typeparam>
    /// <typeparam name="T">What the body is read into.</typeparam>
    /// <param name="request">The callback request.</param>
    /// <param name="limits">The size limit (<c>MaxBodyBytes</c>).</param>
    /// <param name="state">Passed to <paramref name="read"/>.</param>
    /// <param name="read">Reads the bytes (<see cref="IProfileShareInbox.ReadShare"/>, <see cref="IProfileShareInbox.ReadLinkingCallback"/>).</param>
    /// <param name="ct">Cancels reading the body.</param>
    /// <returns>The value, or the status and message to answer with.</returns>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<CallbackBody<T>> ReadAsync<TState, T>(HttpRequest request, CallbackOptions limits, TState state,
        Func<TState, ReadOnlySpan<byte>, CallbackReadResult<T>> read, CancellationToken ct)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(read);

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

                    var count = await request.Body.ReadAsync(buffer.AsMemory(total, Math.Min(buffer.Length, limit + 1) - total), ct).ConfigureAwait(false);
                    if (count == 0)
                    {
                        break;
                    }

                    total += count;
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

            var result = read(state, buffer.AsSpan(0, total));
            return result.Value is { } value
                ? CallbackBody<T>.Ok(value)
                : CallbackBody<T>.Fail(StatusCodes.Status400BadRequest, result.Error ?? "The request is invalid.", result.ErrorCode);
        }
        finally
        {
            // Only the bytes read were written: clear those (the body is patient data) before the pool sees them again.
            buffer.AsSpan(0, Math.Min(total, buffer.Length)).Clear();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool IsJson(string? contentType)
    {
        // What the gateway sends, recognised without parsing (a parse allocates per callback); anything else is parsed.
        if (string.Equals(contentType, "application/json", StringComparison.OrdinalIgnoreCase)
            || string.Equals(contentType, "application/json; charset=utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

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

    private static CallbackBody<T> TooLarge<T>(int limit) =>
        CallbackBody<T>.Fail(StatusCodes.Status413PayloadTooLarge, string.Create(CultureInfo.InvariantCulture, $"The body is larger than {limit} bytes."));
}
