using System.Net.Http.Headers;

namespace Abdm.ProfileShare.Gateway.Internal;

internal static class GatewayContent
{
    public static readonly MediaTypeWithQualityHeaderValue JsonMediaType = new("application/json");

    /// <summary>Pre-serialized UTF-8 JSON: re-readable, so a retried or re-authenticated request resends the same bytes.</summary>
    public static ByteArrayContent Json(byte[] utf8Json)
    {
        var content = new ByteArrayContent(utf8Json);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }
}
