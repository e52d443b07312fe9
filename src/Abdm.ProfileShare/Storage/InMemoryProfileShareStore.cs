using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Storage;

/// <summary>
/// The in-memory store: for tests and single-process demos. Nothing survives a restart; use the SQLite store
/// for one server and the Redis store for several instances.
/// </summary>
/// <remarks>Thread-safe: every operation runs under one lock, so each is atomic.</remarks>
public sealed class InMemoryProfileShareStore : IProfileShareStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, QueueEntry> _entries = [];
    private readonly Dictionary<Guid, Guid> _shareRequests = [];
    private readonly Dictionary<(string Hip, string Counter, DateOnly Day), int> _tokenCounters = [];
    private readonly Dictionary<Guid, Correlation> _correlations = [];
    private readonly Dictionary<Guid, OutboxItem> _outbox = [];
    private readonly Dictionary<(string Hip, string HealthId), LinkingTokenRecord> _linkingTokens = [];
    private readonly List<Channel<QueueChange>> _subscribers = [];

    /// <inheritdoc />
    public Task<ShareIntakeResult> AcceptShareAsync(ShareIntake intake, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(intake);
        ShareIntakeResult result;
        lock (_gate)
        {
            if (_shareRequests.TryGetValue(intake.ShareRequestId, out var existingId) && _entries.TryGetValue(existingId, out var existing))
            {
                return Task.FromResult(new ShareIntakeResult(ShareIntakeOutcome.Duplicate, existing));
            }

            var rescan = _entries.Values
                .Where(e => e.HipId == intake.HipId && e.CounterCode == intake.CounterCode
                    && string.Equals(e.Profile.HealthId, intake.Profile.HealthId, StringComparison.OrdinalIgnoreCase)
                    && e.IsActive(intake.ReceivedAt)
                    && e.LastScannedAt >= intake.ReceivedAt - intake.RescanWindow)
                .OrderByDescending(e => e.LastScannedAt)
                .FirstOrDefault();

            QueueEntry entry;
            if (rescan is not null)
            {
                entry = rescan with
                {
                    Profile = intake.Profile,
                    WireVersion = intake.WireVersion,
                    LatestShareRequestId = intake.ShareRequestId,
                    ScanCount = rescan.ScanCount + 1,
                    LastScannedAt = intake.ReceivedAt,
                    ExpiresAt = intake.ReceivedAt + intake.EntryLifetime,
                    Acknowledgement = AcknowledgementState.Pending,
                    Version = rescan.Version + 1,
                };
                result = new ShareIntakeResult(ShareIntakeOutcome.Rescanned, entry);
            }
            else
            {
                var key = (intake.HipId, intake.CounterCode, intake.ServiceDay);
                var token = _tokenCounters.GetValueOrDefault(key) + 1;
                _tokenCounters[key] = token;
                entry = new QueueEntry
                {
                    Id = intake.NewEntryId,
                    HipId = intake.HipId,
                    CounterCode = intake.CounterCode,
                    TokenNumber = token,
                    ServiceDay = intake.ServiceDay,
                    Profile = intake.Profile,
                    WireVersion = intake.WireVersion,
                    LatestShareRequestId = intake.ShareRequestId,
                    FirstScannedAt = intake.ReceivedAt,
                    LastScannedAt = intake.ReceivedAt,
                    ExpiresAt = intake.ReceivedAt + intake.EntryLifetime,
                    Version = 1,
                };
                result = new ShareIntakeResult(ShareIntakeOutcome.Created, entry);
            }

            _entries[entry.Id] = entry;
            _shareRequests[intake.ShareRequestId] = entry.Id;
            _outbox[intake.AcknowledgementItemId] = new OutboxItem
            {
                Id = intake.AcknowledgementItemId,
                Kind = OutboxItemKind.ShareAcknowledgement,
                EntryId = entry.Id,
                RequestId = intake.AcknowledgementRequestId,
                CorrelatesTo = intake.ShareRequestId,
                CreatedAt = intake.ReceivedAt,
                DueAt = intake.ReceivedAt,
            };
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
            foreach (var item in update.Enqueue)
            {
                _outbox[item.Id] = item;
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
                _linkingTokens[(token.HipId, token.HealthId.ToUpperInvariant())] = token;
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
            var due = _outbox.Values
                .Where(i => i.DueAt <= now && (i.LeaseExpiresAt is null || i.LeaseExpiresAt <= now))
                .OrderBy(i => i.DueAt)
                .ThenBy(i => i.CreatedAt)
                .Take(maxItems)
                .Select(i => i with { LeaseOwner = owner, LeaseExpiresAt = now + leaseDuration })
                .ToList();
            foreach (var item in due)
            {
                _outbox[item.Id] = item;
            }

            return Task.FromResult<IReadOnlyList<OutboxItem>>(due);
        }
    }

    /// <inheritdoc />
    public Task<bool> RescheduleOutboxItemAsync(Guid itemId, string owner, DateTimeOffset dueAt, int attempts, string? lastError, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_outbox.TryGetValue(itemId, out var item) || item.LeaseOwner != owner)
            {
                return Task.FromResult(false);
            }

            _outbox[itemId] = item with { DueAt = dueAt, Attempts = attempts, LastError = lastError, LeaseOwner = null, LeaseExpiresAt = null };
            return Task.FromResult(true);
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
            if (_outbox.Count == 0)
            {
                return Task.FromResult(new OutboxStatistics(0, null, null));
            }

            return Task.FromResult(new OutboxStatistics(_outbox.Count, _outbox.Values.Min(i => i.CreatedAt), _outbox.Values.Min(LeasableAt)));
        }
    }

    /// <inheritdoc />
    public Task<LinkingTokenRecord?> GetLinkingTokenAsync(string hipId, string healthId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(healthId);
        lock (_gate)
        {
            return Task.FromResult(_linkingTokens.GetValueOrDefault((hipId, healthId.ToUpperInvariant())));
        }
    }

    /// <inheritdoc />
    public Task<bool> MarkLinkingTokenUsedAsync(string hipId, string healthId, DateTimeOffset usedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(healthId);
        lock (_gate)
        {
            var key = (hipId, healthId.ToUpperInvariant());
            if (!_linkingTokens.TryGetValue(key, out var token) || token.UsedAt is not null)
            {
                return Task.FromResult(false);
            }

            _linkingTokens[key] = token with { UsedAt = usedAt };
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<int> PurgeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var expired = _entries.Values.Where(e => e.ExpiresAt < cutoff).Select(e => e.Id).ToHashSet();
            foreach (var id in expired)
            {
                _entries.Remove(id);
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

            foreach (var (itemId, item) in _outbox.ToList())
            {
                if (expired.Contains(item.EntryId))
                {
                    _outbox.Remove(itemId);
                }
            }

            var cutoffDay = DateOnly.FromDateTime(cutoff.UtcDateTime);
            foreach (var key in _tokenCounters.Keys.Where(k => k.Day < cutoffDay).ToList())
            {
                _tokenCounters.Remove(key);
            }

            return Task.FromResult(expired.Count);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<QueueChange> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<QueueChange>(new UnboundedChannelOptions { SingleReader = true });
        lock (_gate)
        {
            _subscribers.Add(channel);
        }

        try
        {
            while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var change))
                {
                    yield return change;
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                _subscribers.Remove(channel);
            }
        }
    }

    /// <inheritdoc />
    public Task PingAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    private static DateTimeOffset LeasableAt(OutboxItem item) =>
        item.LeaseExpiresAt is { } lease && lease > item.DueAt ? lease : item.DueAt;

    private void Publish(QueueChange change)
    {
        foreach (var subscriber in _subscribers)
        {
            subscriber.Writer.TryWrite(change);
        }
    }
}
