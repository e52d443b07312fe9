using Microsoft.Extensions.Options;

namespace Abdm.ProfileShare.Sample;

/// <summary>The configured facilities and counters, to look up by id.</summary>
internal sealed class Facilities(IOptions<SampleOptions> options)
{
    public SampleMode Mode => options.Value.Mode;

    public IReadOnlyList<FacilityOptions> All => options.Value.ActiveFacilities;

    public FacilityOptions? Find(string hipId) =>
        options.Value.ActiveFacilities.FirstOrDefault(f => string.Equals(f.HipId, hipId, StringComparison.Ordinal));

    public bool TryFind(string hipId, string counterCode, out FacilityOptions facility, out CounterOptions counter)
    {
        facility = Find(hipId)!;
        counter = facility?.FindCounter(counterCode)!;
        return facility is not null && counter is not null;
    }
}
