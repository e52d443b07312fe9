using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Wire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Abdm.ProfileShare.Testing.Internal;

/// <summary>The gateway's behaviour: what it accepts, what it answers, what it sends, and its state.</summary>
internal sealed partial class SimulatorEngine : IAsyncDisposable
{
    private const string Redacted = "[redacted]";
    private const string V3SessionsPath = "/api/hiecm/gateway/v3/sessions";
    private const string V3CertsPath = "/api/hiecm/gateway/v3/certs";
    private const string V3OpenIdPath = "/api/hiecm/gateway/v3/.well-known/openid-configuration";
    private const string V3OnSharePath = "/api/hiecm/patient-share/v3/on-share";
    private const string V3GenerateTokenPath = "/api/hiecm/v3/token/generate-token";

    private readonly GatewaySimulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<string, Uri> _hips = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SharedPatientProfile> _patients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, SimulatedShare> _shares = new();
    private readonly ConcurrentDictionary<string, AuthTransaction> _transactions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, bool> _background = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lazy<SigningKeyRing> _v3Keys;
    private TokenService? _tokens;
    private int _disposed;

    public SimulatorEngine(GatewaySimulatorOptions options, ILogger logger)
    {
        _options = options;
        _time = options.TimeProvider;
        _logger = logger;
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) }) { Timeout = options.CallbackTimeout };
        Journal = new GatewayJournal();
        Faults = new GatewayFaults(() => Tokens.InvalidateSessionTokens());
        Keys = new SigningKeyRing(_time);

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
    }

    public void RegisterHip(string hipId, Uri callbackBaseUrl) => _hips[hipId] = callbackBaseUrl;

    public void RegisterPatient(SharedPatientProfile patient) => _patients[patient.HealthId] = patient;

    public string RotateSigningKey(WireVersion version)
    {
        if (version == WireVersion.V3)
        {
            var v3 = V3Keys.Rotate(_options.SigningKeyOverlap);
            Log.V3KeyRotated(_logger, v3.KeyId);
            return v3.KeyId;
        }

        var key = Keys.Rotate(_options.SigningKeyOverlap);
        Log.KeyRotated(_logger, key.KeyId);
        return key.KeyId;
    }

    public async Task<SimulatedShare> ScanAsync(SimulatedScan scan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scan);
        ArgumentNullException.ThrowIfNull(scan.Patient);
        if (string.IsNullOrWhiteSpace(scan.Patient.HealthId))
        {
            throw new ArgumentException("The patient has no PHR address (HealthId).", nameof(scan));
        }

        if (string.IsNullOrWhiteSpace(scan.HipId) || !_hips.TryGetValue(scan.HipId, out var hipUrl))
        {
            throw new InvalidOperationException($"HIP '{scan.HipId}' is not registered; call RegisterHip(\"{scan.HipId}\", callbackBaseUrl) first.");
        }

        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await _ready.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        RegisterPatient(scan.Patient);
        var requestId = scan.RequestId ?? Guid.NewGuid();
        var share = _shares.AddOrUpdate(requestId, _ => new SimulatedShare(requestId, scan, null), (_, existing) => new SimulatedShare(requestId, scan, existing));
        var plan = Faults.Take(GatewayOperation.Share);
        var now = _time.GetUtcNow();
        var v3 = scan.Version == WireVersion.V3;
        var body = v3 ? WireBuilder.ShareV3(scan) : WireBuilder.Share(scan, requestId, now);
        var url = Combine(hipUrl, scan.Version switch
        {
            WireVersion.V3 => WireBuilder.ShareV3Path,
            WireVersion.V10 => WireBuilder.ShareV10Path,
            _ => WireBuilder.ShareV05Path,
        });
        var outgoing = new Outgoing(body, requestId, null, scan.Patient.HealthId) { V3 = v3, Timestamp = now };
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        var entry = await DeliverAsync(GatewayOperation.Share, scan.HipId, url, plan, () => outgoing, linked.Token).ConfigureAwait(false);
        share.HipStatusCode = entry?.StatusCode;
        share.DeliveryError = entry is null ? "Dropped by a fault; not sent." : entry.Detail;
        return share;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_background.Keys).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
        {
            // Background callbacks end with the simulator.
        }

        foreach (var share in _shares.Values)
        {
            share.Abandon();
        }

        _http.Dispose();
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

    private static bool SecretEquals(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected));

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
                    await Task.Delay(Timeout.InfiniteTimeSpan, held.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // The client gave up, or the simulator stopped.
                }

                return;
            }

            if (plan.Outcome == FaultKind.RespondWith)
            {
                var (faultCode, faultBody) = v3 ? FaultResponseV3(plan.StatusCode) : FaultResponse(plan.StatusCode);
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
                await WriteAsync(context, rejection.StatusCode, v3 ? ErrorBodyV3(rejection) : ErrorBody(rejection)).ConfigureAwait(false);
                return;
            }

            if (result.Callback is { } before && result.CallbackBeforeAccepted)
            {
                await before(_stopping.Token).ConfigureAwait(false);
            }

            Record(operation, inbound, result.StatusCode, plan.Applied);
            Log.Received(_logger, operation, result.StatusCode);
            await WriteAsync(context, result.StatusCode, result.Body).ConfigureAwait(false);
            if (result.Callback is { } after && !result.CallbackBeforeAccepted)
            {
                await context.Response.CompleteAsync().ConfigureAwait(false);
                RunInBackground(after);
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

    private static string RequireConsentManagerId(Inbound inbound) =>
        inbound.Header("X-CM-ID") ?? throw new RejectionException(GatewayRejection.MissingConsentManagerId, "The X-CM-ID header is required.");

    private static void CheckConsentManagerId(string presented, string healthId)
    {
        if (!string.Equals(presented, ConsentManager.FromHealthId(healthId), StringComparison.Ordinal))
        {
            throw new RejectionException(GatewayRejection.ConsentManagerIdMismatch, "X-CM-ID must be the suffix of the patient's PHR address (for example sbx).");
        }
    }

    private async Task<InboundResult> SessionsAsync(Inbound inbound, FaultPlan plan)
    {
        var rules = inbound.Rules;
        var clientId = rules.String("clientId");
        var clientSecret = rules.String("clientSecret");
        var grantType = rules.Find("grantType") is null ? "client_credentials" : rules.Enum("grantType", "client_credentials", "refresh_token");
        if (!SecretEquals(clientId, _options.ClientId) | !SecretEquals(clientSecret, _options.ClientSecret))
        {
            throw new RejectionException(GatewayRejection.InvalidClientCredentials, "Invalid client Id or secret");
        }

        if (grantType == "refresh_token" && !await Tokens.ValidateRefreshAsync(rules.String("refreshToken")).ConfigureAwait(false))
        {
            throw new RejectionException(GatewayRejection.InvalidRefreshToken, "Invalid or expired refresh token");
        }

        return new InboundResult(StatusCodes.Status200OK, IssueSession(plan));
    }

    /// <summary>A new session (access and refresh token) as the body both session operations answer with.</summary>
    private byte[] IssueSession(FaultPlan plan)
    {
        var (accessToken, refreshToken) = Tokens.IssueSession(plan.ExpireAfter);
        var response = new SessionResponse
        {
            AccessToken = accessToken,
            ExpiresIn = (int)_options.SessionTokenLifetime.TotalSeconds,
            RefreshExpiresIn = (int)_options.RefreshTokenLifetime.TotalSeconds,
            RefreshToken = refreshToken,
            TokenType = "bearer",
        };
        return JsonSerializer.SerializeToUtf8Bytes(response, SimulatorJson.Compact.SessionResponse);
    }

    private InboundResult CertsResult() =>
        new(StatusCodes.Status200OK, JsonSerializer.SerializeToUtf8Bytes(Keys.Published(), SimulatorJson.Compact.Certs));

    private InboundResult OpenIdResult() =>
        new(StatusCodes.Status200OK, JsonSerializer.SerializeToUtf8Bytes(
            new OpenIdConfiguration { Jwks_uri = new Uri(BaseUrl.OriginalString + "/v0.5/certs") }, SimulatorJson.Compact.OpenIdConfiguration));

    private Task<InboundResult> OnShare(Inbound inbound, WireVersion version)
    {
        var consentManagerId = RequireConsentManagerId(inbound);
        var rules = inbound.Rules;
        var onShareRequestId = rules.Uuid("requestId");
        rules.Timestamp("timestamp");
        rules.Object("acknowledgement");
        var status = rules.Enum("acknowledgement.status", "SUCCESS", "FAILURE");
        var healthId = rules.String("acknowledgement.healthId");
        inbound.HealthId = healthId;
        string? tokenNumber = null;
        if (version == WireVersion.V10)
        {
            tokenNumber = rules.Find("acknowledgement.tokenNumber") is { ValueKind: JsonValueKind.String } token ? token.GetString() : null;
            if (tokenNumber is null || (status == "SUCCESS" && string.IsNullOrWhiteSpace(tokenNumber)))
            {
                throw new RejectionException(GatewayRejection.MissingTokenNumber, "A v1.0 on-share needs 'acknowledgement.tokenNumber' (a non-empty string with SUCCESS).");
            }
        }

        rules.OptionalObject("error");
        var errorCode = rules.Find("error.code") is { ValueKind: JsonValueKind.Number } code && code.TryGetInt32(out var number) ? number : (int?)null;
        var errorMessage = rules.TryString("error.message");
        rules.Object("resp");
        var shareRequestId = rules.Uuid("resp.requestId");

        if (!_shares.TryGetValue(shareRequestId, out var share))
        {
            throw new RejectionException(GatewayRejection.UnknownShareRequest, "'resp.requestId' is not the requestId of a share the gateway sent.");
        }

        inbound.HipId = share.HipId;
        if (share.Version != version)
        {
            throw new RejectionException(GatewayRejection.ShareVersionMismatch, $"The share was sent as {VersionText(share.Version)}; answer it with that version's on-share.");
        }

        if (!string.Equals(healthId, share.HealthId, StringComparison.Ordinal))
        {
            throw new RejectionException(GatewayRejection.HealthIdMismatch, "'acknowledgement.healthId' is not the PHR address of the share.");
        }

        CheckConsentManagerId(consentManagerId, healthId);
        share.TryAcknowledge(new PhoneAcknowledgement(
            status == "SUCCESS" ? ShareProfileStatus.SUCCESS : ShareProfileStatus.FAILURE,
            tokenNumber, errorCode, errorMessage, onShareRequestId, _time.GetUtcNow())
        {
            ErrorCodeText = rules.Find("error.code") is { ValueKind: JsonValueKind.Number or JsonValueKind.String } text
                ? text.ValueKind == JsonValueKind.String ? text.GetString() : text.GetRawText()
                : null,
        });
        return Task.FromResult(InboundResult.Accepted);
    }

    // ---------------------------------------------------------------------------------------------------------
    // v3 (served at the root: /api/hiecm/...)
    // ---------------------------------------------------------------------------------------------------------

    private static string VersionText(WireVersion version) => version switch
    {
        WireVersion.V3 => "v3",
        WireVersion.V10 => "v1.0",
        _ => "v0.5",
    };

    /// <summary>
    /// The headers every v3 call to the gateway carries, in this order: <c>REQUEST-ID</c> (a UUID),
    /// <c>TIMESTAMP</c> (ISO 8601 in UTC: <c>Z</c> or <c>+00:00</c>), <c>X-CM-ID</c> (present). Returns the REQUEST-ID.
    /// </summary>
    private static Guid RequireV3Headers(Inbound inbound)
    {
        if (!Guid.TryParseExact(inbound.Header("REQUEST-ID"), "D", out var requestId))
        {
            throw new RejectionException(GatewayRejection.InvalidRequestIdHeader, "The REQUEST-ID header is required and must be a UUID.");
        }

        var timestamp = inbound.Header("TIMESTAMP");
        if (timestamp is null || !UtcTimestamp().IsMatch(timestamp)
            || !DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
        {
            throw new RejectionException(GatewayRejection.InvalidTimestampHeader, "The TIMESTAMP header is required and must be ISO 8601 in UTC (for example 2026-01-15T10:00:00.123Z).");
        }

        if (inbound.Header("X-CM-ID") is null)
        {
            throw new RejectionException(GatewayRejection.MissingConsentManagerId, "The X-CM-ID header is required.");
        }

        return requestId;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]00:?00)$", RegexOptions.CultureInvariant)]
    private static partial Regex UtcTimestamp();

    [GeneratedRegex(@"^(ABDM-\d{4}|\d{3,6})$", RegexOptions.CultureInvariant)]
    private static partial Regex V3ErrorCode();

    [GeneratedRegex(@"^[a-zA-Z0-9][a-zA-Z0-9_.]+[a-zA-Z0-9]@(abdm|sbx)$", RegexOptions.CultureInvariant)]
    private static partial Regex AbhaAddress();

    private Task<InboundResult> SessionsV3(Inbound inbound, FaultPlan plan)
    {
        RequireV3Headers(inbound);
        var rules = inbound.Rules;
        var clientId = rules.String("clientId");
        var clientSecret = rules.String("clientSecret");
        rules.Enum("grantType", "client_credentials");
        if (!SecretEquals(clientId, _options.ClientId) | !SecretEquals(clientSecret, _options.ClientSecret))
        {
            throw new RejectionException(GatewayRejection.InvalidClientCredentials, "Invalid Credentials");
        }

        return Task.FromResult(new InboundResult(_options.V3SessionStatusCode, IssueSession(plan)));
    }

    private Task<InboundResult> OpenIdV3(Inbound inbound)
    {
        RequireV3Headers(inbound);
        return Task.FromResult(new InboundResult(StatusCodes.Status200OK, JsonSerializer.SerializeToUtf8Bytes(
            new OpenIdConfiguration { Jwks_uri = new Uri(Root + V3CertsPath) }, SimulatorJson.Compact.OpenIdConfiguration)));
    }

    private Task<InboundResult> CertsV3(Inbound inbound)
    {
        RequireV3Headers(inbound);
        return Task.FromResult(new InboundResult(StatusCodes.Status200OK, JsonSerializer.SerializeToUtf8Bytes(V3Keys.PublishedV3(), SimulatorJson.Compact.V3Certs)));
    }

    /// <summary>
    /// v3 on-share, following the spec's prose: <c>response</c> always; SUCCESS needs <c>acknowledgement</c> with
    /// <c>profile{context, tokenNumber, expiry}</c> and no <c>error</c>; FAILED needs <c>error{code, message}</c>, the
    /// acknowledgement (status FAILED) being optional.
    /// </summary>
    private Task<InboundResult> OnShareV3(Inbound inbound)
    {
        var onShareRequestId = RequireV3Headers(inbound);
        var consentManagerId = inbound.Header("X-CM-ID")!;
        var rules = inbound.Rules;
        rules.OptionalObject("acknowledgement");
        rules.OptionalObject("error");
        var hasAcknowledgement = rules.Find("acknowledgement") is not null;
        var hasError = rules.Find("error") is not null;
        string? status = null;
        string? abhaAddress = null;
        if (hasAcknowledgement)
        {
            status = rules.Enum("acknowledgement.status", "SUCCESS", "FAILED");
            abhaAddress = rules.String("acknowledgement.abhaAddress");
            inbound.HealthId = abhaAddress;
        }

        var success = status == "SUCCESS";
        string? context = null;
        string? tokenNumber = null;
        double? expiry = null;
        string? errorCode = null;
        string? errorMessage = null;
        if (success)
        {
            if (hasError)
            {
                throw new RejectionException(GatewayRejection.ErrorWithSuccess, "A v3 on-share with acknowledgement.status SUCCESS must not carry 'error'.");
            }

            rules.Object("acknowledgement.profile");
            context = rules.String("acknowledgement.profile.context");
            tokenNumber = rules.Find("acknowledgement.profile.tokenNumber") is { ValueKind: JsonValueKind.String } token ? token.GetString() : null;
            if (string.IsNullOrWhiteSpace(tokenNumber))
            {
                throw new RejectionException(GatewayRejection.MissingTokenNumber, "A v3 SUCCESS on-share needs 'acknowledgement.profile.tokenNumber' (a non-empty string).");
            }

            expiry = rules.PositiveNumber("acknowledgement.profile.expiry");
        }
        else
        {
            if (!hasError)
            {
                throw new RejectionException(GatewayRejection.MissingField, hasAcknowledgement
                    ? "Required field 'error' is missing, null or empty (acknowledgement.status is FAILED)."
                    : "A v3 on-share needs 'acknowledgement' (SUCCESS) or 'error' (FAILED).");
            }

            errorCode = rules.String("error.code");
            if (!V3ErrorCode().IsMatch(errorCode))
            {
                throw new RejectionException(GatewayRejection.InvalidFieldValue, "'error.code' must be a string such as ABDM-1006 (ABDM- and 4 digits, or 3 to 6 digits).");
            }

            errorMessage = rules.String("error.message");
            if (hasAcknowledgement)
            {
                rules.OptionalObject("acknowledgement.profile");
            }
        }

        rules.Object("response");
        var shareRequestId = rules.Uuid("response.requestId");
        if (!_shares.TryGetValue(shareRequestId, out var share))
        {
            throw new RejectionException(GatewayRejection.UnknownShareRequest, "'response.requestId' is not the REQUEST-ID header of a share the gateway sent.");
        }

        inbound.HipId = share.HipId;
        inbound.HealthId ??= share.HealthId;
        if (share.Version != WireVersion.V3)
        {
            throw new RejectionException(GatewayRejection.ShareVersionMismatch, $"The share was sent as {VersionText(share.Version)}; answer it with that version's on-share.");
        }

        if (abhaAddress is not null && !string.Equals(abhaAddress, share.HealthId, StringComparison.OrdinalIgnoreCase))
        {
            throw new RejectionException(GatewayRejection.HealthIdMismatch, "'acknowledgement.abhaAddress' is not the ABHA address of the share.");
        }

        if (context is not null && !string.Equals(context, share.Scan.CounterCode, StringComparison.Ordinal))
        {
            throw new RejectionException(GatewayRejection.ContextMismatch, "'acknowledgement.profile.context' is not the share's metaData.context (the counter id).");
        }

        CheckConsentManagerId(consentManagerId, share.HealthId);
        share.TryAcknowledge(new PhoneAcknowledgement(
            success ? ShareProfileStatus.SUCCESS : ShareProfileStatus.FAILURE, tokenNumber, null, errorMessage, onShareRequestId, _time.GetUtcNow())
        {
            Expiry = expiry,
            ErrorCodeText = errorCode,
        });
        return Task.FromResult(InboundResult.Accepted);
    }

    /// <summary>
    /// v3 generate-token: checks the request, answers 202, then sends on-generate-token: a link token when the ABHA
    /// address is held and the demographics match, else error <c>ABDM-1051</c>.
    /// </summary>
    private Task<InboundResult> GenerateToken(Inbound inbound)
    {
        var generateRequestId = RequireV3Headers(inbound);
        var consentManagerId = inbound.Header("X-CM-ID")!;
        var hipId = inbound.Header("X-HIP-ID");
        inbound.HipId = hipId;
        if (hipId is null || !_hips.TryGetValue(hipId, out var hipUrl))
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
        CheckConsentManagerId(consentManagerId, abhaAddress);

        var patient = _patients.Values.FirstOrDefault(p => string.Equals(p.HealthId, abhaAddress, StringComparison.OrdinalIgnoreCase));
        var matches = patient is not null
                      && string.Equals(name.Trim(), patient.Name.Trim(), StringComparison.OrdinalIgnoreCase)
                      && string.Equals(gender, WireBuilder.ToWireV3(patient.Gender), StringComparison.Ordinal)
                      && yearOfBirth == patient.YearOfBirth
                      && (abhaNumber is null || string.Equals(abhaNumber.Value.ToString(CultureInfo.InvariantCulture), Digits(patient.AbhaNumber), StringComparison.Ordinal));
        Log.GenerateTokenChecked(_logger, generateRequestId, hipId, matches ? "matched" : "did not match");
        var healthId = patient?.HealthId ?? abhaAddress;
        var plan = Faults.Take(GatewayOperation.OnGenerateToken);
        Outgoing Build()
        {
            var linkToken = matches ? Tokens.IssueV3LinkToken(healthId, hipId) : null;
            var body = WireBuilder.OnGenerateToken(generateRequestId, healthId, linkToken);
            return new Outgoing(body, Guid.NewGuid(), generateRequestId, healthId) { V3 = true, Timestamp = _time.GetUtcNow() };
        }

        return Task.FromResult(InboundResult.Accepted with
        {
            Callback = ct => DeliverAsync(GatewayOperation.OnGenerateToken, hipId, Combine(hipUrl, WireBuilder.OnGenerateTokenPath), plan, Build, ct),
            CallbackBeforeAccepted = plan.Has(FaultKind.BeforeAccepted),
        });
    }

    private static string? Digits(string? text) => text is null ? null : new string([.. text.Where(char.IsAsciiDigit)]);

    private Task<InboundResult> AuthInit(Inbound inbound)
    {
        var consentManagerId = RequireConsentManagerId(inbound);
        var rules = inbound.Rules;
        var initRequestId = rules.Uuid("requestId");
        rules.Timestamp("timestamp");
        rules.Object("query");
        var healthId = rules.String("query.id");
        inbound.HealthId = healthId;
        rules.Enum("query.purpose", "LINK");
        rules.Enum("query.authMode", "DEMOGRAPHICS");
        rules.Object("query.requester");
        rules.Enum("query.requester.type", "HIP");
        var hipId = rules.String("query.requester.id");
        inbound.HipId = hipId;
        if (!_hips.TryGetValue(hipId, out var hipUrl))
        {
            throw new RejectionException(GatewayRejection.UnknownRequester, "'query.requester.id' is not a HIP registered with the gateway.");
        }

        CheckConsentManagerId(consentManagerId, healthId);
        var known = _patients.ContainsKey(healthId);
        var plan = Faults.Take(GatewayOperation.OnInit);
        Outgoing Build()
        {
            var now = _time.GetUtcNow();
            var requestId = Guid.NewGuid();
            if (!known)
            {
                return new Outgoing(WireBuilder.OnInit(requestId, now, initRequestId, null, default, new Error { Code = 1440, Message = "PHR address not found." }), requestId, initRequestId, healthId);
            }

            var transaction = new AuthTransaction(Guid.NewGuid().ToString(), healthId, hipId, now + _options.AuthTransactionLifetime);
            _transactions[transaction.Id] = transaction;
            return new Outgoing(WireBuilder.OnInit(requestId, now, initRequestId, transaction.Id, transaction.ExpiresAt, null), requestId, initRequestId, healthId);
        }

        return Task.FromResult(InboundResult.Accepted with
        {
            Callback = ct => DeliverAsync(GatewayOperation.OnInit, hipId, Combine(hipUrl, WireBuilder.OnInitPath), plan, Build, ct),
            CallbackBeforeAccepted = plan.Has(FaultKind.BeforeAccepted),
        });
    }

    private Task<InboundResult> AuthConfirm(Inbound inbound)
    {
        var consentManagerId = RequireConsentManagerId(inbound);
        var rules = inbound.Rules;
        var confirmRequestId = rules.Uuid("requestId");
        rules.Timestamp("timestamp");
        var transactionId = rules.String("transactionId");
        rules.Object("credential");
        if (rules.Find("credential.demographic") is null)
        {
            throw new RejectionException(GatewayRejection.MissingField, "Required field 'credential.demographic' is missing, null or empty (the simulator does demographic auth only).");
        }

        rules.Object("credential.demographic");
        var name = rules.String("credential.demographic.name");
        var gender = rules.Enum("credential.demographic.gender", "M", "F", "O", "U");
        rules.Date("credential.demographic.dateOfBirth");
        var dateOfBirth = rules.String("credential.demographic.dateOfBirth");
        string? mobile = null;
        rules.OptionalObject("credential.demographic.identifier");
        if (rules.Find("credential.demographic.identifier") is not null)
        {
            rules.Enum("credential.demographic.identifier.type", "MOBILE");
            mobile = rules.String("credential.demographic.identifier.value");
        }

        if (!_transactions.TryGetValue(transactionId, out var transaction))
        {
            throw new RejectionException(GatewayRejection.UnknownTransaction, "'transactionId' was not issued by the gateway (use the one from on-init).");
        }

        inbound.HealthId = transaction.HealthId;
        inbound.HipId = transaction.HipId;
        if (_time.GetUtcNow() >= transaction.ExpiresAt)
        {
            throw new RejectionException(GatewayRejection.TransactionExpired, "The auth transaction has expired; start again with auth init.");
        }

        CheckConsentManagerId(consentManagerId, transaction.HealthId);
        var patient = _patients[transaction.HealthId];
        var matches = string.Equals(name, patient.Name, StringComparison.Ordinal)
                      && string.Equals(gender, WireBuilder.ToWire(patient.Gender).ToString(), StringComparison.Ordinal)
                      && string.Equals(dateOfBirth, patient.AuthDateOfBirth, StringComparison.Ordinal)
                      && (mobile is null || string.Equals(mobile, WireBuilder.MobileOf(patient), StringComparison.Ordinal));
        var hipUrl = _hips.TryGetValue(transaction.HipId, out var url) ? url : throw new RejectionException(GatewayRejection.UnknownRequester, "The HIP of this transaction is no longer registered.");
        var plan = Faults.Take(GatewayOperation.OnConfirm);
        Outgoing Build()
        {
            var requestId = Guid.NewGuid();
            var now = _time.GetUtcNow();
            var body = matches
                ? WireBuilder.OnConfirm(requestId, now, confirmRequestId, Tokens.IssueLinkingToken(transaction.HealthId, transaction.HipId), null)
                : WireBuilder.OnConfirm(requestId, now, confirmRequestId, null, new Error { Code = 1441, Message = "Invalid auth confirm request." });
            return new Outgoing(body, requestId, confirmRequestId, transaction.HealthId);
        }

        return Task.FromResult(InboundResult.Accepted with
        {
            Callback = ct => DeliverAsync(GatewayOperation.OnConfirm, transaction.HipId, Combine(hipUrl, WireBuilder.OnConfirmPath), plan, Build, ct),
            CallbackBeforeAccepted = plan.Has(FaultKind.BeforeAccepted),
        });
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

    private static byte[] ErrorBody(RejectionException rejection) => rejection.Rule switch
    {
        GatewayRejection.MissingCredentials => JsonSerializer.SerializeToUtf8Bytes(
            new Wso2Fault(new Wso2FaultBody(900902, "Missing Credentials", "Invalid Credentials. Make sure your API invocation call has a header: 'Authorization : Bearer ***'")),
            SimulatorJson.Compact.Wso2Fault),
        GatewayRejection.InvalidCredentials => JsonSerializer.SerializeToUtf8Bytes(
            new Wso2Fault(new Wso2FaultBody(900901, "Invalid Credentials", "Invalid Credentials. Make sure you have provided the correct security credentials")),
            SimulatorJson.Compact.Wso2Fault),
        _ => JsonSerializer.SerializeToUtf8Bytes(
            new ErrorResponse { Error = new Error { Code = rejection.ErrorCode, Message = rejection.Message } }, SimulatorJson.Compact.ErrorResponse),
    };

    /// <summary>v3 error bodies: the API gateway's flat body for credentials, <c>{"error":{"code":"ABDM-xxxx",...}}</c> else.</summary>
    private static byte[] ErrorBodyV3(RejectionException rejection) => rejection.Rule switch
    {
        GatewayRejection.MissingCredentials => JsonSerializer.SerializeToUtf8Bytes(
            new V3FlatError("900902", "Missing Credentials", "Invalid Credentials. Make sure your API invocation call has a header: 'Authorization : Bearer ***'"),
            SimulatorJson.Compact.V3FlatError),
        _ when RejectionException.IsV3Flat(rejection.Rule) => JsonSerializer.SerializeToUtf8Bytes(
            new V3FlatError("900901", "Invalid Credentials", "Invalid Credentials. Make sure you have provided the correct security credentials"),
            SimulatorJson.Compact.V3FlatError),
        _ => JsonSerializer.SerializeToUtf8Bytes(new V3ErrorResponse(new V3Error(rejection.V3ErrorCode, rejection.Message)), SimulatorJson.Compact.V3ErrorResponse),
    };

    private static (string Code, byte[] Body) FaultResponse(int statusCode) => statusCode switch
    {
        StatusCodes.Status429TooManyRequests => ("900800", JsonSerializer.SerializeToUtf8Bytes(
            new Wso2Fault(new Wso2FaultBody(900800, "Message throttled out", "You have exceeded your quota")), SimulatorJson.Compact.Wso2Fault)),
        >= 500 => ("1500", JsonSerializer.SerializeToUtf8Bytes(
            new ErrorResponse { Error = new Error { Code = 1500, Message = "Unknown error occurred." } }, SimulatorJson.Compact.ErrorResponse)),
        _ => ("1000", JsonSerializer.SerializeToUtf8Bytes(
            new ErrorResponse { Error = new Error { Code = 1000, Message = "Simulated failure." } }, SimulatorJson.Compact.ErrorResponse)),
    };

    /// <summary>v3 fault answers: the spec's codes (429 <c>ABDM-1022</c>, 503 <c>ABDM-1024</c>, else <c>ABDM-9999</c>).</summary>
    private static (string Code, byte[] Body) FaultResponseV3(int statusCode)
    {
        var (code, message) = statusCode switch
        {
            StatusCodes.Status429TooManyRequests => ("ABDM-1022", "Too many requests"),
            StatusCodes.Status503ServiceUnavailable => ("ABDM-1024", "Dependent service unavailable"),
            _ => ("ABDM-9999", "Unknown exception"),
        };
        return (code, JsonSerializer.SerializeToUtf8Bytes(new V3ErrorResponse(new V3Error(code, message)), SimulatorJson.Compact.V3ErrorResponse));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Calls to the HIP
    // ---------------------------------------------------------------------------------------------------------

    private void RunInBackground(Func<CancellationToken, Task> work)
    {
        var task = Task.Run(async () =>
        {
            try
            {
                await work(_stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                // The simulator stopped.
            }
            catch (Exception ex)
            {
                Log.BackgroundFailed(_logger, ex);
            }
        });
        _background[task] = true;
        _ = task.ContinueWith(t => _background.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Sends a call to the HIP with its faults applied; returns the first delivery's entry, or <see langword="null"/> when dropped.</summary>
    private async Task<JournalEntry?> DeliverAsync(GatewayOperation operation, string hipId, Uri url, FaultPlan plan, Func<Outgoing> build, CancellationToken cancellationToken)
    {
        foreach (var fault in plan.Applied)
        {
            Log.FaultApplied(_logger, fault, operation);
        }

        if (plan.Delay > TimeSpan.Zero)
        {
            await Task.Delay(plan.Delay, _time, cancellationToken).ConfigureAwait(false);
        }

        var first = build();
        if (plan.Outcome == FaultKind.Drop)
        {
            Journal.Record(sequence => new JournalEntry
            {
                Sequence = sequence,
                Time = _time.GetUtcNow(),
                Direction = JournalDirection.Sent,
                Operation = operation,
                Method = "POST",
                Path = url.ToString(),
                Headers = new Dictionary<string, string>(),
                Body = ParseBody(first.Body),
                RequestId = first.RequestId,
                RespRequestId = first.RespRequestId,
                HealthId = first.HealthId,
                HipId = hipId,
                Detail = "Dropped by a fault; not sent.",
                Faults = plan.Applied,
            });
            return null;
        }

        var unpublished = plan.Has(FaultKind.UnpublishedKey);
        if (plan.Has(FaultKind.ReverseOrder))
        {
            var later = build();
            await SendAsync(operation, hipId, url, later, plan.Applied, unpublished, cancellationToken).ConfigureAwait(false);
            return await SendAsync(operation, hipId, url, first, plan.Applied, unpublished, cancellationToken).ConfigureAwait(false);
        }

        var entry = await SendAsync(operation, hipId, url, first, [.. plan.Applied.Where(f => f != FaultKind.Duplicate)], unpublished, cancellationToken).ConfigureAwait(false);
        if (plan.Has(FaultKind.Duplicate))
        {
            await SendAsync(operation, hipId, url, first, plan.Applied, unpublished, cancellationToken).ConfigureAwait(false);
        }

        return entry;
    }

    private async Task<JournalEntry> SendAsync(
        GatewayOperation operation, string hipId, Uri url, Outgoing message, IReadOnlyList<FaultKind> faults, bool unpublishedKey, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(message.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Tokens.CallbackToken(unpublishedKey, message.V3));
        request.Headers.TryAddWithoutValidation("X-HIP-ID", hipId);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["Authorization"] = Redacted,
            ["X-HIP-ID"] = hipId,
            ["Content-Type"] = "application/json",
            ["Accept"] = "application/json",
        };
        if (message.V3)
        {
            var requestId = message.RequestId.ToString("D");
            var timestamp = message.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            request.Headers.TryAddWithoutValidation("REQUEST-ID", requestId);
            request.Headers.TryAddWithoutValidation("TIMESTAMP", timestamp);
            headers["REQUEST-ID"] = requestId;
            headers["TIMESTAMP"] = timestamp;
        }

        int? statusCode = null;
        string? detail = null;
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            statusCode = (int)response.StatusCode;
            Log.Sent(_logger, operation, message.RequestId, hipId, statusCode.Value);
        }
        catch (HttpRequestException ex)
        {
            detail = "The HIP could not be reached: " + ex.Message;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            detail = $"The HIP did not answer within {_options.CallbackTimeout}.";
        }

        if (detail is not null)
        {
            Log.NotDelivered(_logger, operation, message.RequestId, hipId, detail);
        }

        return Journal.Record(sequence => new JournalEntry
        {
            Sequence = sequence,
            Time = _time.GetUtcNow(),
            Direction = JournalDirection.Sent,
            Operation = operation,
            Method = "POST",
            Path = url.ToString(),
            Headers = headers,
            Body = ParseBody(message.Body),
            RequestId = message.RequestId,
            RespRequestId = message.RespRequestId,
            HealthId = message.HealthId,
            HipId = hipId,
            StatusCode = statusCode,
            Detail = detail,
            Faults = faults,
        });
    }

    private static JsonElement ParseBody(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }
}
