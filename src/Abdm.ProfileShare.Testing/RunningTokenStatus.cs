namespace Abdm.ProfileShare.Testing;

/// <summary>
/// What a HIP answered to a running-token status request (<see cref="AbdmGatewaySimulator.RequestRunningTokenStatusAsync"/>):
/// the token a counter is serving now and the average service time, or an error (<c>ABDM-1031</c> when the counter
/// has no token today), or why the request itself was not accepted. Immutable.
/// </summary>
public sealed record RunningTokenStatus
{
    /// <summary>The status request's <c>REQUEST-ID</c> (the on-status names it in <c>response.requestId</c>).</summary>
    public required Guid RequestId { get; init; }

    /// <summary>The HIP id the request was sent to (its <c>X-HIP-ID</c> and body <c>hipId</c>).</summary>
    public required string HipId { get; init; }

    /// <summary>The counter asked about (the body's <c>context</c>).</summary>
    public required string CounterCode { get; init; }

    /// <summary>
    /// The HTTP status the HIP answered the status request with, or <see langword="null"/> when it was not delivered
    /// (dropped by a fault, the HIP unreachable or too slow).
    /// </summary>
    public int? HipStatusCode { get; init; }

    /// <summary>Why no on-status is awaited: the request was not delivered or not answered 2xx; else <see langword="null"/>.</summary>
    public string? DeliveryError { get; init; }

    /// <summary>The on-status <c>token.runningTokenNumber</c>: the token being served now.</summary>
    public string? RunningTokenNumber { get; init; }

    /// <summary>The on-status <c>token.averageTokenServiceTimeInMinutes</c>.</summary>
    public int? AverageTokenServiceTimeInMinutes { get; init; }

    /// <summary>The on-status <c>error.code</c> (for example <c>ABDM-1031</c>).</summary>
    public string? ErrorCode { get; init; }

    /// <summary>The on-status <c>error.message</c>.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>The on-status's own <c>REQUEST-ID</c>, when one arrived.</summary>
    public Guid? OnStatusRequestId { get; init; }

    /// <summary>When the on-status arrived (the simulator's clock), when one did.</summary>
    public DateTimeOffset? ReceivedAt { get; init; }

    /// <summary><see langword="true"/> when the on-status carried a token (and no error).</summary>
    public bool IsSuccess => RunningTokenNumber is not null && ErrorCode is null;
}
