using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace Abdm.ProfileShare.Workflow.Internal;

/// <summary>
/// When a linking token expires, read from its <c>exp</c> claim. This reads a claim of a token the gateway sent over
/// the authenticated callback; it does not validate the token (the gateway does when the token is used).
/// </summary>
internal static class LinkingTokenExpiry
{
    /// <summary>The lifetime assumed when the token has no readable <c>exp</c> (the v0.5 gateway's token lifetime).</summary>
    public static readonly TimeSpan Fallback = TimeSpan.FromHours(24);

    // A JWT payload larger than this is not a linking token: not decoded.
    private const int MaxPayloadLength = 16 * 1024;

    /// <summary>The token's <c>exp</c>, or <paramref name="receivedAt"/> + <see cref="Fallback"/>.</summary>
    /// <param name="token">The clear token.</param>
    /// <param name="receivedAt">When it was received.</param>
    /// <returns>When it expires.</returns>
    public static DateTimeOffset Read(string token, DateTimeOffset receivedAt) =>
        TryReadExp(token, out var exp) ? exp : receivedAt + Fallback;

    /// <summary>Reads the <c>exp</c> claim (seconds since the Unix epoch) of a compact JWS.</summary>
    public static bool TryReadExp(string token, out DateTimeOffset expiresAt)
    {
        expiresAt = default;
        var parts = token.Split('.');
        if (parts.Length != 3 || parts[1].Length == 0 || parts[1].Length > MaxPayloadLength)
        {
            return false;
        }

        var payload = ArrayPool<byte>.Shared.Rent(Base64Url.GetMaxDecodedLength(parts[1].Length));
        try
        {
            if (Base64Url.DecodeFromChars(parts[1], payload, out _, out var written) != OperationStatus.Done)
            {
                return false;
            }

            using var document = JsonDocument.Parse(payload.AsMemory(0, written));
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("exp", out var exp)
                || exp.ValueKind != JsonValueKind.Number
                || !exp.TryGetDouble(out var seconds)
                || !double.IsFinite(seconds)
                || seconds < 0
                || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
            {
                return false;
            }

            expiresAt = DateTimeOffset.UnixEpoch.AddTicks((long)(seconds * TimeSpan.TicksPerSecond));
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(payload, clearArray: true);
        }
    }
}
