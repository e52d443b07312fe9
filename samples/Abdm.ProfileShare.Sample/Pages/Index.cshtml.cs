using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Abdm.ProfileShare.Sample.Pages;

internal sealed class IndexModel(Facilities facilities) : PageModel
{
    public Facilities Facilities { get; } = facilities;

    public static string CounterUrl(FacilityOptions facility, CounterOptions counter) =>
        $"/counters/{Uri.EscapeDataString(facility.HipId)}/{Uri.EscapeDataString(counter.Code)}";
}
