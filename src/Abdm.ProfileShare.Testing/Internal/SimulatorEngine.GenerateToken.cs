using System.Globalization;
using System.Text.RegularExpressions;

namespace Abdm.ProfileShare.Testing.Internal;

// v3 generate-token and the on-generate-token callback it causes.
internal sealed partial class SimulatorEngine
{
    /// <summary>
    /// v3 generate-token: checks the request, then the sandbox's rules in this order: the bridge service id (an
    /// <c>X-HIP-ID</c> that is not a service: 202 and no callback), the block (202 and <c>ABDM-1027</c>), the request
    /// window (400 <c>ABDM-1092</c>). Accepted: 202, then on-generate-token with a link token when the ABHA address is
    /// held and the demographics match, else error <c>ABDM-1051</c>.
    /// </summary>
    private Task<InboundResult> GenerateToken(Inbound inbound)
    {
        var generateRequestId = InboundChecks.RequireV3Headers(inbound);
        var consentManagerId = inbound.Header("X-CM-ID")!;
        var hipId = inbound.Header("X-HIP-ID");
        inbound.HipId = hipId;
        if (hipId is null || (!_options.EnforceBridgeServiceIds && !_hips.ContainsKey(hipId)))
        {
            throw new RejectionException(GatewayRejection.UnknownRequester, "Invalid HIP ID: the X-HIP-ID header must name a HIP registered with the gateway.");
        }

        var rules = inbound.Rules;
        long? abhaNumber = rules.Find("abhaNumber") is null ? null : rules.Integer("abhaNumber", 10_000_000_000_000, 99_999_999_999_999, "14 digits");
        var abhaAddress = rules.String("abhaAddress");
        if (!AbhaAddress().IsMatch(abhaAddress))
        {
            throw new RejectionException(GatewayRejection.InvalidFieldValue, "'abhaAddress' must be an ABHA address such as name@sbx.");
        }

        inbound.HealthId = abhaAddress;
        var name = rules.String("name");
        var gender = rules.Enum("gender", "M", "F", "O", "D", "T", "U");
        var yearOfBirth = rules.Integer("yearOfBirth", 1900, 2200, "4 digits, 1900-2200");
        InboundChecks.CheckConsentManagerId(consentManagerId, abhaAddress);

        if (_options.EnforceBridgeServiceIds && UnroutableReason(hipId) is { } reason)
        {
            Log.NotRouted(_logger, generateRequestId, hipId);
            return Task.FromResult(InboundResult.Accepted with { Detail = reason + " No on-generate-token will be sent." });
        }

        var hipUrl = _hips[hipId];
        var decision = _throttle.Check(abhaAddress, hipId, _time.GetUtcNow());
        if (decision == LinkTokenThrottle.Decision.Duplicate)
        {
            throw new RejectionException(GatewayRejection.DuplicateLinkTokenRequest, "Duplicate Link token request");
        }

        var patient = _patients.Values.FirstOrDefault(p => string.Equals(p.HealthId, abhaAddress, StringComparison.OrdinalIgnoreCase));
        var matches = patient is not null
                      && string.Equals(name.Trim(), patient.Name.Trim(), StringComparison.OrdinalIgnoreCase)
                      && string.Equals(gender, WireBuilder.ToWireV3(patient.Gender), StringComparison.Ordinal)
                      && yearOfBirth == patient.YearOfBirth
                      && (abhaNumber is null || string.Equals(abhaNumber.Value.ToString(CultureInfo.InvariantCulture), Digits(patient.AbhaNumber), StringComparison.Ordinal));
        var blocked = decision == LinkTokenThrottle.Decision.Blocked;
        Log.GenerateTokenChecked(_logger, generateRequestId, hipId, blocked ? "not checked: the address is blocked" : matches ? "matched" : "did not match");
        var healthId = patient?.HealthId ?? abhaAddress;
        var plan = Faults.Take(GatewayOperation.OnGenerateToken);
        Outgoing Build()
        {
            var body = blocked
                ? WireBuilder.OnGenerateTokenError(generateRequestId, "ABDM-1027", "You are blocked. Please try again after 24 hours.")
                : matches
                    ? WireBuilder.OnGenerateToken(generateRequestId, healthId, Tokens.IssueV3LinkToken(healthId, Digits(patient!.AbhaNumber), hipId))
                    : WireBuilder.OnGenerateTokenError(generateRequestId, "ABDM-1051", "Invalid ABHA Number or ABHA Address");
            return new Outgoing(body, Guid.NewGuid(), generateRequestId, healthId) { V3 = true, Timestamp = _time.GetUtcNow() };
        }

        return Task.FromResult(InboundResult.Accepted with
        {
            Callback = ct => _caller.DeliverAsync(GatewayOperation.OnGenerateToken, hipId, Combine(hipUrl, WireBuilder.OnGenerateTokenPath), plan, Build, ct),
            CallbackBeforeAccepted = plan.Has(FaultKind.BeforeAccepted),
            Detail = blocked ? "The ABHA address is blocked (ABDM-1027 on on-generate-token)." : null,
        });
    }

    private static string? Digits(string? text) => text is null ? null : new string([.. text.Where(char.IsAsciiDigit)]);

    [GeneratedRegex(@"^[a-zA-Z0-9][a-zA-Z0-9_.]+[a-zA-Z0-9]@(abdm|sbx)$", RegexOptions.CultureInvariant)]
    private static partial Regex AbhaAddress();
}
