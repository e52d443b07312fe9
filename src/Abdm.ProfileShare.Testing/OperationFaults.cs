using System.Runtime.CompilerServices;
using Abdm.ProfileShare.Testing.Internal;

namespace Abdm.ProfileShare.Testing;

/// <summary>The faults of one <see cref="GatewayOperation"/>; see <see cref="GatewayFaults"/> for how rules combine.</summary>
public sealed class OperationFaults
{
    private static readonly GatewayOperation[] Received =
        [GatewayOperation.Sessions, GatewayOperation.Certs, GatewayOperation.OpenIdConfiguration, GatewayOperation.OnShare, GatewayOperation.AuthInit, GatewayOperation.AuthConfirm, GatewayOperation.GenerateToken,
         GatewayOperation.BridgeServices, GatewayOperation.OnRunningTokenStatus];

    private static readonly GatewayOperation[] Sent =
        [GatewayOperation.Share, GatewayOperation.OnInit, GatewayOperation.OnConfirm, GatewayOperation.OnGenerateToken, GatewayOperation.RunningTokenStatus];

    private static readonly GatewayOperation[] Callbacks = [GatewayOperation.OnInit, GatewayOperation.OnConfirm, GatewayOperation.OnGenerateToken];

    private readonly Lock _gate = new();
    private readonly List<FaultRule> _rules = [];

    internal OperationFaults(GatewayOperation operation)
    {
        Operation = operation;
    }

    /// <summary>The operation these faults apply to.</summary>
    public GatewayOperation Operation { get; }

    /// <summary>
    /// Adds latency: a received request is answered <paramref name="latency"/> later; a call to the HIP starts
    /// <paramref name="latency"/> later. Measured on <see cref="GatewaySimulatorOptions.TimeProvider"/>. Any operation.
    /// </summary>
    /// <param name="latency">The added latency.</param>
    /// <param name="times">How many requests or calls; <see langword="null"/> for all.</param>
    /// <returns>This instance.</returns>
    public OperationFaults Delay(TimeSpan latency, int? times = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(latency, TimeSpan.Zero);
        return Add(new FaultRule(FaultKind.Delay, Positive(times)) { Latency = latency });
    }

    /// <summary>
    /// Answers a received request with <paramref name="statusCode"/> (for example 500, 502, 503, 504 or 429) and
    /// the gateway's error body, without processing it. Received operations only.
    /// </summary>
    /// <param name="statusCode">The HTTP status (400-599).</param>
    /// <param name="times">How many requests; <see langword="null"/> for all.</param>
    /// <returns>This instance.</returns>
    public OperationFaults RespondWith(int statusCode, int? times = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        Require(Received, nameof(RespondWith));
        return Add(new FaultRule(FaultKind.RespondWith, Positive(times)) { StatusCode = statusCode });
    }

    /// <summary>
    /// Holds a received request unanswered until the client gives up (its timeout) or the simulator stops; the
    /// request is not processed. Received operations only.
    /// </summary>
    /// <param name="times">How many requests; <see langword="null"/> for all.</param>
    /// <returns>This instance.</returns>
    public OperationFaults Hang(int? times = null)
    {
        Require(Received, nameof(Hang));
        return Add(new FaultRule(FaultKind.Hang, Positive(times)));
    }

    /// <summary>Does not send a call to the HIP (it is journaled as dropped). Share, OnInit, OnConfirm, OnGenerateToken and RunningTokenStatus only.</summary>
    /// <param name="times">How many calls; <see langword="null"/> for all.</param>
    /// <returns>This instance.</returns>
    public OperationFaults Drop(int? times = null)
    {
        Require(Sent, nameof(Drop));
        return Add(new FaultRule(FaultKind.Drop, Positive(times)));
    }

    /// <summary>
    /// Sends a call to the HIP twice, with the same body (same requestId), the second after the HIP answered the
    /// first. Share, OnInit, OnConfirm, OnGenerateToken and RunningTokenStatus only.
    /// </summary>
    /// <param name="times">How many calls; <see langword="null"/> for all.</param>
    /// <returns>This instance.</returns>
    public OperationFaults Duplicate(int? times = null)
    {
        Require(Sent, nameof(Duplicate));
        return Add(new FaultRule(FaultKind.Duplicate, Positive(times)));
    }

