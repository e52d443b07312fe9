namespace Abdm.ProfileShare.Testing;

/// <summary>
/// What a <see cref="AbdmGatewaySimulator"/> is tuned for (<see cref="GatewaySimulatorOptions.Profile"/>): every
/// request checked and everything kept for a test to inspect (<see cref="Strict"/>), or the same checks at less CPU and
/// memory per flow for a load test (<see cref="Performance"/>).
/// </summary>
public enum GatewaySimulatorProfile
{
    /// <summary>
    /// The default: the journal keeps every entry, and every call with a session token verifies the token's JWT
    /// signature, issuer, audience and lifetime again.
    /// </summary>
    Strict,

    /// <summary>
    /// For load tests and benchmarks: the same validation as <see cref="Strict"/> (every body and header checked, every
    /// rejection identical, every rule on), with less work per flow:
    /// <list type="bullet">
    /// <item><description>
    /// The journal keeps the latest <see cref="GatewaySimulatorOptions.JournalCapacity"/> entries (default 1,024), so a
    /// long run neither grows memory nor slows down waits; <see cref="GatewayJournal.WaitForAsync"/> waits still see
    /// every entry as it is recorded (register them before the traffic they wait for).
    /// </description></item>
    /// <item><description>
    /// A session token whose JWT was verified once is recognised by its exact text until its <c>exp</c> instead of
    /// being verified again on every call. Its lifetime on the simulator's clock, invalidation
    /// (<see cref="GatewayFaults.InvalidateSessionTokens"/>) and early expiry
    /// (<see cref="OperationFaults.ExpireTokensEarly"/>) are still checked on every call, so the answers are those of
    /// <see cref="Strict"/>.
    /// </description></item>
    /// </list>
    /// What stays as in <see cref="Strict"/>, because the real gateway does it: the callback bearer token is signed once
    /// per key and reused until near its expiry (in both profiles), and each linking token (on-confirm) and v3 link
    /// token (on-generate-token) is a freshly signed RS512 JWT (an RSA-2048 signature per flow). No rule is turned
    /// off: the link-token request window (<c>ABDM-1092</c>), the block after refusals (<c>ABDM-1027</c>), the bridge
    /// service ids and callback redelivery keep their own options and defaults. A load test that requests a v3 link
    /// token for the same ABHA address and HIP more than once within
    /// <see cref="GatewaySimulatorOptions.LinkTokenRequestWindow"/> sets
    /// <see cref="GatewaySimulatorOptions.EnforceLinkTokenRequestWindow"/> to <see langword="false"/> itself.
    /// </summary>
    Performance,
}
