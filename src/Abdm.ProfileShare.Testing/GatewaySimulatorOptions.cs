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
                 })
        {
            if (value <= TimeSpan.Zero)
            {
                problems.Add($"{name} must be positive.");
            }
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
