using Abdm.ProfileShare.Model;
using Microsoft.Extensions.Logging;

namespace Abdm.ProfileShare.Testing;

/// <summary>Configuration of an <see cref="AbdmGatewaySimulator"/>.</summary>
public sealed class GatewaySimulatorOptions
{
    /// <summary>The client id the HIP must present to <c>/v0.5/sessions</c> (and the v3 sessions). Required.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>The client secret the HIP must present to <c>/v0.5/sessions</c> (and the v3 sessions). Required; never logged or journaled.</summary>
    public string ClientSecret { get; set; } = "";

    /// <summary>
    /// What the simulator is tuned for: <see cref="GatewaySimulatorProfile.Strict"/> (keep everything, verify every
    /// token on every call) or <see cref="GatewaySimulatorProfile.Performance"/> (the same validation, rules and
    /// answers, at less CPU and memory per flow: a bounded journal and verified session tokens recognised without
    /// verifying them again). The options below keep their defaults in both profiles unless their own remarks say
    /// otherwise, and an option you set explicitly wins over the profile.
    /// </summary>
    /// <remarks>Default: <see cref="GatewaySimulatorProfile.Strict"/>.</remarks>
    /// <example>
    /// <code>
    /// await using var gateway = await AbdmGatewaySimulator.StartAsync(new GatewaySimulatorOptions
    /// {
    ///     ClientId = "sim-client",
    ///     ClientSecret = "sim-secret",
    ///     Profile = GatewaySimulatorProfile.Performance,
    /// });
    /// </code>
    /// </example>
    public GatewaySimulatorProfile Profile { get; set; } = GatewaySimulatorProfile.Strict;

    /// <summary>
    /// How many of the latest entries <see cref="AbdmGatewaySimulator.Journal"/> keeps (<see cref="GatewayJournal.Entries"/>,
    /// <see cref="GatewayJournal.Of"/>, <see cref="GatewayJournal.Describe"/>, and the entries a new wait looks at first);
    /// older entries are dropped as new ones are recorded. A wait registered with <see cref="GatewayJournal.WaitForAsync"/>
    /// sees every entry recorded while it waits, whatever the capacity. At least 1.
    /// </summary>
    /// <remarks>
    /// Default: <see langword="null"/>, meaning the <see cref="Profile"/>'s: every entry (unbounded) in
    /// <see cref="GatewaySimulatorProfile.Strict"/>, the latest 1,024 in <see cref="GatewaySimulatorProfile.Performance"/>.
    /// </remarks>
    public int? JournalCapacity { get; set; }

    /// <summary>
    /// The HTTP status of a successful v3 session (<c>POST /api/hiecm/gateway/v3/sessions</c>). Default: 202, as the
    /// v3 spec declares; NHA's own collection records 200, so a client must accept any 2xx. Must be 200-299.
    /// </summary>
    public int V3SessionStatusCode { get; set; } = 202;

    /// <summary>The loopback port to listen on (127.0.0.1). Default: 0, a free port chosen by the system.</summary>
    public int Port { get; set; }

    /// <summary>
    /// The path the v0.5/v1.0 gateway operations live under. Default: <c>/gateway</c> (as on the real gateway). The v3
    /// operations live at the root (<c>/api/hiecm/...</c>), as on the real host.
    /// </summary>
    public string PathBase { get; set; } = "/gateway";

    /// <summary>The <c>expiresIn</c> of session access tokens. Default: 1200 seconds (the sandbox's value).</summary>
    public TimeSpan SessionTokenLifetime { get; set; } = TimeSpan.FromSeconds(1200);

    /// <summary>The <c>refreshExpiresIn</c> of session refresh tokens. Default: 1800 seconds.</summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromSeconds(1800);

