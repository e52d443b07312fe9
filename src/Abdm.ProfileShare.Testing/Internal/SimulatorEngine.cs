using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Abdm.ProfileShare.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Abdm.ProfileShare.Testing.Internal;

/// <summary>The gateway's behaviour: what it accepts, what it answers, what it sends, and its state.</summary>
/// <remarks>
/// This file holds the state, the routes and the pipeline every received request goes through (faults, authentication,
/// the journal, the answer). The operations live one family per file (<c>SimulatorEngine.Sessions.cs</c>,
/// <c>.Share.cs</c>, <c>.Auth.cs</c>, <c>.GenerateToken.cs</c>, <c>.Bridge.cs</c>, <c>.RunningToken.cs</c>); calls to the HIP go through <see cref="HipCaller"/>.
/// </remarks>
internal sealed partial class SimulatorEngine : IAsyncDisposable
{
    private const string V3SessionsPath = "/api/hiecm/gateway/v3/sessions";
    private const string V3CertsPath = "/api/hiecm/gateway/v3/certs";
    private const string V3OpenIdPath = "/api/hiecm/gateway/v3/.well-known/openid-configuration";
    private const string V3OnSharePath = "/api/hiecm/patient-share/v3/on-share";
    private const string V3GenerateTokenPath = "/api/hiecm/v3/token/generate-token";
    private const string V3BridgeServicesPath = "/api/hiecm/gateway/v3/bridge-services";

    private readonly GatewaySimulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Uri> _hips = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SharedPatientProfile> _patients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, SimulatedShare> _shares = new();
    private readonly ConcurrentDictionary<string, AuthTransaction> _transactions = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HipCaller _caller;
    private readonly LinkTokenThrottle _throttle;
    private readonly Lazy<SigningKeyRing> _v3Keys;
    private TokenService? _tokens;
    private int _disposed;

    public SimulatorEngine(GatewaySimulatorOptions options, ILogger logger)
    {
        _options = options;
        _time = options.TimeProvider;
        _logger = logger;
        Journal = new GatewayJournal(options.EffectiveJournalCapacity);
        _caller = new HipCaller(options, Journal, () => Tokens, _stopping, logger);
        Faults = new GatewayFaults(() => Tokens.InvalidateSessionTokens());
        Keys = new SigningKeyRing(_time);
        _throttle = new LinkTokenThrottle(options);

        // Created on first use: its keys carry certificates, and most tests never touch v3.
        _v3Keys = new Lazy<SigningKeyRing>(() => new SigningKeyRing(_time, v3: true), LazyThreadSafetyMode.ExecutionAndPublication);
        foreach (var patient in SyntheticPatients.All.Concat(options.Patients))
        {
            RegisterPatient(patient);
        }
    }

    public GatewayJournal Journal { get; }

    public GatewayFaults Faults { get; }

    public SigningKeyRing Keys { get; }

    /// <summary>The v3 key set (<c>/api/hiecm/gateway/v3/certs</c>), separate from <see cref="Keys"/>.</summary>
    public SigningKeyRing V3Keys => _v3Keys.Value;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The server's root, without a trailing slash (<c>http://127.0.0.1:54321</c>): the v3 base URL.</summary>
    public string Root { get; private set; } = null!;

    public TokenService Tokens => _tokens ?? throw new InvalidOperationException("The simulator has not started.");

    public void Start(Uri rootUrl)
    {
        Root = rootUrl.OriginalString.TrimEnd('/');
        BaseUrl = new Uri(Root + _options.PathBase);
        _tokens = new TokenService(Keys, () => V3Keys, _options, Root + "/auth/realms/central-registry");
        _ready.TrySetResult();
    }

