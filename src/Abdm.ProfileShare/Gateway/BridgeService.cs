namespace Abdm.ProfileShare.Gateway;

/// <summary>
/// A service registered against this bridge (v3 <c>GET /api/hiecm/gateway/v3/bridge-services</c>): its id is what
/// <c>X-HIP-ID</c> must carry, and what <c>AbdmProfileShare:HipIds</c> lists on v3 (for example <c>IN1410000232_1</c>:
/// the HFR facility id and <c>_n</c>). A call with the HFR facility id is accepted with 202 and its callback never comes.
/// </summary>
public sealed record BridgeService
{
    /// <summary>The service id.</summary>
    public required string Id { get; init; }

    /// <summary>The service's name, when the gateway gives one.</summary>
    public string? Name { get; init; }

    /// <summary>Whether the service is active, when the gateway says.</summary>
    public bool? Active { get; init; }

    /// <summary>The service's types as the gateway lists them (<c>HIP</c>, <c>HIU</c>, ...).</summary>
    public IReadOnlyList<string> Types { get; init; } = [];
}
