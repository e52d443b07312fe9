using System.Globalization;

namespace Abdm.ProfileShare.Gateway.Internal;

/// <summary>The headers every v3 gateway call carries: <c>REQUEST-ID</c>, <c>TIMESTAMP</c> and <c>X-CM-ID</c>.</summary>
internal static class GatewayV3Headers
{
    public const string RequestId = "REQUEST-ID";
    public const string Timestamp = "TIMESTAMP";
    public const string ConsentManagerId = "X-CM-ID";
    public const string HipId = "X-HIP-ID";

    /// <summary>Sets the v3 headers (an existing <c>REQUEST-ID</c> or <c>X-CM-ID</c> is kept: a retry sends the same).</summary>
    public static void Apply(HttpRequestMessage request, Guid? requestId, DateTimeOffset now, string consentManagerId)
    {
        var headers = request.Headers;
        if (!headers.Contains(RequestId))
        {
            headers.TryAddWithoutValidation(RequestId, (requestId ?? Guid.NewGuid()).ToString("D"));
        }

        headers.Remove(Timestamp);
        headers.TryAddWithoutValidation(Timestamp, Format(now));
        if (!headers.Contains(ConsentManagerId))
        {
            headers.TryAddWithoutValidation(ConsentManagerId, consentManagerId);
        }
    }

    /// <summary>UTC with milliseconds and <c>Z</c>, e.g. <c>2022-10-06T15:10:00.587Z</c>.</summary>
    public static string Format(DateTimeOffset now) =>
        now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
