using Microsoft.Playwright;
using ZXing;
using ZXing.Common;
using static Microsoft.Playwright.Assertions;

namespace Abdm.ProfileShare.Sample.Tests;

[Collection(BrowserCollection.Name)]
public sealed class QrCodeTests(BrowserFixture browser)
{
    [Theory]
    [InlineData(SampleHost.Hip1, SampleHost.Opd1, "OPD registration 1", "Sample City Hospital")]
    [InlineData(SampleHost.Hip2, SampleHost.Desk, "Front desk", "Sample Rural Health Centre")]
    public async Task QrPage_PngAndSvg_DecodeToTheCountersPayload(string hipId, string counter, string counterName, string facilityName)
    {
        await using var host = await SampleHost.StartAsync(browser.Browser, facility: hipId);
        var page = await host.Browser.NewPageAsync();
        await page.GotoAsync($"/counters/{hipId}/{counter}/qr");
        var expected = $$"""{"hipId":"{{hipId}}","code":"{{counter}}"}""";

        await Expect(page.Locator(".qr-counter")).ToHaveTextAsync(counterName);
        await Expect(page.Locator(".qr-facility")).ToHaveTextAsync(facilityName);
        await Expect(page.Locator("#qr-payload")).ToHaveTextAsync(expected);
        await Expect(page.GetByRole(AriaRole.Img, new() { Name = $"QR code for {counterName} at {facilityName}" })).ToBeVisibleAsync();

        var png = await page.APIRequest.GetAsync($"/counters/{hipId}/{counter}/qr.png");
        Assert.Equal("image/png", png.Headers["content-type"]);
        var svg = await page.APIRequest.GetAsync($"/counters/{hipId}/{counter}/qr.svg");
        Assert.StartsWith("image/svg+xml", svg.Headers["content-type"], StringComparison.Ordinal);

        // Decode what a phone's camera would see: the browser renders each image, ZXing reads the pixels.
        Assert.Equal(expected, await DecodeAsync(page, $"/counters/{hipId}/{counter}/qr.png"));
        Assert.Equal(expected, await DecodeAsync(page, $"/counters/{hipId}/{counter}/qr.svg"));

        if (counter == SampleHost.Opd1)
        {
            await page.ScreenshotAsync(new() { Path = SampleHost.ScreenshotPath("qr-page"), FullPage = true });
            await page.EmulateMediaAsync(new() { Media = Media.Print });
            await Expect(page.Locator(".qr-tools")).ToBeHiddenAsync();
            await Expect(page.Locator(".site-header")).ToBeHiddenAsync();
            await page.ScreenshotAsync(new() { Path = SampleHost.ScreenshotPath("qr-page-print"), FullPage = true });
        }
    }

    [Fact]
    public async Task QrPage_UrlForm_DecodesToAbdmsShareProfileUrl()
    {
        await using var host = await SampleHost.StartAsync(browser.Browser);
        var page = await host.Browser.NewPageAsync();
        await page.GotoAsync($"/counters/{SampleHost.Hip1}/{SampleHost.Opd1}/qr");
        await page.Locator("#qr-other-form").ClickAsync();
        var expected = $"https://phrsbx.abdm.gov.in/share-profile?hip-id={SampleHost.Hip1}&counter-id={SampleHost.Opd1}";

        await Expect(page.Locator("#qr-payload")).ToHaveTextAsync(expected);
        Assert.Equal(expected, await DecodeAsync(page, $"/counters/{SampleHost.Hip1}/{SampleHost.Opd1}/qr.png?form=url"));
        Assert.Equal(expected, await DecodeAsync(page, $"/counters/{SampleHost.Hip1}/{SampleHost.Opd1}/qr.svg?form=url"));
    }

    [Fact]
    public async Task QrCode_UnknownCounter_IsNotFound()
    {
        await using var host = await SampleHost.StartAsync(browser.Browser);
        var page = await host.Browser.NewPageAsync();
        var response = await page.APIRequest.GetAsync($"/counters/{SampleHost.Hip1}/NOPE/qr.png");
        Assert.Equal(404, response.Status);
        var html = await page.GotoAsync($"/counters/{SampleHost.Hip1}/NOPE/qr");
        Assert.Equal(404, html!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Not found");
    }

    private static async Task<string?> DecodeAsync(IPage page, string url)
    {
        // Draw the image on a white canvas (as printed) and hand back its RGBA pixels.
        var pixels = await page.EvaluateAsync<PixelData>("""
            async url => {
                const image = new Image();
                image.src = url;
                await image.decode();
                const size = 600;
                const canvas = document.createElement("canvas");
                canvas.width = size;
                canvas.height = size;
                const context = canvas.getContext("2d");
                context.fillStyle = "#fff";
                context.fillRect(0, 0, size, size);
                context.drawImage(image, 0, 0, size, size);
                const data = context.getImageData(0, 0, size, size).data;
                let binary = "";
                for (let i = 0; i < data.length; i += 0x8000) binary += String.fromCharCode.apply(null, data.subarray(i, i + 0x8000));
                return { width: size, height: size, rgba: btoa(binary) };
            }
            """, url);
        var source = new RGBLuminanceSource(Convert.FromBase64String(pixels.Rgba), pixels.Width, pixels.Height, RGBLuminanceSource.BitmapFormat.RGBA32);
        var reader = new BarcodeReaderGeneric { Options = new DecodingOptions { PossibleFormats = [BarcodeFormat.QR_CODE], TryHarder = true } };
        return reader.Decode(source)?.Text;
    }

    private sealed class PixelData
    {
        public int Width { get; set; }

        public int Height { get; set; }

        public string Rgba { get; set; } = "";
    }
}
