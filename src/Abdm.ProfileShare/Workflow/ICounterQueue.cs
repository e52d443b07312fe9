using System.Diagnostics.CodeAnalysis;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;

namespace Abdm.ProfileShare.Workflow;

/// <summary>
/// The registration counter's view of the queue: every profile scanned at a counter, newest first, with live
/// changes; claim (one operator at a time), complete, dismiss; the linking token per patient.
/// </summary>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "It is the registration counter's queue, the domain's own word.")]
public interface ICounterQueue
{
    /// <summary>The entries still waiting at a counter (or every counter of a HIP), newest scan first.</summary>
    /// <param name="hipId">The HIP id.</param>
    /// <param name="counterCode">The counter code, or <see langword="null"/> for all counters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entries.</returns>
    Task<IReadOnlyList<QueueEntry>> ListAsync(string hipId, string? counterCode, CancellationToken cancellationToken = default);

    /// <summary>Reads one entry.</summary>
    /// <param name="entryId">The entry id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entry, or <see langword="null"/>.</returns>
    Task<QueueEntry?> GetAsync(Guid entryId, CancellationToken cancellationToken = default);

    /// <summary>Claims a waiting entry for an operator; fails when another operator holds it.</summary>
    /// <param name="entryId">The entry.</param>
    /// <param name="operatorId">Who claims it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome and the entry.</returns>
    Task<QueueActionResult> ClaimAsync(Guid entryId, string operatorId, CancellationToken cancellationToken = default);

    /// <summary>Puts a claimed entry back in the queue.</summary>
    /// <param name="entryId">The entry.</param>
    /// <param name="operatorId">The operator holding it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome and the entry.</returns>
    Task<QueueActionResult> ReleaseAsync(Guid entryId, string operatorId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Completes an entry: the operator registered a new patient or linked the scan to an existing one
    /// (<paramref name="patientId"/>). The entry leaves the queue.
    /// </summary>
    /// <param name="entryId">The entry.</param>
    /// <param name="operatorId">The operator (must hold the claim if the entry is claimed).</param>
    /// <param name="patientId">The hospital's patient id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome and the entry.</returns>
    Task<QueueActionResult> CompleteAsync(Guid entryId, string operatorId, string patientId, CancellationToken cancellationToken = default);

    /// <summary>Removes an entry from the queue without registering.</summary>
    /// <param name="entryId">The entry.</param>
    /// <param name="operatorId">The operator.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome and the entry.</returns>
    Task<QueueActionResult> DismissAsync(Guid entryId, string operatorId, CancellationToken cancellationToken = default);

    /// <summary>Starts (or restarts, after a failure or timeout) the linking-token chain of an entry.</summary>
    /// <param name="entryId">The entry.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome and the entry.</returns>
    Task<QueueActionResult> StartLinkingAsync(Guid entryId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Calls the next token at a counter (for desks that call before they register): the waiting entry of today with the
    /// lowest token number that was not called yet becomes the counter's running token. A claim also counts as calling.
    /// </summary>
    /// <param name="hipId">The HIP id.</param>
    /// <param name="counterCode">The counter code.</param>
    /// <param name="operatorId">Who calls (for the log).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see cref="QueueActionOutcome.Done"/> with the entry called, or <see cref="QueueActionOutcome.NotFound"/>
    /// when no waiting token is left to call.</returns>
    Task<QueueActionResult> CallNextAsync(string hipId, string counterCode, string operatorId, CancellationToken cancellationToken = default);

    /// <summary>What a counter is serving now: the token most recently called today and its average service time today.</summary>
    /// <param name="hipId">The HIP id.</param>
    /// <param name="counterCode">The counter code.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The running token (its number is <see langword="null"/> when the counter called none today).</returns>
    Task<CounterRunningToken> GetRunningTokenAsync(string hipId, string counterCode, CancellationToken cancellationToken = default);

    /// <summary>The stored linking token of a patient at a HIP, decrypted (it is encrypted at rest).</summary>
    /// <param name="hipId">The HIP id.</param>
    /// <param name="phrAddress">The PHR address, compared by <see cref="PhrAddress.Fold"/>: case-insensitive for ASCII letters
    /// only, so a lookalike with a non-ASCII letter (<c>ſam@sbx</c>) never finds <c>sam@sbx</c>'s token.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The token record with the clear token, or <see langword="null"/> when there is none, it expired
    /// (<see cref="LinkingTokenRecord.ExpiresAt"/>), or it cannot be decrypted (the Data Protection key ring it was
    /// encrypted with is gone: logged as an error).</returns>
    Task<LinkingTokenRecord?> GetLinkingTokenAsync(string hipId, string phrAddress, CancellationToken cancellationToken = default);

    /// <summary>Live changes for a HIP (and optionally one counter), from now until cancelled.</summary>
    /// <param name="hipId">The HIP id.</param>
    /// <param name="counterCode">The counter code, or <see langword="null"/> for all counters.</param>
    /// <param name="cancellationToken">Ends the subscription.</param>
    /// <returns>The changes (ids only; read the entry with <see cref="GetAsync"/>).</returns>
    IAsyncEnumerable<QueueChange> WatchAsync(string hipId, string? counterCode, CancellationToken cancellationToken = default);
}

/// <summary>The outcome of a queue action.</summary>
public enum QueueActionOutcome
{
    /// <summary>Done.</summary>
    Done,

    /// <summary>No such entry.</summary>
    NotFound,

    /// <summary>Another operator holds the entry.</summary>
    HeldByOther,

    /// <summary>The entry is no longer in the queue (completed, dismissed, rejected or expired) or not in a state that allows it.</summary>
    NotAllowed,
}

/// <summary>The result of a queue action.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Entry">The entry after the action, when it exists.</param>
public sealed record QueueActionResult(QueueActionOutcome Outcome, QueueEntry? Entry);
