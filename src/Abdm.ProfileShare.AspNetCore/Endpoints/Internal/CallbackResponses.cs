using Abdm.ProfileShare.AspNetCore.Diagnostics.Internal;
using Abdm.ProfileShare.AspNetCore.Internal;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Abdm.ProfileShare.AspNetCore.Endpoints.Internal;

/// <summary>
/// The bodies the endpoints answer with, written with a <see cref="Utf8JsonWriter"/> (no wire DTO): the gateway's
/// error shapes and the heartbeat. The bytes are those the source-generated wire contracts write (web defaults, the
/// default encoder, nulls omitted).
/// </summary>
internal static class CallbackResponses
{
    /// <summary>The content type of every answer.</summary>
    public const string JsonContentType = "application/json";

    /// <summary>The heartbeat's content type (as <c>Results.Json</c> writes it).</summary>
    public const string HeartbeatContentType = "application/json; charset=utf-8";

    /// <summary>The timestamp format of the heartbeat: UTC with milliseconds and <c>Z</c>, as every ABDM timestamp this library sends.</summary>
    public const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>
    /// Answers an error: v0.5/v1.0 <c>{"error":{"code":&lt;HTTP status&gt;,"message":".."}}</c>; v3
    /// <c>{"error":{"code":"ABDM-1006","message":".."}}</c> with a string code.
    /// </summary>
    /// <param name="context">The request.</param>
    /// <param name="statusCode">The HTTP status (also the v0.5/v1.0 code).</param>
    /// <param name="message">The message (names a path, a header or a limit; never a submitted value).</param>
    /// <param name="v3Code">The v3 code; <see langword="null"/> for the v0.5/v1.0 shape.</param>
    /// <returns>A task that completes when the body is written.</returns>
    public static Task WriteErrorAsync(HttpContext context, int statusCode, string message, string? v3Code = null)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = JsonContentType;
        using var writer = new Utf8JsonWriter(context.Response.BodyWriter);
        writer.WriteStartObject();
        WriteError(writer, statusCode, v3Code, message);
        writer.WriteEndObject();
        writer.Flush();
        return FlushAsync(context);
    }

    /// <summary>The heartbeat: <c>{"timestamp":"..Z","status":"UP"}</c>, or <c>DOWN</c> with error 500 and <paramref name="downMessage"/>.</summary>
    /// <param name="context">The request.</param>
    /// <param name="timestamp">Now.</param>
    /// <param name="downMessage">Why the host is down; <see langword="null"/> when it is up.</param>
    /// <returns>A task that completes when the body is written.</returns>
    public static Task WriteHeartbeatAsync(HttpContext context, DateTimeOffset timestamp, string? downMessage)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = HeartbeatContentType;
        using var writer = new Utf8JsonWriter(context.Response.BodyWriter);
        Span<char> text = stackalloc char[32];
        timestamp.UtcDateTime.TryFormat(text, out var written, TimestampFormat, CultureInfo.InvariantCulture);
        writer.WriteStartObject();
        writer.WriteString("timestamp"u8, text[..written]);
        writer.WriteString("status"u8, downMessage is null ? "UP"u8 : "DOWN"u8);
        if (downMessage is not null)
        {
            WriteError(writer, StatusCodes.Status500InternalServerError, null, downMessage);
        }

        writer.WriteEndObject();
        writer.Flush();
        return FlushAsync(context);
    }

    private static void WriteError(Utf8JsonWriter writer, int statusCode, string? v3Code, string message)
    {
        writer.WriteStartObject("error"u8);
        if (v3Code is null)
        {
            writer.WriteNumber("code"u8, statusCode);
        }
        else
        {
            writer.WriteString("code"u8, v3Code);
        }

        writer.WriteString("message"u8, message);
        writer.WriteEndObject();
    }

    private static Task FlushAsync(HttpContext context)
    {
        // Not cancelled by a client disconnect, as Results.Json: the write fails on its own if the connection is gone.
        var flush = context.Response.BodyWriter.FlushAsync();
        return flush.IsCompletedSuccessfully ? Task.CompletedTask : flush.AsTask();
    }
}
