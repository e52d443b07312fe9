using System.Collections.Concurrent;
using Abdm.ProfileShare.Testing.Internal;

namespace Abdm.ProfileShare.Testing;

/// <summary>
/// Faults on demand, per operation: <c>gateway.Faults.For(GatewayOperation.OnShare).RespondWith(503, times: 3)</c>.
/// Thread-safe; a fault applies to requests that arrive (or calls that start) after it was added.
/// </summary>
/// <remarks>
/// Rules of one operation apply in the order they were added. A response rule (<see cref="OperationFaults.RespondWith"/>,
/// <see cref="OperationFaults.Hang"/>, <see cref="OperationFaults.Drop"/>) replaces normal handling, and the first one
/// still active wins; every active <see cref="OperationFaults.Delay"/> applies and adds up; the other rules modify
/// normal handling. <c>times</c> counts the requests (or calls) a rule applies to; <see langword="null"/> means always.
/// </remarks>
public sealed class GatewayFaults
{
    private readonly ConcurrentDictionary<GatewayOperation, OperationFaults> _operations = new();
    private readonly Action _invalidateSessionTokens;

    internal GatewayFaults(Action invalidateSessionTokens)
    {
        _invalidateSessionTokens = invalidateSessionTokens;
    }

    /// <summary>The faults of one operation.</summary>
    /// <param name="operation">The operation.</param>
    /// <returns>A builder to add faults to (each method returns it again, to chain).</returns>
    public OperationFaults For(GatewayOperation operation) => _operations.GetOrAdd(operation, static op => new OperationFaults(op));

    /// <summary>Removes every fault that has not been used up. Tokens already expired or invalidated stay invalid.</summary>
    public void Clear()
    {
        foreach (var faults in _operations.Values)
        {
            faults.Clear();
        }
    }

    /// <summary>
    /// Makes every session access token issued so far invalid at once (the next call with one gets 401, WSO2
    /// fault 900901), as when the gateway drops its sessions. Tokens issued afterwards are not affected.
    /// </summary>
    public void InvalidateSessionTokens() => _invalidateSessionTokens();

    internal FaultPlan Take(GatewayOperation operation) =>
        _operations.TryGetValue(operation, out var faults) ? faults.Take() : FaultPlan.None;
}
