using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Storage;

/// <summary>
/// Everything the profile-share workflow persists: the counter queue, the token counters, deduplication,
/// correlations, the outbox and linking tokens. Implementations: in-memory (tests), SQLite (one server),
/// Redis (several instances). Every implementation must pass the conformance suite
/// (<c>ProfileShareStoreConformanceTests</c>, the <c>Abdm.ProfileShare.Storage.Conformance</c> package); docs/stores.md,
/// "Writing your own store", shows how a store uses <see cref="ShareIntake"/>, <see cref="ChangeFeed"/> and
/// <see cref="StoreJson"/>.
/// </summary>
/// <remarks>
/// <para>Every method is atomic and safe to call concurrently from several processes sharing the store.</para>
/// <para>The store never interprets patient data beyond the PHR address used for re-scan matching; it never
/// logs it.</para>
/// </remarks>
public interface IProfileShareStore
{
    /// <summary>
    /// Accepts a share atomically. In order:
    /// <list type="number">
    /// <item>If <see cref="ShareIntake.ShareRequestId"/> was accepted before: returns
    /// <see cref="ShareIntakeOutcome.Duplicate"/> with that entry as it is now, and changes nothing; with
    /// <see cref="ShareIntakeResult.ContentConflict"/> set when the requestId was accepted with another
    /// <see cref="ShareIntake.ContentHash"/> (both known, compared ordinally).</item>
    /// <item>Else, if an entry for the same HIP id, counter code and PHR address (equal by <see cref="PhrAddress.Fold"/>:
    /// case-insensitive for ASCII letters only) is still in the
    /// queue (status Received, Waiting or Claimed; not expired) and its first scan (<see cref="QueueEntry.FirstScannedAt"/>,
    /// when its token was issued) is within <see cref="ShareIntake.RescanWindow"/> of <see cref="ShareIntake.ReceivedAt"/>
    /// (inclusive: <c>FirstScannedAt &gt;= ReceivedAt - RescanWindow</c>; the one with the latest first scan when several
    /// match): refreshes it (profile, wire version, latest share requestId, scan count + 1, last scan time, expiry,
    /// acknowledgement Pending) keeping its token number and first scan time, and returns
    /// <see cref="ShareIntakeOutcome.Rescanned"/>. Re-scans never extend the window: a token is valid for
    /// <see cref="ShareIntake.RescanWindow"/> from its first scan (ABDM v3 token rules).</item>
    /// <item>Else allocates the next token number for (HIP id, counter code, service day), starting at 1, with no gap
    /// or duplicate under any concurrency, creates the entry (status Received, version 1) and returns
    /// <see cref="ShareIntakeOutcome.Created"/>.</item>
    /// </list>
    /// For Created and Rescanned it also records the requestId for deduplication (with its
    /// <see cref="ShareIntake.ContentHash"/>, when there is one) and enqueues a
    /// <see cref="OutboxItemKind.ShareAcknowledgement"/> item (id <see cref="ShareIntake.AcknowledgementItemId"/>,
    /// request id <see cref="ShareIntake.AcknowledgementRequestId"/>, correlating to the share's requestId,
    /// due at <see cref="ShareIntake.ReceivedAt"/>), and publishes an Added or Updated change.
    /// </summary>
    /// <param name="intake">The validated share.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What happened and the entry.</returns>
    Task<ShareIntakeResult> AcceptShareAsync(ShareIntake intake, CancellationToken cancellationToken = default);

