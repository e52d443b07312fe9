namespace Abdm.ProfileShare.Sample;

/// <summary>Where the sample gets its gateway from.</summary>
internal enum SampleMode
{
    /// <summary>The gateway simulator from Abdm.ProfileShare.Testing, started in-process (the default).</summary>
    Simulator,

    /// <summary>The real ABDM sandbox; credentials and HIP ids from configuration or environment variables.</summary>
    Sandbox,
}

/// <summary>The sample's own settings (section <c>Sample</c>).</summary>
internal sealed class SampleOptions
{
    public const string SectionName = "Sample";

    /// <summary><c>Sample:Mode</c>: <c>Simulator</c> (default) or <c>Sandbox</c>.</summary>
    public SampleMode Mode { get; set; } = SampleMode.Simulator;

    /// <summary><c>Sample:DataDirectory</c>: where <c>sample.db</c> lives, relative to the project folder. Default: <c>data</c>.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary><c>Sample:Facilities</c>: the HIPs this HIS serves and their registration counters.</summary>
    public List<FacilityOptions> Facilities { get; set; } = [];

    /// <summary>Every problem with the settings, each naming its key.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Facilities.Count == 0)
        {
            problems.Add("Sample:Facilities must list at least one facility (HipId, Name, Counters).");
        }

        var hipIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Facilities.Count; i++)
        {
            var facility = Facilities[i];
            if (string.IsNullOrWhiteSpace(facility.HipId))
            {
                problems.Add($"Sample:Facilities:{i}:HipId is required.");
            }
            else if (!hipIds.Add(facility.HipId))
            {
                problems.Add($"Sample:Facilities:{i}:HipId '{facility.HipId}' is listed twice.");
            }

            if (facility.Counters.Count == 0)
            {
                problems.Add($"Sample:Facilities:{i}:Counters must list at least one counter (Code, Name).");
            }

            var codes = new HashSet<string>(StringComparer.Ordinal);
            for (var j = 0; j < facility.Counters.Count; j++)
            {
                var code = facility.Counters[j].Code;
                if (string.IsNullOrWhiteSpace(code))
                {
                    problems.Add($"Sample:Facilities:{i}:Counters:{j}:Code is required.");
                }
                else if (!codes.Add(code))
                {
                    problems.Add($"Sample:Facilities:{i}:Counters:{j}:Code '{code}' is listed twice.");
                }
            }
        }

        return problems;
    }
}

/// <summary>One facility (HIP).</summary>
internal sealed class FacilityOptions
{
    /// <summary>The HIP id registered with ABDM (the QR code's <c>hipId</c>).</summary>
    public string HipId { get; set; } = "";

    /// <summary>The name shown on screens and printed QR codes.</summary>
    public string Name { get; set; } = "";

    /// <summary>The registration counters.</summary>
    public List<CounterOptions> Counters { get; set; } = [];

    public string DisplayName => string.IsNullOrWhiteSpace(Name) ? HipId : Name;

    public CounterOptions? FindCounter(string code) => Counters.FirstOrDefault(c => string.Equals(c.Code, code, StringComparison.Ordinal));
}

/// <summary>One registration counter.</summary>
internal sealed class CounterOptions
{
    /// <summary>The counter code: the QR code's <c>code</c>, sent back by the gateway as <c>profile.hipCode</c>.</summary>
    public string Code { get; set; } = "";

    /// <summary>The name shown on screens and printed QR codes.</summary>
    public string Name { get; set; } = "";

    public string DisplayName => string.IsNullOrWhiteSpace(Name) ? Code : Name;
}
