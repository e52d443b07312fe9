namespace Abdm.ProfileShare.Storage;

/// <summary>
/// Something a counter did with a token on a service day, as <see cref="IProfileShareStore.RecordCounterServiceAsync"/>
/// records it: a token called (the counter now serves it), or a token served (its time from call to registration).
/// </summary>
public sealed record CounterServiceEvent
{
    /// <summary>The HIP id.</summary>
    public required string HipId { get; init; }

    /// <summary>The counter code.</summary>
    public required string CounterCode { get; init; }

    /// <summary>The service day of the token.</summary>
    public required DateOnly ServiceDay { get; init; }

    /// <summary>When it happened.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>The token called, when a token was called.</summary>
    public int? CalledTokenNumber { get; init; }

    /// <summary>How long a served token took, from its call to its registration, when a token was served.</summary>
    public TimeSpan? ServiceTime { get; init; }
}

/// <summary>A counter's service on one day: the token it serves now and how long its tokens took.</summary>
public sealed record CounterServiceDay
{
    /// <summary>The HIP id.</summary>
    public required string HipId { get; init; }

    /// <summary>The counter code.</summary>
    public required string CounterCode { get; init; }

    /// <summary>The service day.</summary>
    public required DateOnly ServiceDay { get; init; }

    /// <summary>The token most recently called (the running token), if any was called.</summary>
    public int? RunningTokenNumber { get; init; }

    /// <summary>When the running token was called.</summary>
    public DateTimeOffset? CalledAt { get; init; }

    /// <summary>How many tokens were served.</summary>
    public int ServedCount { get; init; }

    /// <summary>The total time the served tokens took.</summary>
    public TimeSpan TotalServiceTime { get; init; }
}
