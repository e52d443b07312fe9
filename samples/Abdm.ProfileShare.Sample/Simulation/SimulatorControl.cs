using System.Security.Cryptography;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Sample.Internal;
using Abdm.ProfileShare.Testing;

namespace Abdm.ProfileShare.Sample.Simulation;

/// <summary>
/// Simulator mode: the gateway simulator from Abdm.ProfileShare.Testing running in this process, with client
/// credentials made up at start (nothing to configure, nothing committed), and the "simulate a scan" control.
/// </summary>
internal sealed class SimulatorControl : IAsyncDisposable
{
    /// <summary>The choice in the scan form that picks a synthetic patient at random.</summary>
    public const string RandomChoice = "random";

    /// <summary>
    /// The choice in the scan form for a patient whose ABHA record the simulator holds with another name than the
    /// one the phone shares, so demographic authentication fails with ABDM error 1441 (as it does on the real
    /// gateway when a name was edited in the PHR app).
    /// </summary>
    public const string MismatchChoice = "mismatch";

    private static readonly TimeSpan PhoneTimeout = TimeSpan.FromSeconds(15);

    private readonly AbdmGatewaySimulator _simulator;
    private readonly ILogger _logger;

    private SimulatorControl(AbdmGatewaySimulator simulator, string clientId, string clientSecret, ILogger logger)
    {
        _simulator = simulator;
        ClientId = clientId;
        ClientSecret = clientSecret;
        _logger = logger;
    }

    /// <summary>The v0.5 gateway base URL.</summary>
    public Uri BaseUrl => _simulator.BaseUrl;

    /// <summary>The gateway base URL for a wire version (<c>AbdmProfileShare:Gateway:BaseUrl</c>): v3 paths start at the host.</summary>
    public Uri BaseUrlFor(WireVersion version) => _simulator.BaseUrlFor(version);

    public string ClientId { get; }

    public string ClientSecret { get; }

    /// <summary>The simulator itself (its journal and faults), for tests.</summary>
    public AbdmGatewaySimulator Simulator => _simulator;

    /// <summary>The patients the scan form offers.</summary>
    public static IReadOnlyList<SharedPatientProfile> Patients => SyntheticPatients.All;

    /// <summary>The patient behind <see cref="MismatchChoice"/>: synthetic, with an ABHA record the phone's profile does not match.</summary>
    public static SharedPatientProfile MismatchPatient { get; } = new()
    {
        HealthId = "mismatch.demo@sbx",
        AbhaNumber = "91-0000-0000-0099",
        Name = "Mismatch Demo",
        Gender = Gender.Female,
        YearOfBirth = 1993,
        MonthOfBirth = 7,
        DayOfBirth = 14,
        Mobile = "+91-9000000099",
        Address = new PatientAddress("1 Sample Lane", "Mysuru", "Karnataka", "570001"),
        Identifiers = [new ProfileIdentifier("MOBILE", "+91-9000000099")],
    };

    public static async Task<SimulatorControl> StartAsync(ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        // Credentials made up for this run: the simulator accepts exactly these, and nothing is written anywhere.
        var clientId = "sample-his";
        var clientSecret = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
        var simulator = await AbdmGatewaySimulator.StartAsync(new GatewaySimulatorOptions
        {
            ClientId = clientId,
            ClientSecret = clientSecret,
            LoggerFactory = new SimulatorLoggerFactory(loggerFactory),
        }, cancellationToken);
        var logger = loggerFactory.CreateLogger<SimulatorControl>();
        SampleLog.SimulatorStarted(logger, simulator.BaseUrl);
        return new SimulatorControl(simulator, clientId, clientSecret, logger);
    }

    /// <summary>Tells the simulator where this HIS receives a facility's callbacks.</summary>
    public void RegisterHip(string hipId, Uri callbackBaseUrl) => _simulator.RegisterHip(hipId, callbackBaseUrl);

    /// <summary>
    /// Plays a patient's phone: scans the counter's QR code and shares the profile, then waits for what the phone
    /// shows (the HIS's on-share).
    /// </summary>
    public async Task<PhoneResult> ScanAsync(string hipId, string counterCode, string patientChoice, WireVersion version, CancellationToken cancellationToken)
    {
        var patient = Choose(patientChoice);
        var share = await _simulator.ScanAsync(new SimulatedScan(hipId, counterCode, patient, version), cancellationToken);
        if (patientChoice == MismatchChoice)
        {
            // The phone shared "Mismatch Demo"; the ABHA record says otherwise, so the HIS's demographic
            // confirmation (name exactly as shared) will be refused with 1441.
            _simulator.RegisterPatient(patient with { Name = "Mismatch Demo-Record" });
        }

        SampleLog.SimulatedScan(_logger, hipId, counterCode, version, share.HipStatusCode is { } code ? "HTTP " + code.ToString(System.Globalization.CultureInfo.InvariantCulture) : "nothing (not reached)");
        if (share.HipStatusCode is not (>= 200 and < 300))
        {
            return new PhoneResult(false, null, share.HipStatusCode is { } status
                ? $"The HIS refused the share (HTTP {status})."
                : "The share did not reach the HIS.", patient.Name);
        }

        try
        {
            var phone = await share.Acknowledgement.WaitAsync(PhoneTimeout, cancellationToken);
            return phone.Status == PhoneAcknowledgementStatus.Success
                ? new PhoneResult(true, phone.TokenNumber, null, patient.Name)
                : new PhoneResult(false, phone.TokenNumber, phone.ErrorMessage ?? "The hospital could not register the share.", patient.Name);
        }
        catch (TimeoutException)
        {
            return new PhoneResult(false, null, "No answer from the hospital yet; the phone keeps waiting.", patient.Name);
        }
    }

    public ValueTask DisposeAsync() => _simulator.DisposeAsync();

    private static SharedPatientProfile Choose(string choice)
    {
        if (choice == MismatchChoice)
        {
            return MismatchPatient;
        }

        var all = SyntheticPatients.All;
        return all.FirstOrDefault(p => string.Equals(p.HealthId, choice, StringComparison.Ordinal))
            ?? all[RandomNumberGenerator.GetInt32(all.Count)];
    }
}

/// <summary>What the patient's phone shows after a simulated scan.</summary>
/// <param name="Success">SUCCESS or FAILURE.</param>
/// <param name="TokenNumber">The token number (v1.0 only).</param>
/// <param name="Message">The FAILURE message.</param>
/// <param name="PatientName">Who scanned (synthetic).</param>
internal sealed record PhoneResult(bool Success, string? TokenNumber, string? Message, string PatientName);