    /// <summary>
    /// Sends a callback as a pair in reverse order: the simulator makes the callback twice (two requestIds, two
    /// timestamps; for on-init two valid transactionIds, for on-confirm and on-generate-token two linking tokens) and
    /// delivers the later one first. OnInit, OnConfirm and OnGenerateToken only.
    /// </summary>
    /// <param name="times">How many callbacks; <see langword="null"/> for all.</param>
    /// <returns>This instance.</returns>
    public OperationFaults DeliverInReverseOrder(int? times = null)
    {
        Require(Callbacks, nameof(DeliverInReverseOrder));
        return Add(new FaultRule(FaultKind.ReverseOrder, Positive(times)));
    }

    /// <summary>
    /// Sends the callback (and waits for the HIP's answer) before answering 202 to the auth init, confirm or
    /// generate-token that caused it. OnInit, OnConfirm and OnGenerateToken only.
    /// </summary>
    /// <param name="times">How many callbacks; <see langword="null"/> for all.</param>
    /// <returns>This instance.</returns>
    public OperationFaults SendBeforeAccepted(int? times = null)
    {
        Require(Callbacks, nameof(SendBeforeAccepted));
        return Add(new FaultRule(FaultKind.BeforeAccepted, Positive(times)));
    }

    /// <summary>
    /// Signs the token on a call to the HIP with a key that is not published in the certs (<c>/v0.5/certs</c>, or
    /// the v3 certs for a v3 call; a HIP must refuse it). Share, OnInit, OnConfirm, OnGenerateToken and RunningTokenStatus only.
    /// </summary>
    /// <param name="times">How many calls; <see langword="null"/> for all.</param>
    /// <returns>This instance.</returns>
    public OperationFaults SignWithUnpublishedKey(int? times = null)
    {
        Require(Sent, nameof(SignWithUnpublishedKey));
        return Add(new FaultRule(FaultKind.UnpublishedKey, Positive(times)));
    }

    /// <summary>
    /// Issues session tokens that stop being accepted <paramref name="validFor"/> after they were issued
    /// (<see cref="TimeSpan.Zero"/>: at once) although <c>expiresIn</c> still says the configured lifetime.
    /// Sessions only.
    /// </summary>
    /// <param name="validFor">How long the token really works.</param>
    /// <param name="times">How many tokens; <see langword="null"/> for all.</param>
    /// <returns>This instance.</returns>
    public OperationFaults ExpireTokensEarly(TimeSpan validFor, int? times = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(validFor, TimeSpan.Zero);
        Require([GatewayOperation.Sessions], nameof(ExpireTokensEarly));
        return Add(new FaultRule(FaultKind.ExpireEarly, Positive(times)) { Latency = validFor });
    }

    /// <summary>Removes this operation's faults that have not been used up.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
        }
    }

    internal FaultPlan Take()
    {
        lock (_gate)
        {
            var delay = TimeSpan.Zero;
            FaultRule? outcome = null;
            foreach (var rule in _rules)
            {
                if (rule.Kind == FaultKind.Delay)
                {
                    delay += rule.Latency;
                    rule.Use();
                }
                else if (outcome is null && rule.Kind is FaultKind.RespondWith or FaultKind.Hang or FaultKind.Drop)
                {
                    outcome = rule;
                    rule.Use();
                }
            }

            var modifiers = new HashSet<FaultKind>();
            TimeSpan? expireAfter = null;
            if (outcome is null)
            {
                foreach (var rule in _rules)
                {
                    if (rule.Kind is FaultKind.Duplicate or FaultKind.ReverseOrder or FaultKind.BeforeAccepted or FaultKind.UnpublishedKey or FaultKind.ExpireEarly
                        && !rule.IsUsedUp && modifiers.Add(rule.Kind))
                    {
                        rule.Use();
                        if (rule.Kind == FaultKind.ExpireEarly)
                        {
                            expireAfter = rule.Latency;
                        }
                    }
                }
            }

            _rules.RemoveAll(r => r.IsUsedUp);
            return new FaultPlan(delay, outcome?.Kind, outcome?.StatusCode ?? 0, modifiers, expireAfter);
        }
    }

    private OperationFaults Add(FaultRule rule)
    {
        lock (_gate)
        {
            _rules.Add(rule);
        }

        return this;
    }

    private static int? Positive(int? times, [CallerArgumentExpression(nameof(times))] string? name = null) =>
        times is <= 0 ? throw new ArgumentOutOfRangeException(name, times, "times must be positive, or null for always.") : times;

    private void Require(GatewayOperation[] allowed, string fault)
    {
        if (!allowed.Contains(Operation))
        {
            throw new InvalidOperationException($"The {fault} fault does not apply to {Operation}; it applies to {string.Join(", ", allowed)}.");
        }
    }
}
