using System.Text;
using System.Text.Json;
using QRCoder;

namespace Abdm.ProfileShare.Sample.Counters;

/// <summary>
/// The QR code a counter displays. It encodes exactly <c>{"hipId":"&lt;HIP id&gt;","code":"&lt;counter code&gt;"}</c>:
/// the PHR app reads it and the gateway sends <c>code</c> back as <c>profile.hipCode</c> in the share, which is how a
/// scan reaches the right counter's screen.
/// </summary>
internal static class CounterQrCode
{
    /// <summary>Error correction level M (15%): dense enough for a small counter printout, tolerant of smudges.</summary>
    private const QRCodeGenerator.ECCLevel Ecc = QRCodeGenerator.ECCLevel.M;

    /// <summary>The payload, as compact JSON with <c>hipId</c> first.</summary>
    public static string Payload(string hipId, string counterCode)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("hipId", hipId);
            writer.WriteString("code", counterCode);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
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
