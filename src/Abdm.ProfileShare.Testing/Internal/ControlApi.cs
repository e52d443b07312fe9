using System.Text.Json;
using Abdm.ProfileShare.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Abdm.ProfileShare.Testing.Internal;

/// <summary>
/// The control API of the command-line simulator: <c>POST /_simulator/scan</c> plays a scan and answers what the
/// phone shows; <c>POST /_simulator/running-token-status</c> asks a HIP which token a counter serves and answers the
/// HIP's on-status; <c>GET /_simulator/journal</c> lists the journal (no bodies).
/// </summary>
internal static class ControlApi
{
    private const int DefaultTimeoutSeconds = 30;
    private static int s_nextPatient = -1;

    public static void Map(IEndpointRouteBuilder routes, SimulatorEngine engine)
    {
        routes.MapPost("/_simulator/scan", context => ScanAsync(context, engine));
        routes.MapGet("/_simulator/journal", context => JournalAsync(context, engine));
        routes.MapPost("/_simulator/running-token-status", context => RunningTokenStatusAsync(context, engine));
    }

    public static bool TryParseVersion(string? text, out WireVersion version)
    {
        switch (text?.Trim().ToUpperInvariant())
        {
            case null or "" or "V0.5" or "0.5" or "V05":
                version = WireVersion.V05;
                return true;
            case "V1.0" or "1.0" or "V10" or "V1":
                version = WireVersion.V10;
                return true;
            case "V3" or "3" or "V3.0" or "3.0":
                version = WireVersion.V3;
                return true;
            default:
                version = default;
                return false;
        }
    }

    private static async Task ScanAsync(HttpContext context, SimulatorEngine engine)
    {
        ControlScanRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync(context.Request.Body, SimulatorJson.Compact.ControlScanRequest, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            request = null;
        }

        if (request is null || string.IsNullOrWhiteSpace(request.HipId) || string.IsNullOrWhiteSpace(request.Counter))
        {
            await ProblemAsync(context, "Send {\"hipId\": \"...\", \"counter\": \"...\", \"patientIndex\": 0, \"version\": \"v0.5|v1.0|v3\"}.").ConfigureAwait(false);
            return;
        }

        if (!TryParseVersion(request.Version, out var version))
        {
            await ProblemAsync(context, "version must be v0.5, v1.0 or v3.").ConfigureAwait(false);
            return;
        }

        var patients = SyntheticPatients.All;
        var index = request.PatientIndex ?? (int)((uint)Interlocked.Increment(ref s_nextPatient) % (uint)patients.Count);
        if (index < 0 || index >= patients.Count)
        {
            await ProblemAsync(context, $"patientIndex must be between 0 and {patients.Count - 1}.").ConfigureAwait(false);
            return;
        }

        SimulatedShare share;
        try
        {
            share = await engine.ScanAsync(new SimulatedScan(request.HipId, request.Counter, patients[index], version), context.RequestAborted).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            await ProblemAsync(context, ex.Message).ConfigureAwait(false);
            return;
        }

        PhoneAcknowledgement? phone = null;
        if (share.HipStatusCode is >= 200 and < 300)
        {
            try
            {
                phone = await share.Acknowledgement.WaitAsync(TimeSpan.FromSeconds(Math.Clamp(request.TimeoutSeconds ?? DefaultTimeoutSeconds, 1, 600)), context.RequestAborted).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                phone = null;
            }
        }

        var response = new ControlScanResponse
        {
            Outcome = phone is not null ? (phone.IsSuccess ? "SUCCESS" : "FAILURE") // the on-share's status, as the wire spells it
                : share.HipStatusCode is >= 200 and < 300 ? "TIMEOUT"
                : share.HipStatusCode is null ? "NOT_DELIVERED"
                : "REFUSED_BY_HIP",
            ShareRequestId = share.RequestId,
            HipId = share.HipId,
            Counter = request.Counter,
            Version = version switch { WireVersion.V3 => "v3", WireVersion.V10 => "v1.0", _ => "v0.5" },
            PatientIndex = index,
            PatientName = patients[index].Name,
            HealthId = patients[index].HealthId,
            HipStatus = share.HipStatusCode,
            DeliveryError = share.DeliveryError,
            TokenNumber = phone?.TokenNumber,
            ErrorCode = phone?.ErrorCode,
            ErrorCodeText = phone?.ErrorCodeText,
            ErrorMessage = phone?.ErrorMessage,
            Expiry = phone?.Expiry,
        };
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, response, SimulatorJson.Compact.ControlScanResponse, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task RunningTokenStatusAsync(HttpContext context, SimulatorEngine engine)
    {
        ControlRunningTokenRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync(context.Request.Body, SimulatorJson.Compact.ControlRunningTokenRequest, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            request = null;
        }

        if (request is null || string.IsNullOrWhiteSpace(request.HipId) || string.IsNullOrWhiteSpace(request.Counter))
        {
            await ProblemAsync(context, "Send {\"hipId\": \"...\", \"counter\": \"...\", \"timeoutSeconds\": 30}.").ConfigureAwait(false);
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(TimeSpan.FromSeconds(Math.Clamp(request.TimeoutSeconds ?? DefaultTimeoutSeconds, 1, 600)));
        RunningTokenStatus status;
        try
        {
            status = await engine.RequestRunningTokenStatusAsync(request.HipId, request.Counter, timeout.Token).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            await ProblemAsync(context, ex.Message).ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            context.Response.StatusCode = StatusCodes.Status504GatewayTimeout;
            context.Response.ContentType = "application/json";
            await JsonSerializer.SerializeAsync(context.Response.Body, new ControlProblem("No on-status within the timeout (see GET /_simulator/journal)."), SimulatorJson.Compact.ControlProblem, context.RequestAborted).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, status, SimulatorJson.Compact.RunningTokenStatus, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task JournalAsync(HttpContext context, SimulatorEngine engine)
    {
        var entries = engine.Journal.Entries.Select(e => new ControlJournalEntry(
            e.Sequence, e.Time, e.Direction.ToString(), e.Operation.ToString(), e.Method, e.Path, e.StatusCode,
            e.Rejection?.ToString(), e.Detail, [.. e.Faults.Select(f => f.ToString())], e.RequestId, e.RespRequestId)).ToList();
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, entries, SimulatorJson.Compact.ListControlJournalEntry, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task ProblemAsync(HttpContext context, string message)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, new ControlProblem(message), SimulatorJson.Compact.ControlProblem, context.RequestAborted).ConfigureAwait(false);
    }
}
