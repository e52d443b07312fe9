namespace Abdm.ProfileShare.Testing.Internal;

/// <summary>One configured fault with its remaining uses (<see langword="null"/>: unlimited).</summary>
internal sealed class FaultRule(FaultKind kind, int? times)
{
    public FaultKind Kind { get; } = kind;

    public int? Remaining { get; private set; } = times;

    public TimeSpan Latency { get; init; }

    public int StatusCode { get; init; }

    public bool IsUsedUp => Remaining is <= 0;

    public void Use()
    {
        if (Remaining is { } remaining)
        {
            Remaining = remaining - 1;
        }
    }
}

/// <summary>What the faults decided for one request or call.</summary>
internal sealed record FaultPlan(TimeSpan Delay, FaultKind? Outcome, int StatusCode, IReadOnlySet<FaultKind> Modifiers, TimeSpan? ExpireAfter)
{
    public static FaultPlan None { get; } = new(TimeSpan.Zero, null, 0, new HashSet<FaultKind>(), null);

    public bool Has(FaultKind kind) => Outcome == kind || Modifiers.Contains(kind);

    public IReadOnlyList<FaultKind> Applied
    {
        get
        {
            var list = new List<FaultKind>();
            if (Delay > TimeSpan.Zero)
            {
                list.Add(FaultKind.Delay);
            }

            if (Outcome is { } outcome)
            {
                list.Add(outcome);
            }

            list.AddRange(Modifiers);
            return list;
        }
    }
}
