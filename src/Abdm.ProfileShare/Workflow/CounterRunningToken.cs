namespace Abdm.ProfileShare.Workflow;

/// <summary>
/// What a counter is serving now, as the gateway's running-token status request and a "now serving" display want it:
/// the token most recently called today and the counter's average service time today.
/// </summary>
public sealed record CounterRunningToken
{
    /// <summary>The HIP id.</summary>
    public required string HipId { get; init; }

    /// <summary>The counter code.</summary>
    public required string CounterCode { get; init; }

    /// <summary>The service day.</summary>
    public required DateOnly ServiceDay { get; init; }

    /// <summary>The token most recently called (an explicit call-next, or a claim), or <see langword="null"/> when the
    /// counter called none today (ABDM: <c>ABDM-1031</c>).</summary>
    public int? TokenNumber { get; init; }

    /// <summary>When that token was called.</summary>
    public DateTimeOffset? CalledAt { get; init; }

    /// <summary>How many tokens the counter registered today.</summary>
    public int ServedToday { get; init; }

    /// <summary>
    /// The counter's average service time today, in whole minutes rounded up and at least 1: the mean time from call to
    /// registration of the tokens served today, or, before any was served, the time the running token has taken so far.
    /// <see langword="null"/> when no token was called.
    /// </summary>
    public int? AverageServiceMinutes { get; init; }
}
