namespace Abdm.ProfileShare.Workflow;

/// <summary>
/// The gateway's running-token status requests (v3 <c>POST /api/v3/hip/patient/running-token/status</c>, NHA's v3 sandbox
/// document): "which token is this counter serving, and how long does a token take?" so the patient's app can show "now
/// serving 12, about 4 minutes per patient". The transport (<c>MapAbdmProfileShare()</c>) authenticates the request and
/// hands over its body; the answer goes to <c>/api/hiecm/patient-share/v3/running-token/on-status</c> in the background,
/// from <see cref="ICounterQueue.GetRunningTokenAsync"/>, or <c>ABDM-1031</c> when the counter called no token today.
/// </summary>
/// <remarks>
/// Answers are not written to the store: they carry no patient data and are worthless a minute later, so a request
/// in flight when the process stops goes unanswered (the app asks again). A repeated <c>REQUEST-ID</c> is answered once
/// per instance.
/// </remarks>
public interface IRunningTokenStatusRequests
{
    /// <summary>Reads a status request body: <c>{hipId, context}</c>, both required, <c>hipId</c> equal to <c>X-HIP-ID</c>.</summary>
    /// <param name="hipId">The HIP named by <c>X-HIP-ID</c>, already checked to be one this host serves.</param>
    /// <param name="requestId">The <c>REQUEST-ID</c> header (a UUID; the on-status's <c>response.requestId</c>).</param>
    /// <param name="body">The body.</param>
    /// <returns>The request, or why it is refused (answered 400 with the error code).</returns>
    CallbackReadResult<RunningTokenStatusRequest> Read(string hipId, string? requestId, ReadOnlySpan<byte> body);

    /// <summary>Queues the answer; returns at once.</summary>
    /// <param name="request">The request read by <see cref="Read"/>.</param>
    /// <returns><see langword="true"/> when queued; <see langword="false"/> for a <c>REQUEST-ID</c> already answered or queued,
    /// or when the queue is full (then the request is not answered; logged).</returns>
    bool Accept(RunningTokenStatusRequest request);
}

/// <summary>A running-token status request from the gateway.</summary>
/// <param name="RequestId">The gateway's <c>REQUEST-ID</c>.</param>
/// <param name="HipId">The HIP (bridge service) id.</param>
/// <param name="CounterCode">The counter (<c>context</c>, as a share's <c>metaData.context</c>).</param>
public sealed record RunningTokenStatusRequest(Guid RequestId, string HipId, string CounterCode);
