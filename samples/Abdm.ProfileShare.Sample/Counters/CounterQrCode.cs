using Abdm.ProfileShare.Model;
using QRCoder;

namespace Abdm.ProfileShare.Sample.Counters;

/// <summary>
/// The QR code a counter displays, in either form of <see cref="CounterQrPayload"/>: the JSON of the v0.5/v1.0 documents
/// <c>{"hipId":"&lt;HIP id&gt;","code":"&lt;counter id&gt;"}</c> or ABDM's URL
/// <c>https://phrsbx.abdm.gov.in/share-profile?hip-id=…&amp;counter-id=…</c>. The PHR app reads it and the gateway
/// sends the counter id back in the share, which is how a scan reaches the right counter's screen.
/// </summary>
internal static class CounterQrCode
{
    /// <summary>Error correction level M (15%): dense enough for a small counter printout, tolerant of smudges.</summary>
    private const QRCodeGenerator.ECCLevel Ecc = QRCodeGenerator.ECCLevel.M;

    /// <summary>The form to print: <c>form=url</c> or <c>form=json</c>, else the URL form on v3 and the JSON form otherwise.</summary>
    public static bool UseUrlForm(string? form, AbdmProfileShareOptions options) => form?.ToUpperInvariant() switch
    {
        "URL" => true,
        "JSON" => false,
        _ => options.WireVersion == WireVersion.V3,
    };

    /// <summary>The payload: the URL form (host from <c>AbdmProfileShare:Qr:ShareProfileUrl</c>) or compact JSON with <c>hipId</c> first.</summary>
    public static string Payload(string hipId, string counterCode, bool urlForm, AbdmProfileShareOptions options)
    {
        var payload = CounterQrPayload.Create(hipId, counterCode);
        return urlForm ? payload.ToUrl(options.Qr.ShareProfileUrl).AbsoluteUri : payload.ToJson();
    }

    /// <summary>A PNG of the payload (black on white, with the quiet zone).</summary>
    public static byte[] Png(string payload, int pixelsPerModule = 10)
    {
        using var data = QRCodeGenerator.GenerateQrCode(payload, Ecc);
        using var png = new PngByteQRCode(data);
        return png.GetGraphic(pixelsPerModule, drawQuietZones: true);
    }

    /// <summary>A scalable SVG of the payload (sized by its viewBox).</summary>
    public static string Svg(string payload)
    {
        using var data = QRCodeGenerator.GenerateQrCode(payload, Ecc);
        using var svg = new SvgQRCode(data);
        return svg.GetGraphic(10, "#000000", "#ffffff", drawQuietZones: true, sizingMode: SvgQRCode.SizingMode.ViewBoxAttribute);
    }
}