    /// <summary>
    /// The lifetime of the JWT the simulator puts on its own calls to the HIP. Default: 20 minutes. One token is
    /// reused across calls until less than a minute (or half its lifetime) is left, as the real gateway does.
    /// </summary>
    public TimeSpan CallbackTokenLifetime { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>
    /// How long the previous signing key stays published in <c>/v0.5/certs</c> (and the v3 certs) after
    /// <see cref="AbdmGatewaySimulator.RotateSigningKey()"/>. Default: <see cref="TimeSpan.Zero"/> (removed at once).
    /// </summary>
    public TimeSpan SigningKeyOverlap { get; set; } = TimeSpan.Zero;

    /// <summary>How long a demographic-auth transaction (<c>on-init</c> <c>meta.expiry</c>) is valid. Default: 2 hours.</summary>
    public TimeSpan AuthTransactionLifetime { get; set; } = TimeSpan.FromHours(2);

    /// <summary>How long the simulator waits for the HIP to answer one of its calls. Default: 10 seconds.</summary>
    public TimeSpan CallbackTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Refuses a v3 generate-token with <c>ABDM-1092</c> "Duplicate Link token request" (HTTP 400, body
    /// <c>{"error":{"code":"ABDM-1092","message":...}}</c>) when a generate-token for the same ABHA address (compared
    /// case-insensitively) and <c>X-HIP-ID</c> was accepted less than <see cref="LinkTokenRequestWindow"/> before,
    /// even with a fresh <c>REQUEST-ID</c> and even when the first was answered, as the v3 sandbox does.
    /// Default: <see langword="true"/>; <see langword="false"/> accepts every well-formed request.
    /// </summary>
    public bool EnforceLinkTokenRequestWindow { get; set; } = true;

    /// <summary>
    /// How long after an accepted v3 generate-token a second one for the same ABHA address and HIP is refused
    /// (<see cref="EnforceLinkTokenRequestWindow"/>). Default: 6 minutes 12 seconds (the sandbox's measured ~6.2 minutes).
    /// </summary>
    public TimeSpan LinkTokenRequestWindow { get; set; } = TimeSpan.FromSeconds(372);

    /// <summary>
    /// Blocks an ABHA address after <see cref="RefusalsBeforeBlock"/> <c>ABDM-1092</c> refusals (counted over the last
    /// <see cref="BlockDuration"/>, any HIP): for <see cref="BlockDuration"/> from the last refusal, every v3
    /// generate-token for that address is accepted (202) and its on-generate-token carries error <c>ABDM-1027</c>
    /// "You are blocked. Please try again after 24 hours." The block follows the address, whatever the HIP.
    /// Default: <see langword="true"/>.
    /// </summary>
    public bool EnforceBlockAfterRefusals { get; set; } = true;

    /// <summary>How many <c>ABDM-1092</c> refusals block an ABHA address (<see cref="EnforceBlockAfterRefusals"/>). Default: 3.</summary>
    public int RefusalsBeforeBlock { get; set; } = 3;

    /// <summary>How long a blocked ABHA address stays blocked (<see cref="EnforceBlockAfterRefusals"/>). Default: 24 hours.</summary>
    public TimeSpan BlockDuration { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Issues v3 link tokens (on-generate-token <c>linkToken</c>) as the sandbox does: RS512, signed by the RS512 key
    /// published in the v3 certs, claims <c>hipId</c>, <c>abhaNumber</c> (14 digits, or null), <c>transactionId</c>,
    /// <c>abhaAddress</c>, <c>sub</c> (the ABHA address), <c>iat</c>, <c>exp</c> = <c>iat</c> +
    /// <see cref="V3LinkTokenLifetime"/>. Default: <see langword="true"/>; <see langword="false"/> issues the v0.5
    /// linking token's claims (<c>sub</c>, <c>requesterType</c>, <c>requesterId</c>, <c>patientId</c>, <c>sessionId</c>)
    /// signed by an unpublished key, with the same lifetime. v0.5 linking tokens (on-confirm) are not affected.
    /// </summary>
    public bool SandboxV3LinkTokens { get; set; } = true;

    /// <summary>The lifetime (<c>exp</c> - <c>iat</c>) of a v3 link token. Default: 182.5 days (the sandbox's "6 months").</summary>
    public TimeSpan V3LinkTokenLifetime { get; set; } = TimeSpan.FromDays(182.5);

    /// <summary>
    /// Delivers a callback (on-init, on-confirm, on-generate-token) once more, <see cref="CallbackRedeliveryDelay"/>
    /// later, when the HIP answered it with a non-2xx status or not at all, with the same body, <c>REQUEST-ID</c>,
    /// <c>TIMESTAMP</c> and bearer token (by then possibly expired), as the sandbox does. A callback dropped by a fault
    /// is not redelivered; shares and running-token status requests are not callbacks. Default: <see langword="true"/>.
    /// </summary>
    public bool RedeliverCallbacks { get; set; } = true;

    /// <summary>
    /// How long after a refused callback its one redelivery is sent (<see cref="RedeliverCallbacks"/>), measured on
    /// <see cref="TimeProvider"/>. Default: 16 minutes (the sandbox's measured delay).
    /// </summary>
    public TimeSpan CallbackRedeliveryDelay { get; set; } = TimeSpan.FromMinutes(16);

    /// <summary>
    /// Routes v3 generate-token on the bridge service id, as the sandbox does: a generate-token whose <c>X-HIP-ID</c>
    /// is not one of the bridge's services (<see cref="BridgeServiceIds"/>) is accepted (202) and its
    /// on-generate-token is never sent; the journal entry's <see cref="JournalEntry.Detail"/> says why. Without an
    /// <c>X-HIP-ID</c> the request is refused <c>ABDM-1035</c>. Default: <see langword="true"/>; <see langword="false"/>
    /// refuses an unregistered <c>X-HIP-ID</c> with <c>ABDM-1035</c> (400) instead.
    /// </summary>
    public bool EnforceBridgeServiceIds { get; set; } = true;

    /// <summary>
    /// The bridge's service ids (for example <c>IN1410000232_1</c>: the HFR facility id and <c>_n</c>), listed by
    /// <c>GET /api/hiecm/gateway/v3/bridge-services</c> and checked by <see cref="EnforceBridgeServiceIds"/>. A
    /// service still needs <see cref="AbdmGatewaySimulator.RegisterHip"/> for its callbacks to go anywhere.
    /// Default: empty, meaning the HIP ids registered with <see cref="AbdmGatewaySimulator.RegisterHip"/>.
    /// </summary>
    public IList<string> BridgeServiceIds { get; } = [];

    /// <summary>
    /// Patients the simulator holds in addition to <see cref="SyntheticPatients.All"/> (demographic auth is
    /// checked against them). Patients used in <see cref="AbdmGatewaySimulator.ScanAsync"/> are added automatically.
    /// </summary>
    public IList<SharedPatientProfile> Patients { get; } = [];

    /// <summary>
    /// Maps the control API (<c>POST /_simulator/scan</c>, <c>GET /_simulator/journal</c>) used by the
    /// command-line simulator. Default: <see langword="false"/>.
    /// </summary>
    public bool EnableControlApi { get; set; }

    /// <summary>The clock for tokens, timestamps, expiries and delays. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Where the simulator logs (event ids 4000-4199 and 4300-4349; never patient data or tokens). Default: none.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>The journal's capacity in effect: <see cref="JournalCapacity"/>, else the profile's (null: unbounded).</summary>
    internal int? EffectiveJournalCapacity =>
        JournalCapacity ?? (Profile == GatewaySimulatorProfile.Performance ? PerformanceJournalCapacity : null);

    /// <summary>Whether a verified session token is recognised by its text until its expiry (the Performance profile).</summary>
    internal bool CachesVerifiedSessionTokens => Profile == GatewaySimulatorProfile.Performance;

    internal const int PerformanceJournalCapacity = 1024;

    internal IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(ClientId))
        {
            problems.Add($"{nameof(ClientId)} is required.");
        }

        if (string.IsNullOrWhiteSpace(ClientSecret))
        {
            problems.Add($"{nameof(ClientSecret)} is required.");
        }

        if (Port is < 0 or > 65535)
        {
            problems.Add($"{nameof(Port)} must be between 0 and 65535.");
        }

        if (!Enum.IsDefined(Profile))
        {
            problems.Add($"{nameof(Profile)} must be {nameof(GatewaySimulatorProfile.Strict)} or {nameof(GatewaySimulatorProfile.Performance)}.");
        }

        if (JournalCapacity is < 1)
        {
            problems.Add($"{nameof(JournalCapacity)} must be at least 1 (or null for the profile's default).");
        }

        if (V3SessionStatusCode is < 200 or > 299)
        {
            problems.Add($"{nameof(V3SessionStatusCode)} must be a 2xx status (200-299).");
        }

        if (string.IsNullOrEmpty(PathBase) || PathBase[0] != '/' || PathBase.EndsWith('/'))
        {
            problems.Add($"{nameof(PathBase)} must start with '/' and not end with '/' (for example /gateway).");
        }

        foreach (var (name, value) in new[]
                 {
                     (nameof(SessionTokenLifetime), SessionTokenLifetime), (nameof(RefreshTokenLifetime), RefreshTokenLifetime),
                     (nameof(CallbackTokenLifetime), CallbackTokenLifetime), (nameof(AuthTransactionLifetime), AuthTransactionLifetime),
                     (nameof(CallbackTimeout), CallbackTimeout),
                     (nameof(LinkTokenRequestWindow), LinkTokenRequestWindow), (nameof(BlockDuration), BlockDuration),
                     (nameof(V3LinkTokenLifetime), V3LinkTokenLifetime), (nameof(CallbackRedeliveryDelay), CallbackRedeliveryDelay),
                 })
        {
            if (value <= TimeSpan.Zero)
            {
                problems.Add($"{name} must be positive.");
            }
        }

        if (RefusalsBeforeBlock < 1)
        {
            problems.Add($"{nameof(RefusalsBeforeBlock)} must be at least 1.");
        }

        if (BridgeServiceIds.Any(string.IsNullOrWhiteSpace))
        {
            problems.Add($"{nameof(BridgeServiceIds)} must not contain an empty id.");
        }

        if (SigningKeyOverlap < TimeSpan.Zero)
        {
            problems.Add($"{nameof(SigningKeyOverlap)} must not be negative.");
        }

        if (TimeProvider is null)
        {
            problems.Add($"{nameof(TimeProvider)} is required.");
        }

        return problems;
    }
}
