using System.Net;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Testing.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Abdm.ProfileShare.Testing;

/// <summary>
/// A faithful ABDM gateway (v0.5/v1.0 and v3 scan-and-share) on 127.0.0.1, for tests: it issues session tokens,
/// publishes its signing keys, strictly validates on-share, auth init and confirm (v0.5) and generate-token (v3), calls
/// the HIP back with signed tokens, plays the patient's phone (<see cref="ScanAsync"/>), journals everything, and
/// injects faults on demand. v0.5/v1.0 live under <see cref="BaseUrl"/> (<c>/gateway</c>), v3 at the root
/// (<see cref="BaseUrlFor"/>), as on the real host.
/// </summary>
/// <example>
/// <code>
/// await using var gateway = await AbdmGatewaySimulator.StartAsync(new GatewaySimulatorOptions { ClientId = "sim-client", ClientSecret = "sim-secret" });
/// gateway.RegisterHip("HIP-1", hipCallbackBaseUrl);
/// var share = await gateway.ScanAsync(new SimulatedScan("HIP-1", "counter-1", SyntheticPatients.All[0], WireVersion.V10));
/// var phone = await share.Acknowledgement.WaitAsync(TimeSpan.FromSeconds(10));
/// </code>
/// </example>
public sealed class AbdmGatewaySimulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SimulatorEngine _engine;
    private readonly ILogger _logger;
    private int _disposed;

    private AbdmGatewaySimulator(WebApplication app, SimulatorEngine engine, Uri rootUrl, ILogger logger)
    {
        _app = app;
        _engine = engine;
        _logger = logger;
        RootUrl = rootUrl;
    }

    /// <summary>
    /// The v0.5/v1.0 gateway base URL, for example <c>http://127.0.0.1:54321/gateway</c>: set the host's
    /// <c>AbdmProfileShare:Gateway:BaseUrl</c> to it (a host on v3 uses <see cref="BaseUrlFor"/>).
    /// </summary>
    public Uri BaseUrl => _engine.BaseUrl;

    /// <summary>
    /// The gateway base URL of a wire version: <see cref="BaseUrl"/> (<c>http://127.0.0.1:54321/gateway</c>) for
    /// <see cref="WireVersion.V05"/> and <see cref="WireVersion.V10"/>, the root (<c>http://127.0.0.1:54321</c>, where
    /// <c>/api/hiecm/...</c> lives, as <c>https://dev.abdm.gov.in</c>) for <see cref="WireVersion.V3"/>. A host on v3
    /// sets <c>AbdmProfileShare:Gateway:BaseUrl</c> to <c>BaseUrlFor(WireVersion.V3)</c>.
    /// </summary>
    /// <param name="version">The wire version.</param>
    /// <returns>The base URL.</returns>
    public Uri BaseUrlFor(WireVersion version) => version == WireVersion.V3 ? new Uri(_engine.Root) : BaseUrl;

    /// <summary>The server's root URL, for example <c>http://127.0.0.1:54321/</c> (the control API lives under it).</summary>
    public Uri RootUrl { get; }

    /// <summary>The JWKS URL, <c>{BaseUrl}/v0.5/certs</c> (the host's <c>AbdmProfileShare:Callbacks:CertsUrl</c> default).</summary>
    public Uri CertsUrl => new(BaseUrl.OriginalString + "/v0.5/certs");

    /// <summary>
    /// The JWKS URL of a wire version: <see cref="CertsUrl"/>, or for <see cref="WireVersion.V3"/>
    /// <c>{root}/api/hiecm/gateway/v3/certs</c> (needs a session token and the v3 headers; its keys sign v3 callbacks).
    /// </summary>
    /// <param name="version">The wire version.</param>
    /// <returns>The JWKS URL.</returns>
    public Uri CertsUrlFor(WireVersion version) => version == WireVersion.V3 ? new Uri(_engine.Root + "/api/hiecm/gateway/v3/certs") : CertsUrl;

    /// <summary>
    /// The issuer (<c>iss</c>) of every token the simulator signs, <c>{RootUrl}auth/realms/central-registry</c> (the real
    /// gateway's Keycloak realm, on the simulator's origin). Its callback tokens have the audience <c>account</c>.
    /// </summary>
    public string Issuer => _engine.Tokens.Issuer;

    /// <summary>The <c>kid</c> of the key the simulator signs its v0.5/v1.0 calls with now.</summary>
    public string SigningKeyId => _engine.Keys.Current.KeyId;

    /// <summary>The <c>kid</c> of the key the simulator signs a wire version's calls with now (v3 has its own key set).</summary>
    /// <param name="version">The wire version.</param>
    /// <returns>The key id.</returns>
    public string SigningKeyIdFor(WireVersion version) => version == WireVersion.V3 ? _engine.V3Keys.Current.KeyId : SigningKeyId;

    internal SimulatorEngine Engine => _engine;

    /// <summary>Everything received and sent, with waits.</summary>
    public GatewayJournal Journal => _engine.Journal;

    /// <summary>Faults on demand; <c>Faults.Clear()</c> removes them.</summary>
    public GatewayFaults Faults => _engine.Faults;

    /// <summary>Starts a simulator on 127.0.0.1 (<see cref="GatewaySimulatorOptions.Port"/>, 0 for a free port).</summary>
    /// <param name="options">The options; <see cref="GatewaySimulatorOptions.ClientId"/> and <see cref="GatewaySimulatorOptions.ClientSecret"/> are required.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running simulator; dispose it to stop it.</returns>
    /// <exception cref="ArgumentException">The options are invalid (every problem is listed).</exception>
    public static async Task<AbdmGatewaySimulator> StartAsync(GatewaySimulatorOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid GatewaySimulatorOptions: " + string.Join(" ", problems), nameof(options));
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(AbdmGatewaySimulator).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });

        // The host application's settings (appsettings.json, ASPNETCORE_URLS, Kestrel endpoints) are not the simulator's.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        if (options.LoggerFactory is { } loggerFactory)
        {
            builder.Services.AddSingleton(loggerFactory);
        }

        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Services.AddSingleton<IHostLifetime, NoSignalsHostLifetime>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, options.Port);
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 1024 * 1024;
        });

        var logger = options.LoggerFactory?.CreateLogger<AbdmGatewaySimulator>() ?? (ILogger)NullLogger.Instance;
        var engine = new SimulatorEngine(options, logger);
        var app = builder.Build();
        engine.Map(app);
        if (options.EnableControlApi)
        {
            ControlApi.Map(app, engine);
        }

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var rootUrl = new Uri(address.TrimEnd('/') + "/");
            engine.Start(rootUrl);
            Log.Started(logger, engine.BaseUrl);
            return new AbdmGatewaySimulator(app, engine, rootUrl, logger);
        }
        catch
        {
            await engine.DisposeAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Registers a HIP and the base URL its callbacks are mapped under (<c>MapAbdmProfileShare</c>): shares go to
    /// <c>{callbackBaseUrl}/v0.5/patients/profile/share</c>, on-init to <c>{callbackBaseUrl}/v0.5/users/auth/on-init</c>, ...;
    /// v3 shares to <c>{callbackBaseUrl}/api/v3/hip/patient/share</c> and on-generate-token to
    /// <c>{callbackBaseUrl}/api/v3/hip/token/on-generate-token</c> (the bridge URL). Registering again replaces the URL.
    /// </summary>
    /// <param name="hipId">The HIP id (sent as <c>X-HIP-ID</c>; an auth init's <c>query.requester.id</c> and a generate-token's <c>X-HIP-ID</c> must be registered).</param>
    /// <param name="callbackBaseUrl">The HIP's callback base URL.</param>
    public void RegisterHip(string hipId, Uri callbackBaseUrl)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(hipId);
        ArgumentNullException.ThrowIfNull(callbackBaseUrl);
        if (!callbackBaseUrl.IsAbsoluteUri)
        {
            throw new ArgumentException("The callback base URL must be absolute.", nameof(callbackBaseUrl));
        }

        _engine.RegisterHip(hipId, callbackBaseUrl);
    }

    /// <summary>
    /// Adds (or replaces, by PHR address) a patient the simulator holds: demographic auth (v0.5) and generate-token
    /// (v3) for its PHR address are checked against it. Patients passed to <see cref="ScanAsync"/> are registered automatically.
    /// </summary>
    /// <param name="patient">The patient.</param>
    public void RegisterPatient(SharedPatientProfile patient)
    {
        ArgumentNullException.ThrowIfNull(patient);
        ArgumentException.ThrowIfNullOrWhiteSpace(patient.HealthId);
        _engine.RegisterPatient(patient);
    }

    /// <summary>
    /// Plays the patient's phone: sends the share to the HIP (<c>POST {hip}/v0.5|v1.0/patients/profile/share</c>, or
    /// <c>POST {hip}/api/v3/hip/patient/share</c> for a v3 scan) and returns once the HIP answered it (or the call
    /// failed or was dropped by a fault).
    /// </summary>
    /// <param name="scan">The scan.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The share, with the HIP's HTTP status and a task for what the phone will show.</returns>
    /// <exception cref="InvalidOperationException">The scan's HIP is not registered.</exception>
    public Task<SimulatedShare> ScanAsync(SimulatedScan scan, CancellationToken cancellationToken = default) =>
        _engine.ScanAsync(scan, cancellationToken);

    /// <summary>
    /// The bridge's service ids, as <c>GET /api/hiecm/gateway/v3/bridge-services</c> lists them:
    /// <see cref="GatewaySimulatorOptions.BridgeServiceIds"/>, or the registered HIP ids when none are configured.
    /// </summary>
    public IReadOnlyList<string> BridgeServiceIds => _engine.ServiceIds();

    /// <summary>
    /// Asks a HIP which token a counter is serving now, as the v3 gateway does: sends
    /// <c>POST {callbackBaseUrl}/api/v3/hip/patient/running-token/status</c> with <c>{hipId, context}</c> and the
    /// <c>REQUEST-ID</c>, <c>TIMESTAMP</c> and <c>X-HIP-ID</c> headers, signed like every v3 call to the HIP, then
    /// waits for the HIP's <c>POST /api/hiecm/patient-share/v3/running-token/on-status</c> (checked:
    /// <c>response.requestId</c> names this request; a <c>token</c> or an <c>error</c>; journaled as
    /// <see cref="GatewayOperation.OnRunningTokenStatus"/>).
    /// </summary>
    /// <param name="hipId">The HIP id (registered with <see cref="RegisterHip"/>).</param>
    /// <param name="counterCode">The counter (the body's <c>context</c>).</param>
    /// <param name="cancellationToken">Stops waiting; await with a timeout, as an on-status may never come.</param>
    /// <returns>
    /// The HIP's answer once its on-status arrived, or at once, without one, when the HIP did not answer the request
    /// with 2xx (<see cref="RunningTokenStatus.DeliveryError"/> says why).
    /// </returns>
    /// <exception cref="InvalidOperationException">The HIP is not registered.</exception>
    public Task<RunningTokenStatus> RequestRunningTokenStatusAsync(string hipId, string counterCode, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(hipId);
        ArgumentException.ThrowIfNullOrWhiteSpace(counterCode);
        return _engine.RequestRunningTokenStatusAsync(hipId, counterCode, cancellationToken);
    }

    /// <summary>
    /// Publishes a new signing key (a new <c>kid</c>) in both key sets (v0.5 and v3) and signs everything after with
    /// them. The previous keys stay published for <see cref="GatewaySimulatorOptions.SigningKeyOverlap"/> (default:
    /// removed at once). Session tokens issued before stay valid.
    /// </summary>
    /// <returns>The new v0.5 key's <c>kid</c> (see <see cref="SigningKeyIdFor"/> for the v3 one).</returns>
    public string RotateSigningKey()
    {
        _engine.RotateSigningKey(WireVersion.V3);
        return _engine.RotateSigningKey(WireVersion.V05);
    }

    /// <summary>
    /// Publishes a new signing key in one key set only: v3 (<see cref="WireVersion.V3"/>) or v0.5 (the others), as
    /// <see cref="RotateSigningKey()"/> does for both.
    /// </summary>
    /// <param name="version">The key set's wire version.</param>
    /// <returns>The new key's <c>kid</c>.</returns>
    public string RotateSigningKey(WireVersion version) => _engine.RotateSigningKey(version);

    /// <summary>Stops the server, ends held requests and background callbacks, and releases the keys.</summary>
    /// <returns>A task that completes when stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _engine.StopAsync().ConfigureAwait(false);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            try
            {
                await _app.StopAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped anyway.
            }
        }

        await _engine.DisposeAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        Log.Stopped(_logger);
    }

    /// <inheritdoc />
    public override string ToString() => $"AbdmGatewaySimulator {{ BaseUrl = {BaseUrl} }}";
}