    public void Map(IEndpointRouteBuilder routes)
    {
        var gateway = routes.MapGroup(_options.PathBase);
        gateway.MapPost("/v0.5/sessions", Handler(GatewayOperation.Sessions, authenticate: false, SessionsAsync));
        gateway.MapGet("/v0.5/certs", Handler(GatewayOperation.Certs, authenticate: false, (_, _) => Task.FromResult(CertsResult())));
        gateway.MapGet("/v0.5/.well-known/openid-configuration", Handler(GatewayOperation.OpenIdConfiguration, authenticate: false, (_, _) => Task.FromResult(OpenIdResult())));
        gateway.MapPost("/v0.5/patients/profile/on-share", Handler(GatewayOperation.OnShare, authenticate: true, (inbound, _) => OnShare(inbound, WireVersion.V05)));
        gateway.MapPost("/v1.0/patients/profile/on-share", Handler(GatewayOperation.OnShare, authenticate: true, (inbound, _) => OnShare(inbound, WireVersion.V10)));
        gateway.MapPost("/v0.5/users/auth/init", Handler(GatewayOperation.AuthInit, authenticate: true, (inbound, _) => AuthInit(inbound)));
        gateway.MapPost("/v0.5/users/auth/confirm", Handler(GatewayOperation.AuthConfirm, authenticate: true, (inbound, _) => AuthConfirm(inbound)));

        // v3 lives at the root of the host, as on the real gateway (https://dev.abdm.gov.in/api/hiecm/...).
        routes.MapPost(V3SessionsPath, Handler(GatewayOperation.Sessions, authenticate: false, SessionsV3, v3: true));
        routes.MapGet(V3OpenIdPath, Handler(GatewayOperation.OpenIdConfiguration, authenticate: false, (inbound, _) => OpenIdV3(inbound), v3: true));
        routes.MapGet(V3CertsPath, Handler(GatewayOperation.Certs, authenticate: true, (inbound, _) => CertsV3(inbound), v3: true));
        routes.MapPost(V3OnSharePath, Handler(GatewayOperation.OnShare, authenticate: true, (inbound, _) => OnShareV3(inbound), v3: true));
        routes.MapPost(V3GenerateTokenPath, Handler(GatewayOperation.GenerateToken, authenticate: true, (inbound, _) => GenerateToken(inbound), v3: true));
        routes.MapGet(V3BridgeServicesPath, Handler(GatewayOperation.BridgeServices, authenticate: true, (inbound, _) => BridgeServicesV3(inbound), v3: true));
        routes.MapPost(V3OnRunningTokenStatusPath, Handler(GatewayOperation.OnRunningTokenStatus, authenticate: true, (inbound, _) => OnRunningTokenStatus(inbound), v3: true));
    }

    public void RegisterHip(string hipId, Uri callbackBaseUrl) => _hips[hipId] = callbackBaseUrl;

    public void RegisterPatient(SharedPatientProfile patient) => _patients[patient.HealthId] = patient;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _caller.DrainAsync().ConfigureAwait(false);

        foreach (var share in _shares.Values)
        {
            share.Abandon();
        }

        foreach (var status in _statusRequests.Values)
        {
            status.Completion.TrySetCanceled();
        }

        _caller.Dispose();
        _tokens?.Dispose();
        Keys.Dispose();
        if (_v3Keys.IsValueCreated)
        {
            _v3Keys.Value.Dispose();
        }

