using Abdm.ProfileShare.Sample.Counters;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Abdm.ProfileShare.Sample.Pages;

/// <summary>The printable QR code of a counter (PNG and SVG from <c>/qr.png</c> and <c>/qr.svg</c>).</summary>
internal sealed class CounterQrModel(Facilities facilities) : PageModel
{
    [BindProperty(Name = "hipId", SupportsGet = true)]
    public string HipId { get; set; } = "";

    [BindProperty(Name = "counter", SupportsGet = true)]
    public string CounterCode { get; set; } = "";

    public FacilityOptions Facility { get; private set; } = null!;

    public CounterOptions Counter { get; private set; } = null!;

    /// <summary>What the QR code encodes: <c>{"hipId":"…","code":"…"}</c>.</summary>
    public string Payload { get; private set; } = "";

    public string BasePath => $"/counters/{Uri.EscapeDataString(HipId)}/{Uri.EscapeDataString(CounterCode)}";

    public IActionResult OnGet()
    {
        if (!facilities.TryFind(HipId, CounterCode, out var facility, out var counter))
        {
            return NotFound();
        }

        Facility = facility;
        Counter = counter;
        Payload = CounterQrCode.Payload(HipId, CounterCode);
        ViewData["Title"] = $"QR code: {counter.DisplayName}";
        return Page();
    }
}
