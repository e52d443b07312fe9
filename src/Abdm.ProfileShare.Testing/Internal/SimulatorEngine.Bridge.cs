using System.Text.Json;
using Abdm.ProfileShare.Wire.V3;
using Microsoft.AspNetCore.Http;

namespace Abdm.ProfileShare.Testing.Internal;

// The bridge: its service ids (GET /api/hiecm/gateway/v3/bridge-services) and the X-HIP-ID routing rule.
internal sealed partial class SimulatorEngine
{
    /// <summary>
    /// The bridge's service ids: <see cref="GatewaySimulatorOptions.BridgeServiceIds"/>, or when none are configured
    /// the HIP ids registered with <see cref="RegisterHip"/> (ordinal order).
    /// </summary>
    public IReadOnlyList<string> ServiceIds() =>
        _options.BridgeServiceIds.Count > 0 ? [.. _options.BridgeServiceIds] : [.. _hips.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Why a v3 call naming <paramref name="hipId"/> in <c>X-HIP-ID</c> cannot be routed, or <see langword="null"/>.</summary>
    private string? UnroutableReason(string hipId)
    {
        if (!ServiceIds().Contains(hipId, StringComparer.Ordinal))
        {
            return $"X-HIP-ID '{hipId}' is not a service id of the bridge (GET /api/hiecm/gateway/v3/bridge-services lists them; "
                   + "an HFR facility id needs its _n suffix): accepted and not routed.";
        }

        return _hips.ContainsKey(hipId) ? null : $"Service '{hipId}' has no bridge URL (RegisterHip): accepted and not routed.";
    }

    /// <summary>
    /// <c>GET /api/hiecm/gateway/v3/bridge-services</c> (session token and v3 headers): the bridge (id = the client id)
    /// and one active HIP service per service id, in NHA's gateway shape.
    /// </summary>
    private Task<InboundResult> BridgeServicesV3(Inbound inbound)
    {
        InboundChecks.RequireV3Headers(inbound);
        var ids = ServiceIds();
        var firstUrl = ids.Select(id => _hips.TryGetValue(id, out var url) ? url : null).FirstOrDefault(url => url is not null);
        var body = new BridgeServicesV3Response
        {
            Bridge = new BridgeV3 { Id = _options.ClientId, Name = _options.ClientId, Url = firstUrl?.OriginalString, Active = true, Blocklisted = false },
            Services = [.. ids.Select(id => new BridgeServiceV3 { Id = id, Name = id, Types = ["HIP"], Endpoints = null, Active = true })],
        };
        return Task.FromResult(new InboundResult(StatusCodes.Status200OK, JsonSerializer.SerializeToUtf8Bytes(body, SimulatorJson.Compact.BridgeServicesV3Response)));
    }
}