        _stopping.Dispose();
    }

    /// <summary>Ends requests held by <see cref="FaultKind.Hang"/> and background callbacks before the server stops.</summary>
    public Task StopAsync() => _stopping.CancelAsync();

    private static Uri Combine(Uri baseUrl, string path) => new(baseUrl.OriginalString.TrimEnd('/') + path, UriKind.Absolute);

    // ---------------------------------------------------------------------------------------------------------
    // Received requests
    // ---------------------------------------------------------------------------------------------------------

    private RequestDelegate Handler(GatewayOperation operation, bool authenticate, Func<Inbound, FaultPlan, Task<InboundResult>> process, bool v3 = false) =>
        context => HandleAsync(context, operation, authenticate, v3, process);

    private async Task HandleAsync(HttpContext context, GatewayOperation operation, bool authenticate, bool v3, Func<Inbound, FaultPlan, Task<InboundResult>> process)
    {
        await _ready.Task.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        var raw = await ReadBodyAsync(context).ConfigureAwait(false);
        JsonDocument? document = null;
        if (raw.Length > 0)
        {
            try
            {
                document = JsonDocument.Parse(raw, new JsonDocumentOptions { MaxDepth = 64 });
            }
            catch (JsonException)
            {
                document = null;
            }
        }

        using (document)
        {
            var inbound = new Inbound(context, document?.RootElement, v3);
            var plan = Faults.Take(operation);
            foreach (var fault in plan.Applied)
            {
                Log.FaultApplied(_logger, fault, operation);
            }

            using var held = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
            if (plan.Delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(plan.Delay, _time, held.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    Record(operation, inbound, null, plan.Applied, detail: "The client gave up during the added latency; not processed.");
                    return;
                }
            }

            if (plan.Outcome == FaultKind.Hang)
            {
                Record(operation, inbound, null, plan.Applied, detail: "Held unanswered until the client gave up; not processed.");
                try
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, _time, held.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // The client gave up, or the simulator stopped.
                }

                return;
            }

            if (plan.Outcome == FaultKind.RespondWith)
            {
                var (faultCode, faultBody) = v3 ? GatewayErrors.FaultResponseV3(plan.StatusCode) : GatewayErrors.FaultResponse(plan.StatusCode);
                Record(operation, inbound, plan.StatusCode, plan.Applied, wireErrorCode: faultCode, detail: "Answered by a RespondWith fault; not processed.");
                await WriteAsync(context, plan.StatusCode, faultBody).ConfigureAwait(false);
                return;
            }

            InboundResult result;
            try
            {
                if (authenticate)
                {
                    await AuthenticateAsync(inbound).ConfigureAwait(false);
                }

                result = await process(inbound, plan).ConfigureAwait(false);
            }
            catch (RejectionException rejection)
            {
                Record(operation, inbound, rejection.StatusCode, plan.Applied, rejection.Rule, v3 ? rejection.V3ErrorCode : rejection.ErrorCode.ToString(CultureInfo.InvariantCulture), rejection.Message);
                Log.Rejected(_logger, operation, inbound.RequestId, rejection.StatusCode, rejection.Rule);
                await WriteAsync(context, rejection.StatusCode, v3 ? GatewayErrors.ErrorBodyV3(rejection) : GatewayErrors.ErrorBody(rejection)).ConfigureAwait(false);
                return;
            }

            if (result.Callback is { } before && result.CallbackBeforeAccepted)
            {
                await before(_stopping.Token).ConfigureAwait(false);
            }

            Record(operation, inbound, result.StatusCode, plan.Applied, detail: result.Detail);
            Log.Received(_logger, operation, result.StatusCode);
            await WriteAsync(context, result.StatusCode, result.Body).ConfigureAwait(false);
            if (result.Callback is { } after && !result.CallbackBeforeAccepted)
            {
                await context.Response.CompleteAsync().ConfigureAwait(false);
                _caller.RunInBackground(after);
            }
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            return [];
        }

        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        return buffer.ToArray();
    }

    private async Task AuthenticateAsync(Inbound inbound)
    {
        var header = inbound.Header("Authorization");
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || string.IsNullOrWhiteSpace(header[7..]))
        {
            throw new RejectionException(GatewayRejection.MissingCredentials, "Missing Credentials");
        }

        if (!await Tokens.ValidateSessionAsync(header[7..].Trim()).ConfigureAwait(false))
        {
            throw new RejectionException(GatewayRejection.InvalidCredentials, "Invalid Credentials");
        }
    }

    private JournalEntry Record(
        GatewayOperation operation, Inbound inbound, int? statusCode, IReadOnlyList<FaultKind> faults,
        GatewayRejection? rejection = null, string? wireErrorCode = null, string? detail = null)
    {
        var request = inbound.Context.Request;
        return Journal.Record(sequence => new JournalEntry
        {
            Sequence = sequence,
            Time = _time.GetUtcNow(),
            Direction = JournalDirection.Received,
            Operation = operation,
            Method = request.Method,
            Path = (request.PathBase + request.Path).ToString(),
            Headers = Inbound.JournalHeaders(request.Headers),
            Body = inbound.JournalBody(),
            RequestId = inbound.RequestId,
            RespRequestId = inbound.RespRequestId,
            HealthId = inbound.HealthId,
            HipId = inbound.HipId,
            StatusCode = statusCode,
            Rejection = rejection,
            ErrorCode = int.TryParse(wireErrorCode, NumberStyles.None, CultureInfo.InvariantCulture, out var numeric) ? numeric : null,
            WireErrorCode = wireErrorCode,
            Detail = detail,
            Faults = faults,
        });
    }

    private static async Task WriteAsync(HttpContext context, int statusCode, byte[]? body)
    {
        context.Response.StatusCode = statusCode;
        if (body is { Length: > 0 })
        {
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
        else
        {
            context.Response.ContentLength = 0;
        }
    }

}
