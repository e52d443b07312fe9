namespace Abdm.ProfileShare.Sample;

/// <summary>Where the sample gets its gateway from.</summary>
/// <summary><c>Sample:Store</c>: where the SDK keeps the queue, the outbox and linking tokens.</summary>
internal enum SampleStore
{
    /// <summary><c>sample.db</c> in <c>Sample:DataDirectory</c>, beside the patient list (the default).</summary>
    Sqlite,

    /// <summary>Redis at <c>Sample:Redis</c> (a StackExchange.Redis configuration string).</summary>
    Redis,

    /// <summary>PostgreSQL, configured under <c>AbdmProfileShare:PostgreSql</c> (<c>ConnectionString</c>, <c>Schema</c>, ...).</summary>
    PostgreSql,
}

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

    /// <summary><c>Sample:Store</c>: <c>Sqlite</c> (default), <c>Redis</c> or <c>PostgreSql</c>.</summary>
    public SampleStore Store { get; set; } = SampleStore.Sqlite;

    /// <summary><c>Sample:Redis</c>: the StackExchange.Redis configuration string when <c>Sample:Store</c> is <c>Redis</c>.</summary>
    public string? Redis { get; set; }

    /// <summary><c>Sample:DataDirectory</c>: where <c>sample.db</c> lives, relative to the project folder. Default: <c>data</c>.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>
    /// <c>Sample:Facilities</c>: the synthetic HIPs served in simulator mode and their registration counters
    /// (in appsettings.json).
    /// </summary>
    public List<FacilityOptions> Facilities { get; set; } = [];

    /// <summary>
    /// <c>Sample:SandboxFacilities</c>: the real HIPs served in sandbox mode (your HIP ids registered with ABDM), set
    /// from the environment or user secrets and never committed, for example
    /// <c>Sample__SandboxFacilities__0__HipId</c>. A separate list, because configuration merges arrays by index.
    /// </summary>
    public List<FacilityOptions> SandboxFacilities { get; set; } = [];

    /// <summary>The facilities of the current mode.</summary>
    public List<FacilityOptions> ActiveFacilities => Mode == SampleMode.Sandbox ? SandboxFacilities : Facilities;

    /// <summary>Every problem with the settings, each naming its key.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!Enum.IsDefined(Store))
        {
            problems.Add("Sample:Store must be Sqlite, Redis or PostgreSql.");
        }

        if (Store == SampleStore.Redis && string.IsNullOrWhiteSpace(Redis))
        {
            problems.Add("Sample:Redis is required when Sample:Store is Redis (for example 127.0.0.1:6379).");
        }

        var key = Mode == SampleMode.Sandbox ? "Sample:SandboxFacilities" : "Sample:Facilities";
        var facilities = ActiveFacilities;
        if (facilities.Count == 0)
        {
            problems.Add($"{key} must list at least one facility (HipId, Name, Counters), for example {key.Replace(":", "__", StringComparison.Ordinal)}__0__HipId.");
        }

        var hipIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < facilities.Count; i++)
        {
            var facility = facilities[i];
            if (string.IsNullOrWhiteSpace(facility.HipId))
            {
                problems.Add($"{key}:{i}:HipId is required.");
            }
            else if (!hipIds.Add(facility.HipId))
            {
                problems.Add($"{key}:{i}:HipId '{facility.HipId}' is listed twice.");
            }

            if (facility.Counters.Count == 0)
            {
                problems.Add($"{key}:{i}:Counters must list at least one counter (Code, Name).");
            }

            var codes = new HashSet<string>(StringComparer.Ordinal);
            for (var j = 0; j < facility.Counters.Count; j++)
            {
                var code = facility.Counters[j].Code;
                if (string.IsNullOrWhiteSpace(code))
                {
                    problems.Add($"{key}:{i}:Counters:{j}:Code is required.");
                }
                else if (!codes.Add(code))
                {
                    problems.Add($"{key}:{i}:Counters:{j}:Code '{code}' is listed twice.");
                }
                else if (CounterQrPayload.WhyInvalidCounterId(code, facility.HipId) is { } why)
                {
                    problems.Add($"{key}:{i}:Counters:{j}:Code: {why}");
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
    /// <summary>
    /// The counter id: the QR code's <c>code</c> (URL form: <c>counter-id</c>), sent back by the gateway as
    /// <c>profile.hipCode</c> (v3: <c>metaData.context</c>). ABDM's rule: 1 to 20 letters or digits.
    /// </summary>
    public string Code { get; set; } = "";

    /// <summary>The name shown on screens and printed QR codes.</summary>
    public string Name { get; set; } = "";

    public string DisplayName => string.IsNullOrWhiteSpace(Name) ? Code : Name;
}
