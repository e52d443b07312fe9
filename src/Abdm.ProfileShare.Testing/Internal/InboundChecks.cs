using System.Globalization;
using System.Text.RegularExpressions;
using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Testing.Internal;

/// <summary>
/// The header checks the gateway's operations share: the consent manager id (<c>X-CM-ID</c>) against the patient's
/// PHR address, and the correlation headers of every v3 call.
/// </summary>
internal static partial class InboundChecks
{
    public static string RequireConsentManagerId(Inbound inbound) =>
        inbound.Header("X-CM-ID") ?? throw new RejectionException(GatewayRejection.MissingConsentManagerId, "The X-CM-ID header is required.");

    public static void CheckConsentManagerId(string presented, string healthId)
    {
        if (!string.Equals(presented, ConsentManager.FromHealthId(healthId), StringComparison.Ordinal))
        {
            throw new RejectionException(GatewayRejection.ConsentManagerIdMismatch, "X-CM-ID must be the suffix of the patient's PHR address (for example sbx).");
        }
    }

    /// <summary>
    /// The headers every v3 call to the gateway carries, in this order: <c>REQUEST-ID</c> (a UUID),
    /// <c>TIMESTAMP</c> (ISO 8601 in UTC: <c>Z</c> or <c>+00:00</c>), <c>X-CM-ID</c> (present). Returns the REQUEST-ID.
    /// </summary>
    public static Guid RequireV3Headers(Inbound inbound)
    {
        if (!Guid.TryParseExact(inbound.Header("REQUEST-ID"), "D", out var requestId))
        {
            throw new RejectionException(GatewayRejection.InvalidRequestIdHeader, "The REQUEST-ID header is required and must be a UUID.");
        }

        var timestamp = inbound.Header("TIMESTAMP");
        if (timestamp is null || !UtcTimestamp().IsMatch(timestamp)
            || !DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
        {
            throw new RejectionException(GatewayRejection.InvalidTimestampHeader, "The TIMESTAMP header is required and must be ISO 8601 in UTC (for example 2026-01-15T10:00:00.123Z).");
        }

        if (inbound.Header("X-CM-ID") is null)
        {
            throw new RejectionException(GatewayRejection.MissingConsentManagerId, "The X-CM-ID header is required.");
        }

        return requestId;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]00:?00)$", RegexOptions.CultureInvariant)]
    private static partial Regex UtcTimestamp();
}
