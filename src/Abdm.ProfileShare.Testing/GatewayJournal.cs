using System.Text;
using System.Text.Json;

namespace Abdm.ProfileShare.Testing;

/// <summary>
/// A thread-safe record of everything the simulator received and sent, in order, with waits that complete when a
/// matching entry is recorded (already recorded entries count too).
/// </summary>
/// <remarks>
/// With a <see cref="GatewaySimulatorOptions.JournalCapacity"/> (the <see cref="GatewaySimulatorProfile.Performance"/>
/// profile keeps 1,024) only the latest entries are kept: <see cref="Entries"/>, <see cref="Of"/> and
/// <see cref="Describe"/> show those, and a new wait looks back at those only. A wait already registered sees every
/// entry as it is recorded, kept or not. <see cref="JournalEntry.Sequence"/> counts every entry ever recorded.
/// </remarks>
public sealed class GatewayJournal
{
    private readonly Lock _gate = new();
    private readonly Queue<JournalEntry> _entries = new();
    private readonly List<Waiter> _waiters = [];
    private readonly int? _capacity;
    private long _sequence;

    internal GatewayJournal(int? capacity = null)
    {
        _capacity = capacity;
    }

    /// <summary>A snapshot of every entry kept so far (all of them unless there is a capacity), oldest first.</summary>
    public IReadOnlyList<JournalEntry> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries];
            }
        }
    }

    /// <summary>
    /// Waits until an entry matching <paramref name="predicate"/> is (or already was) recorded. With a capacity, "already
    /// was" means among the entries still kept; every entry recorded after the call is seen.
    /// </summary>
    /// <param name="predicate">The condition; called under the journal's lock, keep it short.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The first matching entry.</returns>
    /// <exception cref="TimeoutException">No matching entry in time; the message lists the latest entries.</exception>
    public async Task<JournalEntry> WaitForAsync(Func<JournalEntry, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        Waiter waiter;
        lock (_gate)
        {
            foreach (var entry in _entries)
            {
                if (predicate(entry))
                {
                    return entry;
                }
            }

            waiter = new Waiter(predicate);
            _waiters.Add(waiter);
        }

        try
        {
            return await waiter.Completion.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No matching journal entry within {timeout}. Latest entries:{Environment.NewLine}{Describe(20)}");
        }
        finally
        {
            lock (_gate)
            {
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>Waits until the simulator accepted an on-share answering the share <paramref name="shareRequestId"/>.</summary>
    /// <param name="shareRequestId">The share's requestId (<see cref="SimulatedShare.RequestId"/>).</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The on-share entry.</returns>
    public Task<JournalEntry> WaitForOnShareAsync(Guid shareRequestId, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitForAsync(e => e.Operation == GatewayOperation.OnShare && e.IsAccepted && e.RespRequestId == shareRequestId, timeout, cancellationToken);

    /// <summary>Waits until the simulator accepted an auth init for the PHR address <paramref name="healthId"/>.</summary>
    /// <param name="healthId">The PHR address.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The auth init entry.</returns>
    public Task<JournalEntry> WaitForAuthInitAsync(string healthId, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitForAsync(e => e.Operation == GatewayOperation.AuthInit && e.IsAccepted && string.Equals(e.HealthId, healthId, StringComparison.Ordinal), timeout, cancellationToken);

    /// <summary>Waits until the simulator sent an on-init for the PHR address <paramref name="healthId"/> (whatever the HIP answered).</summary>
    /// <param name="healthId">The PHR address.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The on-init entry (see <see cref="JournalEntry.StatusCode"/> for the HIP's answer).</returns>
    public Task<JournalEntry> WaitForOnInitSentAsync(string healthId, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitForSentAsync(GatewayOperation.OnInit, healthId, timeout, cancellationToken);

    /// <summary>Waits until the simulator sent an on-confirm for the PHR address <paramref name="healthId"/> (whatever the HIP answered).</summary>
    /// <param name="healthId">The PHR address.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The on-confirm entry (see <see cref="JournalEntry.StatusCode"/> for the HIP's answer).</returns>
    public Task<JournalEntry> WaitForOnConfirmSentAsync(string healthId, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitForSentAsync(GatewayOperation.OnConfirm, healthId, timeout, cancellationToken);

    /// <summary>
    /// Waits until the HIP accepted (2xx) an on-confirm carrying a linking token for <paramref name="healthId"/>,
    /// and returns the token.
    /// </summary>
    /// <param name="healthId">The PHR address.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The linking token (<c>auth.accessToken</c>).</returns>
    public async Task<string> WaitForLinkingTokenIssuedAsync(string healthId, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var entry = await WaitForAsync(
            e => e.Operation == GatewayOperation.OnConfirm && e.IsDelivered && string.Equals(e.HealthId, healthId, StringComparison.Ordinal) && LinkingToken(e) is not null,
            timeout, cancellationToken).ConfigureAwait(false);
        return LinkingToken(entry)!;
    }

    /// <summary>
    /// Waits until the HIP accepted (2xx) an on-generate-token (v3) carrying a link token for
    /// <paramref name="abhaAddress"/> (compared case-insensitively), and returns the token.
    /// </summary>
    /// <param name="abhaAddress">The ABHA address.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The link token (<c>linkToken</c>).</returns>
    public async Task<string> WaitForLinkTokenIssuedAsync(string abhaAddress, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var entry = await WaitForAsync(
            e => e.Operation == GatewayOperation.OnGenerateToken && e.IsDelivered && string.Equals(e.HealthId, abhaAddress, StringComparison.OrdinalIgnoreCase) && LinkToken(e) is not null,
            timeout, cancellationToken).ConfigureAwait(false);
        return LinkToken(entry)!;
    }

    /// <summary>Every entry of one operation (among those kept), oldest first.</summary>
    /// <param name="operation">The operation.</param>
    /// <returns>A snapshot.</returns>
    public IReadOnlyList<JournalEntry> Of(GatewayOperation operation)
    {
        lock (_gate)
        {
            return [.. _entries.Where(e => e.Operation == operation)];
        }
    }

    /// <summary>A one-line-per-entry description of the latest entries (no bodies), for test failure messages.</summary>
    /// <param name="count">How many of the latest entries.</param>
    /// <returns>The description.</returns>
    public string Describe(int count = 50)
    {
        var builder = new StringBuilder();
        lock (_gate)
        {
            foreach (var entry in _entries.Skip(Math.Max(0, _entries.Count - count)))
            {
                builder.Append("  ").AppendLine(entry.ToString());
            }
        }

        return builder.Length == 0 ? "  (none)" : builder.ToString();
    }

    internal JournalEntry Record(Func<long, JournalEntry> create)
    {
        JournalEntry entry;
        List<Waiter>? matched = null;
        lock (_gate)
        {
            entry = create(++_sequence);
            _entries.Enqueue(entry);
            if (_capacity is { } capacity && _entries.Count > capacity)
            {
                _entries.Dequeue();
            }

            foreach (var waiter in _waiters)
            {
                if (waiter.Predicate(entry))
                {
                    (matched ??= []).Add(waiter);
                }
            }
        }

        if (matched is not null)
        {
            foreach (var waiter in matched)
            {
                waiter.Completion.TrySetResult(entry);
            }
        }

        return entry;
    }

    internal static string? LinkingToken(JournalEntry entry) =>
        entry.Body is { ValueKind: JsonValueKind.Object } body
        && body.TryGetProperty("auth", out var auth) && auth.ValueKind == JsonValueKind.Object
        && auth.TryGetProperty("accessToken", out var token) && token.ValueKind == JsonValueKind.String
            ? token.GetString()
            : null;

    internal static string? LinkToken(JournalEntry entry) =>
        entry.Body is { ValueKind: JsonValueKind.Object } body
        && body.TryGetProperty("linkToken", out var token) && token.ValueKind == JsonValueKind.String
            ? token.GetString()
            : null;

    private Task<JournalEntry> WaitForSentAsync(GatewayOperation operation, string healthId, TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitForAsync(e => e.Operation == operation && e.Direction == JournalDirection.Sent && !e.Faults.Contains(FaultKind.Drop)
                          && string.Equals(e.HealthId, healthId, StringComparison.Ordinal), timeout, cancellationToken);

    private sealed class Waiter(Func<JournalEntry, bool> predicate)
    {
        public Func<JournalEntry, bool> Predicate { get; } = predicate;

        public TaskCompletionSource<JournalEntry> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
