using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage.Internal;

namespace Abdm.ProfileShare.Storage;

/// <summary>
/// The in-memory store: for tests and single-process demos. Nothing survives a restart; use the SQLite store
/// for one server and the Redis store for several instances.
/// </summary>
/// <remarks>Thread-safe: every operation runs under one lock, so each is atomic.</remarks>
public sealed partial class InMemoryProfileShareStore : IProfileShareStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, QueueEntry> _entries = [];
    private readonly Dictionary<Guid, Guid> _shareRequests = [];

    // The content hash each share requestId was accepted with (ShareIntake.ContentHash), beside _shareRequests
    // rather than in it; pruned of requestIds _shareRequests no longer holds as it grows (PruneContentHashes).
    private readonly Dictionary<Guid, string> _shareContentHashes = [];

    // Entries by HIP, counter and folded PHR address (PhrAddress.Fold), oldest first: a re-scan looks only at that
    // patient's entries instead of every entry (a scan of all entries under the lock made each share O(n)).
    private readonly Dictionary<(string Hip, string Counter, string HealthId), List<Guid>> _byPatient = [];
    private readonly Dictionary<(string Hip, string Counter, DateOnly Day), int> _tokenCounters = [];
    private readonly Dictionary<Guid, Correlation> _correlations = [];

    // The outbox, kept in lease order so leasing and statistics do not sort every item under the lock.
    private readonly InMemoryOutbox _outbox = new();
    private readonly Dictionary<(string Hip, string HealthId), LinkingTokenRecord> _linkingTokens = [];
    private readonly Dictionary<(string Hip, string HealthId), LinkingRequestGuard> _linkingGuards = [];
    private readonly Dictionary<(string Hip, string Counter, DateOnly Day), CounterServiceDay> _counterService = [];
    private readonly ChangeFeed _changes = new();

    /// <inheritdoc />
    public Task<ShareIntakeResult> AcceptShareAsync(ShareIntake intake, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(intake);
        ShareIntakeResult result;
        lock (_gate)
        {
            if (_shareRequests.TryGetValue(intake.ShareRequestId, out var existingId) && _entries.TryGetValue(existingId, out var existing))
            {
                var conflict = ShareIntakeResult.IsConflict(_shareContentHashes.GetValueOrDefault(intake.ShareRequestId), intake.ContentHash);
                return Task.FromResult(new ShareIntakeResult(ShareIntakeOutcome.Duplicate, existing) { ContentConflict = conflict });
            }

            QueueEntry? rescan = null;
            if (_byPatient.TryGetValue((intake.HipId, intake.CounterCode, PhrAddress.Fold(intake.Profile.HealthId)), out var candidates))
            {
                foreach (var candidateId in candidates)
                {
                    var e = _entries[candidateId];
                    // The token is valid for the window from its first scan (when it was issued), however often it is re-scanned.
                    if (e.IsActive(intake.ReceivedAt) && e.FirstScannedAt >= intake.ReceivedAt - intake.RescanWindow
                        && (rescan is null || e.FirstScannedAt > rescan.FirstScannedAt))
                    {
                        rescan = e;
                    }
                }
            }

            QueueEntry entry;
            if (rescan is not null)
            {
                entry = intake.Rescan(rescan);
                result = new ShareIntakeResult(ShareIntakeOutcome.Rescanned, entry);
            }
            else
            {
                var key = (intake.HipId, intake.CounterCode, intake.ServiceDay);
                var token = _tokenCounters.GetValueOrDefault(key) + 1;
                _tokenCounters[key] = token;
                entry = intake.NewEntry(token);
                result = new ShareIntakeResult(ShareIntakeOutcome.Created, entry);
                IndexEntry(entry);
            }

            _entries[entry.Id] = entry;
            _shareRequests[intake.ShareRequestId] = entry.Id;
            RememberContentHash(intake.ShareRequestId, intake.ContentHash);
            _outbox.Put(intake.AcknowledgementItem(entry.Id));
            Publish(new QueueChange(result.Outcome == ShareIntakeOutcome.Created ? QueueChangeKind.Added : QueueChangeKind.Updated, entry.Id, entry.HipId, entry.CounterCode, entry.Version));
        }

        return Task.FromResult(result);
    }

    /// <inheritdoc />
    public Task<QueueEntry?> GetEntryAsync(Guid entryId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_entries.GetValueOrDefault(entryId));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<QueueEntry>> ListEntriesAsync(string hipId, string? counterCode, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<QueueEntry> list = _entries.Values
                .Where(e => e.HipId == hipId && (counterCode is null || e.CounterCode == counterCode) && e.IsActive(now))
                .OrderByDescending(e => e.LastScannedAt)
                .ThenByDescending(e => e.TokenNumber)
                .ToList();
            return Task.FromResult(list);
        }
    }

    /// <inheritdoc />
    public Task<bool> TryUpdateEntryAsync(EntryUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        lock (_gate)
        {
            if (!_entries.TryGetValue(update.Entry.Id, out var stored) || stored.Version != update.Entry.Version)
            {
                return Task.FromResult(false);
            }

            var written = update.Entry with { Version = stored.Version + 1 };
            _entries[written.Id] = written;
            if (PatientKey(stored) != PatientKey(written))
            {
                UnindexEntry(stored);
                IndexEntry(written);
            }
            foreach (var item in update.Enqueue)
            {
                _outbox.Put(item);
            }

            foreach (var correlation in update.Correlations)
            {
                _correlations[correlation.RequestId] = correlation;
            }

            if (update.CompleteOutboxItemId is { } completed)
            {
                _outbox.Remove(completed);
            }

            if (update.LinkingToken is { } token)
            {
                _linkingTokens[(token.HipId, PhrAddress.Fold(token.HealthId))] = token;
            }

            var removed = written.Status is QueueEntryStatus.Completed or QueueEntryStatus.Dismissed or QueueEntryStatus.Rejected
                && stored.Status is not (QueueEntryStatus.Completed or QueueEntryStatus.Dismissed or QueueEntryStatus.Rejected);
            Publish(new QueueChange(removed ? QueueChangeKind.Removed : QueueChangeKind.Updated, written.Id, written.HipId, written.CounterCode, written.Version));
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<Correlation?> GetCorrelationAsync(Guid requestId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_correlations.GetValueOrDefault(requestId));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<OutboxItem>> LeaseOutboxItemsAsync(string owner, DateTimeOffset now, TimeSpan leaseDuration, int maxItems, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<OutboxItem>>(_outbox.Lease(owner, now, leaseDuration, maxItems));
        }
    }

    /// <inheritdoc />
    public Task<bool> RescheduleOutboxItemAsync(Guid itemId, string owner, DateTimeOffset dueAt, int attempts, string? lastError, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_outbox.Reschedule(itemId, owner, dueAt, attempts, lastError));
        }
    }

    /// <inheritdoc />
    public Task<bool> CompleteOutboxItemAsync(Guid itemId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_outbox.Remove(itemId));
        }
    }

    /// <inheritdoc />
    public Task<OutboxStatistics> GetOutboxStatisticsAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_outbox.Statistics());
        }
    }

    /// <inheritdoc />
    public Task<LinkingTokenRecord?> GetLinkingTokenAsync(string hipId, string healthId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(healthId);
        lock (_gate)
        {
            return Task.FromResult(_linkingTokens.GetValueOrDefault((hipId, PhrAddress.Fold(healthId))));
        }
    }

    /// <inheritdoc />
    public Task<bool> MarkLinkingTokenUsedAsync(string hipId, string healthId, DateTimeOffset usedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(healthId);
        lock (_gate)
        {
            var key = (hipId, PhrAddress.Fold(healthId));
            if (!_linkingTokens.TryGetValue(key, out var token) || token.UsedAt is not null)
            {
                return Task.FromResult(false);
            }

            _linkingTokens[key] = token with { UsedAt = usedAt };
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<int> PurgeAsync(DateTimeOffset cutoff, DateTimeOffset linkingTokenCutoff, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            foreach (var (key, token) in _linkingTokens.ToList())
            {
                if (token.ExpiresAt < linkingTokenCutoff)
                {
                    _linkingTokens.Remove(key);
                }
            }

            var firstKeptDay = DateOnly.FromDateTime(cutoff.UtcDateTime);
            foreach (var key in _counterService.Keys.Where(k => k.Day < firstKeptDay).ToList())
            {
                _counterService.Remove(key);
            }

            foreach (var (key, guard) in _linkingGuards.ToList())
            {
                if (!(guard.LastRequestAt >= cutoff) && !(guard.BlockedUntil >= linkingTokenCutoff))
                {
                    _linkingGuards.Remove(key);
                }
            }

            var expired = _entries.Values.Where(e => e.ExpiresAt < cutoff).Select(e => e.Id).ToHashSet();
            foreach (var id in expired)
            {
                if (_entries.Remove(id, out var entry))
                {
                    UnindexEntry(entry);
                }
            }

            foreach (var (requestId, entryId) in _shareRequests.ToList())
            {
                if (expired.Contains(entryId))
                {
                    _shareRequests.Remove(requestId);
                }
            }

            foreach (var (requestId, correlation) in _correlations.ToList())
            {
                if (expired.Contains(correlation.EntryId))
                {
                    _correlations.Remove(requestId);
                }
            }

            _outbox.RemoveOfEntries(expired);

            var cutoffDay = DateOnly.FromDateTime(cutoff.UtcDateTime);
            foreach (var key in _tokenCounters.Keys.Where(k => k.Day < cutoffDay).ToList())
            {
                _tokenCounters.Remove(key);
            }

            return Task.FromResult(expired.Count);
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<QueueChange> WatchAsync(CancellationToken cancellationToken = default) => _changes.WatchAsync(cancellationToken: cancellationToken);

    /// <inheritdoc />
    public Task PingAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    private static (string Hip, string Counter, string HealthId) PatientKey(QueueEntry entry) => (entry.HipId, entry.CounterCode, PhrAddress.Fold(entry.Profile.HealthId));

    private void RememberContentHash(Guid shareRequestId, string? contentHash)
    {
        if (string.IsNullOrEmpty(contentHash))
        {
            return;
        }

        _shareContentHashes[shareRequestId] = contentHash;
        PruneContentHashes();
    }

    /// <summary>
    /// Drops the hashes of requestIds that <see cref="PurgeAsync"/> forgot, once there are twice as many hashes as
    /// requestIds (amortised O(1) per share), so the hashes never outgrow the deduplication records.
    /// </summary>
    private void PruneContentHashes()
    {
        if (_shareContentHashes.Count <= 2 * _shareRequests.Count + 64)
        {
            return;
        }

        foreach (var requestId in _shareContentHashes.Keys.ToList())
        {
            if (!_shareRequests.ContainsKey(requestId))
            {
                _shareContentHashes.Remove(requestId);
            }
        }
    }

    private void IndexEntry(QueueEntry entry)
    {
        var key = PatientKey(entry);
        if (!_byPatient.TryGetValue(key, out var ids))
        {
            _byPatient[key] = ids = [];
        }

        ids.Add(entry.Id);
    }

    private void UnindexEntry(QueueEntry entry)
    {
        var key = PatientKey(entry);
        if (_byPatient.TryGetValue(key, out var ids) && ids.Remove(entry.Id) && ids.Count == 0)
        {
            _byPatient.Remove(key);
        }
    }

    private void Publish(QueueChange change) => _changes.Publish(change);
}