    /// <summary>Reads one entry, whatever its status, until it is purged.</summary>
    /// <param name="entryId">The entry id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entry, or <see langword="null"/>.</returns>
    Task<QueueEntry?> GetEntryAsync(Guid entryId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists the entries still in the queue (status Received, Waiting or Claimed, and
    /// <see cref="QueueEntry.ExpiresAt"/> after <paramref name="now"/>) for a HIP and optionally one counter,
    /// newest scan first.
    /// </summary>
    /// <param name="hipId">The HIP id.</param>
    /// <param name="counterCode">The counter code, or <see langword="null"/> for every counter of the HIP.</param>
    /// <param name="now">The current time.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entries.</returns>
    Task<IReadOnlyList<QueueEntry>> ListEntriesAsync(string hipId, string? counterCode, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes <see cref="EntryUpdate.Entry"/> with version + 1 if the stored entry's version equals
    /// <c>update.Entry.Version</c>, and in the same transaction adds the outbox items and correlations, stores the
    /// linking token and removes the completed outbox item. Publishes an Updated change, or Removed when the new
    /// status is Completed, Dismissed or Rejected.
    /// </summary>
    /// <param name="update">The change.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="false"/> (and nothing written) when the entry is missing or its version moved on.</returns>
    Task<bool> TryUpdateEntryAsync(EntryUpdate update, CancellationToken cancellationToken = default);

    /// <summary>Finds the correlation recorded for an outbound requestId.</summary>
    /// <param name="requestId">The requestId a callback names in <c>resp.requestId</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The correlation, or <see langword="null"/> for a requestId this store never recorded.</returns>
    Task<Correlation?> GetCorrelationAsync(Guid requestId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Leases up to <paramref name="maxItems"/> outbox items that are due (<see cref="OutboxItem.DueAt"/> at or before
    /// <paramref name="now"/>) and not leased (no lease, or the lease expired: a crashed instance's items are taken
    /// over), earliest due first. Each returned item carries <paramref name="owner"/> and its lease expiry. No item
    /// is ever leased to two owners at once.
    /// </summary>
    /// <param name="owner">The processor instance's id.</param>
    /// <param name="now">The current time.</param>
    /// <param name="leaseDuration">How long the lease holds.</param>
    /// <param name="maxItems">The most items to lease.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The leased items.</returns>
    Task<IReadOnlyList<OutboxItem>> LeaseOutboxItemsAsync(string owner, DateTimeOffset now, TimeSpan leaseDuration, int maxItems, CancellationToken cancellationToken = default);

    /// <summary>
    /// Releases an item for a later attempt: sets its due time, attempt count and last error, and clears the lease,
    /// if <paramref name="owner"/> still holds it.
    /// </summary>
    /// <param name="itemId">The item.</param>
    /// <param name="owner">The owner that leased it.</param>
    /// <param name="dueAt">When to try again.</param>
    /// <param name="attempts">The attempt count to record.</param>
    /// <param name="lastError">What went wrong (no patient data).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="false"/> when the item is gone or leased by another owner.</returns>
    Task<bool> RescheduleOutboxItemAsync(Guid itemId, string owner, DateTimeOffset dueAt, int attempts, string? lastError, CancellationToken cancellationToken = default);

    /// <summary>Removes a finished outbox item.</summary>
    /// <param name="itemId">The item.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="false"/> when it was already gone.</returns>
    Task<bool> CompleteOutboxItemAsync(Guid itemId, CancellationToken cancellationToken = default);

    /// <summary>The outbox at a glance.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Counts and times.</returns>
    Task<OutboxStatistics> GetOutboxStatisticsAsync(CancellationToken cancellationToken = default);

    /// <summary>Reads the linking token stored for a patient at a HIP, as it was stored.</summary>
    /// <remarks>The store returns the record as written: <see cref="LinkingTokenRecord.Token"/> is the encrypted value
    /// the workflow stored (hosts read tokens through <c>ICounterQueue.GetLinkingTokenAsync</c>, which decrypts them).
    /// It need not check <see cref="LinkingTokenRecord.ExpiresAt"/>.</remarks>
    /// <param name="hipId">The HIP id.</param>
    /// <param name="healthId">The PHR address (compared by <see cref="PhrAddress.Fold"/>: case-insensitive for ASCII letters only).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The record, or <see langword="null"/>.</returns>
    Task<LinkingTokenRecord?> GetLinkingTokenAsync(string hipId, string healthId, CancellationToken cancellationToken = default);

    /// <summary>Marks a stored linking token used (the hospital linked a record with it).</summary>
    /// <param name="hipId">The HIP id.</param>
    /// <param name="healthId">The PHR address (compared by <see cref="PhrAddress.Fold"/>: case-insensitive for ASCII letters only).</param>
    /// <param name="usedAt">When it was used.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="false"/> when there is no unused token.</returns>
    Task<bool> MarkLinkingTokenUsedAsync(string hipId, string healthId, DateTimeOffset usedAt, CancellationToken cancellationToken = default);

    /// <summary>
    /// Lets one linking-token request (v3 <c>generate-token</c>, v0.5 <c>users/auth/init</c>) through for a patient at a
    /// HIP, or says why not, atomically across every process sharing the store. For (<paramref name="hipId"/>,
    /// <paramref name="healthId"/> folded by <see cref="PhrAddress.Fold"/>):
    /// <list type="number">
    /// <item>If a block holds (<see cref="LinkingRequestGuard.BlockedUntil"/> after <paramref name="now"/>): changes
    /// nothing.</item>
    /// <item>Else, if <see cref="LinkingRequestGuard.LastRequestId"/> is <paramref name="requestId"/> (a retry of the
    /// request let through): changes nothing.</item>
    /// <item>Else, if a request was let through less than <paramref name="window"/> before <paramref name="now"/>
    /// (<c>LastRequestAt + window &gt; now</c>): changes nothing.</item>
    /// <item>Else records <paramref name="requestId"/> and <paramref name="now"/> as the last request.</item>
    /// </list>
    /// Returns the guard as stored after the call: the request may be sent when
    /// <see cref="LinkingRequestGuard.Grants"/> says so; otherwise the caller waits until <c>LastRequestAt + window</c> or
    /// the end of the block.
    /// </summary>
    /// <param name="hipId">The HIP id.</param>
    /// <param name="healthId">The PHR address.</param>
    /// <param name="requestId">The request about to be sent.</param>
    /// <param name="now">The current time.</param>
    /// <param name="window">How long after a request no other may be sent.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The guard after the call.</returns>
    Task<LinkingRequestGuard> TryBeginLinkingRequestAsync(string hipId, string healthId, Guid requestId, DateTimeOffset now, TimeSpan window, CancellationToken cancellationToken = default);

    /// <summary>
    /// Blocks linking-token requests for a patient at a HIP until <paramref name="until"/> (a later block already stored
    /// is kept), recording <paramref name="errorCode"/> as the reason. Survives restarts; seen by every process.
    /// </summary>
    /// <param name="hipId">The HIP id.</param>
    /// <param name="healthId">The PHR address (folded by <see cref="PhrAddress.Fold"/>).</param>
    /// <param name="errorCode">The gateway's error code that blocked the address.</param>
    /// <param name="until">When the block ends.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the block is stored.</returns>
    Task BlockLinkingRequestsAsync(string hipId, string healthId, string errorCode, DateTimeOffset until, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a counter's service for (HIP, counter, service day), atomically: when
    /// <see cref="CounterServiceEvent.CalledTokenNumber"/> is set and <see cref="CounterServiceEvent.At"/> is not before the
    /// stored call time, the running token becomes that number (the latest call wins); when
    /// <see cref="CounterServiceEvent.ServiceTime"/> is set, the served count grows by one and the total by that time.
    /// </summary>
    /// <param name="serviceEvent">What the counter did.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when it is recorded.</returns>
    Task RecordCounterServiceAsync(CounterServiceEvent serviceEvent, CancellationToken cancellationToken = default);

    /// <summary>Reads a counter's service on a day.</summary>
    /// <param name="hipId">The HIP id.</param>
    /// <param name="counterCode">The counter code.</param>
    /// <param name="serviceDay">The service day.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The day's service, or <see langword="null"/> when nothing was recorded.</returns>
    Task<CounterServiceDay?> GetCounterServiceDayAsync(string hipId, string counterCode, DateOnly serviceDay, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes entries whose <see cref="QueueEntry.ExpiresAt"/> is before <paramref name="cutoff"/>, with their
    /// deduplication keys, correlations and outbox items, token counters and counter service days of service days before
    /// the cutoff's day, and
    /// linking tokens whose <see cref="LinkingTokenRecord.ExpiresAt"/> is before <paramref name="linkingTokenCutoff"/>.
    /// A linking token is kept until then whether or not its entry is still stored; one without
    /// <see cref="LinkingTokenRecord.ExpiresAt"/> (written through the store contract without it) is kept. Linking-request
    /// guards go when their last request is before <paramref name="cutoff"/> (or there is none) and their block (if any)
    /// ended before <paramref name="linkingTokenCutoff"/>.
    /// </summary>
    /// <remarks>A store may also drop an expired linking token on its own (the Redis store gives the key a
    /// time-to-live); the workflow never hands out an expired token either way.</remarks>
    /// <param name="cutoff">Entries that expired before this go (the workflow passes now minus the retention).</param>
    /// <param name="linkingTokenCutoff">Linking tokens that expired before this go (the workflow passes now).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many entries were deleted.</returns>
    Task<int> PurgeAsync(DateTimeOffset cutoff, DateTimeOffset linkingTokenCutoff, CancellationToken cancellationToken = default);

    /// <summary>
    /// The change feed: every change made through this store by any process sharing it, from the moment of the
    /// call until <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    /// <param name="cancellationToken">Ends the subscription.</param>
    /// <returns>The changes, in the order this process learns of them.</returns>
    IAsyncEnumerable<QueueChange> WatchAsync(CancellationToken cancellationToken = default);

    /// <summary>Checks that the store is reachable; throws when it is not.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the store answered.</returns>
    Task PingAsync(CancellationToken cancellationToken = default);
}
