using Abdm.ProfileShare.Sample.Counters;
using Abdm.ProfileShare.Sample.Operators;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Sample.Pages;

/// <summary>The printable QR code of a counter (PNG and SVG from <c>/qr.png</c> and <c>/qr.svg</c>).</summary>
internal sealed class CounterQrModel(Facilities facilities, IOptions<AbdmProfileShareOptions> options) : PageModel
{
    [BindProperty(Name = "hipId", SupportsGet = true)]
    public string HipId { get; set; } = "";

    [BindProperty(Name = "counter", SupportsGet = true)]
    public string CounterCode { get; set; } = "";

    public FacilityOptions Facility { get; private set; } = null!;

    public CounterOptions Counter { get; private set; } = null!;

    /// <summary><c>url</c> or <c>json</c>; empty: the URL form on v3, the JSON form otherwise.</summary>
    [BindProperty(Name = "form", SupportsGet = true)]
    public string? Form { get; set; }

    /// <summary>Whether the page shows the URL form.</summary>
    public bool UrlForm { get; private set; }

    /// <summary>What the QR code encodes: the URL <c>…/share-profile?hip-id=…&amp;counter-id=…</c> or <c>{"hipId":"…","code":"…"}</c>.</summary>
    public string Payload { get; private set; } = "";

    public string BasePath => $"/counters/{Uri.EscapeDataString(HipId)}/{Uri.EscapeDataString(CounterCode)}";

    /// <summary>The query that selects the shown form on the image and download links.</summary>
    public string FormQuery => UrlForm ? "?form=url" : "?form=json";

    public IActionResult OnGet()
    {
        if (!User.Serves(HipId) || !facilities.TryFind(HipId, CounterCode, out var facility, out var counter))
        {
            return NotFound();
        }

        Facility = facility;
        Counter = counter;
        UrlForm = CounterQrCode.UseUrlForm(Form, options.Value);
        Payload = CounterQrCode.Payload(HipId, CounterCode, UrlForm, options.Value);
        ViewData["Title"] = $"QR code: {counter.DisplayName}";
        return Page();
    }
}
