using Abdm.ProfileShare.Sample.Operators;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Abdm.ProfileShare.Sample.Pages;

internal sealed class IndexModel(Facilities facilities) : PageModel
{
    public Facilities Facilities { get; } = facilities;

    /// <summary>The signed-in operator's facility (operators see only their own).</summary>
    public IEnumerable<FacilityOptions> MyFacilities => Facilities.All.Where(f => User.Serves(f.HipId));

    public static string CounterUrl(FacilityOptions facility, CounterOptions counter) =>
        $"/counters/{Uri.EscapeDataString(facility.HipId)}/{Uri.EscapeDataString(counter.Code)}";
}
