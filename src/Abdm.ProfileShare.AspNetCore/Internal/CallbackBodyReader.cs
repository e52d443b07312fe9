using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace Abdm.ProfileShare.AspNetCore.Internal;

internal readonly record struct CallbackBody<T>(T? Value, int StatusCode, string? Error);

internal static class CallbackBodyReader
{
    public static async Task<CallbackBody<T>> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, CallbackOptions limits, CancellationToken cancellationToken)
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync(request.Body, typeInfo, cancellationToken).ConfigureAwait(false);
            return value is null ? new CallbackBody<T>(default, 400, "The body is null.") : new CallbackBody<T>(value, 0, null);
        }
        catch (JsonException ex)
        {
            return new CallbackBody<T>(default, 400, ex.Path);
        }
    }

    public static IResult Error(int statusCode, string message) =>
        Results.Json(new Abdm.ProfileShare.Wire.ErrorResponse { Error = new Abdm.ProfileShare.Wire.Error { Code = statusCode, Message = message } },
            Abdm.ProfileShare.Wire.AbdmJsonContext.Default.ErrorResponse, statusCode: statusCode);
}
