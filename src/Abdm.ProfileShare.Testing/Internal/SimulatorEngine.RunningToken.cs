using System.Collections.Concurrent;
using System.Text.Json;
using Abdm.ProfileShare.Wire.V3;

namespace Abdm.ProfileShare.Testing.Internal;

// Running-token status (v3, NHA's sandbox document): the request to the HIP, and the HIP's on-status.
internal sealed partial class SimulatorEngine
{
    private const string V3OnRunningTokenStatusPath = "/api/hiecm/patient-share/v3/running-token/on-status";

    private readonly ConcurrentDictionary<Guid, PendingStatus> _statusRequests = new();

    /// <summary>
    /// Sends <c>POST {hip}/api/v3/hip/patient/running-token/status</c> (<c>{hipId, context}</c>, signed like every v3
    /// call to the HIP) and returns once its on-status arrived, or at once when the HIP did not accept the request.
    /// </summary>
    public async Task<RunningTokenStatus> RequestRunningTokenStatusAsync(string hipId, string counterCode, CancellationToken cancellationToken)
    {
        if (!_hips.TryGetValue(hipId, out var hipUrl))
        {
            throw new InvalidOperationException($"HIP '{hipId}' is not registered; call RegisterHip(\"{hipId}\", callbackBaseUrl) first.");
        }

        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await _ready.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        var requestId = Guid.NewGuid();
        var pending = new PendingStatus(hipId, counterCode);
        _statusRequests[requestId] = pending;
        var body = JsonSerializer.SerializeToUtf8Bytes(new RunningTokenStatusV3Request { HipId = hipId, Context = counterCode }, SimulatorJson.Shares.RunningTokenStatusV3Request);
        var outgoing = new Outgoing(body, requestId, null, null) { V3 = true, Timestamp = _time.GetUtcNow() };
        var plan = Faults.Take(GatewayOperation.RunningTokenStatus);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        var entry = await _caller.DeliverAsync(
            GatewayOperation.RunningTokenStatus, hipId, Combine(hipUrl, WireBuilder.RunningTokenStatusPath), plan, () => outgoing, linked.Token).ConfigureAwait(false);
        if (entry?.StatusCode is not (>= 200 and < 300))
        {
            // A late on-status is still accepted and journaled; nobody waits for it.
            return new RunningTokenStatus
            {
                RequestId = requestId,
                HipId = hipId,
                CounterCode = counterCode,
                HipStatusCode = entry?.StatusCode,
                DeliveryError = entry is null ? "Dropped by a fault; not sent."
                    : entry.StatusCode is { } status ? $"The HIP answered the status request with HTTP {status}."
                    : entry.Detail,
            };
        }

        var answered = await pending.Completion.Task.WaitAsync(linked.Token).ConfigureAwait(false);
        return answered with { HipStatusCode = entry.StatusCode };
    }

    /// <summary>
    /// <c>POST /api/hiecm/patient-share/v3/running-token/on-status</c>: <c>response.requestId</c> names a status request
    /// the simulator sent; <c>token{runningTokenNumber (a non-empty string), averageTokenServiceTimeInMinutes (a whole
    /// number, 0 or more)}</c> or <c>error{code, message}</c>, exactly one of them.
    /// </summary>
    private Task<InboundResult> OnRunningTokenStatus(Inbound inbound)
    {
        var onStatusRequestId = InboundChecks.RequireV3Headers(inbound);
        var rules = inbound.Rules;
        rules.OptionalObject("token");
        rules.OptionalObject("error");
        var hasToken = rules.Find("token") is not null;
        var hasError = rules.Find("error") is not null;
        if (hasToken && hasError)
        {
            throw new RejectionException(GatewayRejection.ErrorWithSuccess, "An on-status carries 'token' or 'error', not both.");
        }

        if (!hasToken && !hasError)
        {
            throw new RejectionException(GatewayRejection.MissingField, "An on-status needs 'token' (the running token) or 'error' (ABDM-1031 when the counter has no token today).");
        }

        string? number = null;
        int? minutes = null;
        string? code = null;
        string? message = null;
        if (hasToken)
        {
            if (rules.Find("token.runningTokenNumber") is { ValueKind: not JsonValueKind.String })
            {
                throw new RejectionException(GatewayRejection.InvalidFieldValue, "'token.runningTokenNumber' must be a string (as the share's tokenNumber).");
            }

            number = rules.String("token.runningTokenNumber");
            minutes = (int)rules.Integer("token.averageTokenServiceTimeInMinutes", 0, int.MaxValue, "whole minutes, 0 or more");
        }
        else
        {
            code = rules.String("error.code");
            if (!V3ErrorCode().IsMatch(code))
            {
                throw new RejectionException(GatewayRejection.InvalidFieldValue, "'error.code' must be a string such as ABDM-1031 (ABDM- and 4 digits, or 3 to 6 digits).");
            }

            message = rules.String("error.message");
        }

        rules.Object("response");
        var statusRequestId = rules.Uuid("response.requestId");
        if (!_statusRequests.TryGetValue(statusRequestId, out var pending))
        {
            throw new RejectionException(GatewayRejection.UnknownStatusRequest, "'response.requestId' is not the REQUEST-ID header of a running-token status request the gateway sent.");
        }

        inbound.HipId = pending.HipId;
        pending.Completion.TrySetResult(new RunningTokenStatus
        {
            RequestId = statusRequestId,
            HipId = pending.HipId,
            CounterCode = pending.CounterCode,
            HipStatusCode = null,
            RunningTokenNumber = number,
            AverageTokenServiceTimeInMinutes = minutes,
            ErrorCode = code,
            ErrorMessage = message,
            OnStatusRequestId = onStatusRequestId,
            ReceivedAt = _time.GetUtcNow(),
        });
        return Task.FromResult(InboundResult.Accepted);
    }

    private sealed class PendingStatus(string hipId, string counterCode)
    {
        public string HipId { get; } = hipId;

        public string CounterCode { get; } = counterCode;

        public TaskCompletionSource<RunningTokenStatus> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
