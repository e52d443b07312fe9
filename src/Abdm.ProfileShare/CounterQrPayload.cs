using System.Text;
using System.Text.Json;

namespace Abdm.ProfileShare;

/// <summary>
/// What a registration counter's QR code encodes, in both forms a PHR app reads: the JSON
/// <c>{"hipId":"&lt;HIP&gt;","code":"&lt;COUNTER&gt;"}</c> and ABDM's current URL
/// <c>https://phrsbx.abdm.gov.in/share-profile?hip-id=&lt;HIP&gt;&amp;counter-id=&lt;COUNTER&gt;</c>. The counter id comes back
/// in the share (<c>profile.hipCode</c>, v3 <c>metaData.context</c>), which is how a scan reaches its counter's queue.
/// </summary>
/// <remarks>
/// ABDM's rule for the counter id is 1 to 20 ASCII letters or digits, no special characters, and not the facility's
/// own id (<see cref="WhyInvalidCounterId"/>). Render the payload with any QR library (the sample uses QRCoder).
/// </remarks>
public sealed record CounterQrPayload
{
    /// <summary>The longest counter id ABDM allows: 20.</summary>
    public const int MaxCounterIdLength = 20;

    private CounterQrPayload(string hipId, string counterId)
    {
        HipId = hipId;
        CounterId = counterId;
    }

    /// <summary>The HIP (facility) id.</summary>
    public string HipId { get; }

    /// <summary>The counter id.</summary>
    public string CounterId { get; }

    /// <summary>Creates the payload of a counter's QR code.</summary>
    /// <param name="hipId">The HIP (facility) id: 1 to 64 characters, no whitespace.</param>
    /// <param name="counterId">The counter id: 1 to 20 ASCII letters or digits, not the HIP id.</param>
    /// <returns>The payload.</returns>
    /// <exception cref="ArgumentException">Either id breaks its rule; the message names the rule.</exception>
    public static CounterQrPayload Create(string hipId, string counterId)
    {
        if (string.IsNullOrWhiteSpace(hipId) || hipId.Length > 64 || hipId.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException("The HIP id must be 1 to 64 characters without whitespace.", nameof(hipId));
        }

        if (WhyInvalidCounterId(counterId, hipId) is { } why)
        {
            throw new ArgumentException(why, nameof(counterId));
        }

        return new CounterQrPayload(hipId, counterId);
    }

    /// <summary>Says why a counter id breaks ABDM's rule, or returns <see langword="null"/> when it is valid.</summary>
    /// <param name="counterId">The counter id.</param>
    /// <param name="hipId">The facility's HIP id (a counter id may not repeat it), when known.</param>
    /// <returns>The reason, naming the rule, or <see langword="null"/>.</returns>
    public static string? WhyInvalidCounterId(string? counterId, string? hipId = null)
    {
        if (string.IsNullOrEmpty(counterId))
        {
            return "The counter id is required: 1 to 20 letters or digits.";
        }

        if (counterId.Length > MaxCounterIdLength)
        {
            return $"The counter id is longer than {MaxCounterIdLength} characters (ABDM allows 1 to 20 letters or digits).";
        }

        foreach (var c in counterId)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return "The counter id may contain only the letters A-Z, a-z and the digits 0-9 (no spaces, hyphens or other characters).";
            }
        }

        if (hipId is not null && string.Equals(counterId, hipId, StringComparison.OrdinalIgnoreCase))
        {
            return "The counter id must not be the facility's HIP id: name the counter (for example OPD1).";
        }

        return null;
    }

    /// <summary>The JSON form: <c>{"hipId":"…","code":"…"}</c>, compact, <c>hipId</c> first.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson()
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("hipId", HipId);
            writer.WriteString("code", CounterId);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>ABDM's URL form: <paramref name="shareProfileUrl"/><c>?hip-id=…&amp;counter-id=…</c>.</summary>
    /// <param name="shareProfileUrl">
    /// The PHR app's share-profile page for the environment (<c>AbdmProfileShare:Qr:ShareProfileUrl</c>; the sandbox's is
    /// <c>https://phrsbx.abdm.gov.in/share-profile</c>). It must be an absolute https URL without a query.
    /// </param>
    /// <returns>The URL to encode.</returns>
    /// <exception cref="ArgumentException"><paramref name="shareProfileUrl"/> is not an absolute https URL without a query.</exception>
    public Uri ToUrl(Uri shareProfileUrl)
    {
        ArgumentNullException.ThrowIfNull(shareProfileUrl);
        if (!shareProfileUrl.IsAbsoluteUri || shareProfileUrl.Scheme != Uri.UriSchemeHttps || !string.IsNullOrEmpty(shareProfileUrl.Query))
        {
            throw new ArgumentException("The share-profile URL must be an absolute https URL without a query.", nameof(shareProfileUrl));
        }

        var text = shareProfileUrl.GetLeftPart(UriPartial.Path);
        return new Uri($"{text}?hip-id={Uri.EscapeDataString(HipId)}&counter-id={Uri.EscapeDataString(CounterId)}", UriKind.Absolute);
    }

    /// <inheritdoc />
    public override string ToString() => $"CounterQrPayload {{ HipId = {HipId}, CounterId = {CounterId} }}";
}
