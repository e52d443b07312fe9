namespace Abdm.ProfileShare.Testing.Internal;

/// <summary>
/// The v3 sandbox's rules on generate-token, per ABHA address (folded to lower case): the request window per
/// (address, <c>X-HIP-ID</c>) from the last accepted request (<c>ABDM-1092</c>), and the block an address earns after
/// repeated refusals (<c>ABDM-1027</c>). Thread-safe; time comes from the caller (the simulator's clock).
/// </summary>
internal sealed class LinkTokenThrottle
{
    private readonly Lock _gate = new();
    private readonly GatewaySimulatorOptions _options;
    private readonly Dictionary<(string Address, string HipId), DateTimeOffset> _lastAccepted = [];
    private readonly Dictionary<string, List<DateTimeOffset>> _refusals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _blockedUntil = new(StringComparer.Ordinal);

    public LinkTokenThrottle(GatewaySimulatorOptions options)
    {
        _options = options;
    }

    /// <summary>What the gateway does with one well-formed generate-token.</summary>
    public enum Decision
    {
        /// <summary>Accepted (202); the window starts now.</summary>
        Accept,

        /// <summary>Refused 400 <c>ABDM-1092</c>: inside the window of an accepted request.</summary>
        Duplicate,

        /// <summary>Accepted (202), answered on-generate-token with <c>ABDM-1027</c>: the address is blocked.</summary>
        Blocked,
    }

    /// <summary>Decides, and records the acceptance or the refusal (a refusal may start a block).</summary>
    public Decision Check(string abhaAddress, string hipId, DateTimeOffset now)
    {
        var address = abhaAddress.ToLowerInvariant();
        lock (_gate)
        {
            if (_options.EnforceBlockAfterRefusals && _blockedUntil.TryGetValue(address, out var until))
            {
                if (now < until)
                {
                    return Decision.Blocked;
                }

                _blockedUntil.Remove(address);
            }

            if (_options.EnforceLinkTokenRequestWindow && _lastAccepted.TryGetValue((address, hipId), out var accepted)
                && now < accepted + _options.LinkTokenRequestWindow)
            {
                Refused(address, now);
                return Decision.Duplicate;
            }

            _lastAccepted[(address, hipId)] = now;
            return Decision.Accept;
        }
    }

    private void Refused(string address, DateTimeOffset now)
    {
        if (!_options.EnforceBlockAfterRefusals)
        {
            return;
        }

        if (!_refusals.TryGetValue(address, out var times))
        {
            _refusals[address] = times = [];
        }

        times.RemoveAll(t => t <= now - _options.BlockDuration);
        times.Add(now);
        if (times.Count >= _options.RefusalsBeforeBlock)
        {
            _blockedUntil[address] = now + _options.BlockDuration;
            _refusals.Remove(address);
        }
    }
}
