using System.Buffers.Text;
using System.Text;

namespace Abdm.ProfileShare.Tests.TestSupport;

/// <summary>Synthetic compact JWTs shaped like the gateway's linking tokens (unsigned: only claims are read).</summary>
internal static class TestJwt
{
    /// <summary>A JWT whose payload carries <paramref name="payloadJson"/>.</summary>
    public static string WithPayload(string payloadJson) =>
        Segment("""{"alg":"RS256","typ":"JWT"}""") + "." + Segment(payloadJson) + "." + Segment("synthetic-signature");

    /// <summary>A JWT expiring at <paramref name="expiresAt"/> (whole seconds).</summary>
    public static string Expiring(DateTimeOffset expiresAt) =>
        WithPayload($$"""{"sub":"synthetic.patient@sbx","isKYCVerified":false,"exp":{{expiresAt.ToUnixTimeSeconds()}}}""");

    /// <summary>The payload segment of a JWT (what a leak of the token's claims would show).</summary>
    public static string PayloadSegment(string jwt) => jwt.Split('.')[1];

    private static string Segment(string text) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));
}
