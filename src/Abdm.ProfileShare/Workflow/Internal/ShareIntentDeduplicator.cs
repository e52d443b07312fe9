namespace Abdm.ProfileShare.Workflow.Internal;

/// <summary>
/// Remembers the outcome of the last <see cref="DefaultCapacity"/> intent shares (<c>RECORD_SHARE</c>, <c>PAYMENT_SHARE</c>) by
/// <c>REQUEST-ID</c>, in process memory, so a gateway retry is answered as the first delivery was without calling the
/// host's handler again. A repeat that arrives while the first is still being handled waits for its outcome.
/// </summary>
/// <remarks>
/// Bounded and forgetful by design: these shares are not queue entries and the store contract has no place for them.
/// The oldest remembered outcome is dropped first; a restart, or another instance, forgets. A handler that failed
/// (threw) is forgotten at once, so the redelivery is handled again. The host's handler is told to be idempotent on
/// the request id (<see cref="IShareIntentHandler"/>).
/// </remarks>
internal sealed class ShareIntentDeduplicator
{
    /// <summary>How many outcomes are remembered by default.</summary>
    public const int DefaultCapacity = 4096;

    private readonly int _capacity;
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, Task<ShareIntentOutcome>> _outcomes = [];
    private readonly Queue<(Guid RequestId, Task<ShareIntentOutcome> Outcome)> _order = new();

    /// <summary>Remembers <see cref="DefaultCapacity"/> outcomes.</summary>
    public ShareIntentDeduplicator()
        : this(DefaultCapacity)
    {
    }

    /// <summary>Remembers <paramref name="capacity"/> outcomes.</summary>
    /// <param name="capacity">At least 1.</param>
    internal ShareIntentDeduplicator(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    /// <summary>The number of outcomes remembered now (completed or in progress).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _outcomes.Count;
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="handle"/> for <paramref name="requestId"/> unless an outcome for it is remembered (or on its
    /// way): then returns that one.
    /// </summary>
    /// <param name="requestId">The share's <c>REQUEST-ID</c>.</param>
    /// <param name="handle">Calls the host's handler.</param>
    /// <returns>The outcome, and whether it was remembered (a repeat).</returns>
    public async Task<(ShareIntentOutcome Outcome, bool Repeat)> RunAsync(Guid requestId, Func<Task<ShareIntentOutcome>> handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        Task<ShareIntentOutcome>? known;
        TaskCompletionSource<ShareIntentOutcome>? mine = null;
        lock (_gate)
        {
            if (!_outcomes.TryGetValue(requestId, out known))
            {
                mine = new TaskCompletionSource<ShareIntentOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
                _outcomes[requestId] = mine.Task;
                _order.Enqueue((requestId, mine.Task));
                while (_order.Count > _capacity)
                {
                    var (oldId, oldOutcome) = _order.Dequeue();
                    if (_outcomes.TryGetValue(oldId, out var current) && current == oldOutcome)
                    {
                        _outcomes.Remove(oldId);
                    }
                }
            }
        }

        if (mine is null)
        {
            return (await known!.ConfigureAwait(false), true);
        }

        try
        {
            var outcome = await handle().ConfigureAwait(false) ?? throw new InvalidOperationException("The share intent handler returned no outcome.");
            mine.SetResult(outcome);
            return (outcome, false);
        }
        catch (Exception ex)
        {
            Forget(requestId, mine.Task);
            mine.SetException(ex);
            _ = mine.Task.Exception; // observed: a repeat waiting on it rethrows; none may be waiting
            throw;
        }
    }

    private void Forget(Guid requestId, Task<ShareIntentOutcome> outcome)
    {
        lock (_gate)
        {
            if (_outcomes.TryGetValue(requestId, out var current) && current == outcome)
            {
                _outcomes.Remove(requestId);
            }
        }
    }
}
