namespace Abdm.ProfileShare.Storage.Internal;

/// <summary>
/// The outbox of <see cref="InMemoryProfileShareStore"/>: the items by id, and the same items in lease order, so
/// leasing and statistics do not sort every item. Not thread-safe: the store calls it under its lock.
/// </summary>
internal sealed class InMemoryOutbox
{
    private readonly Dictionary<Guid, OutboxItem> _items = [];

    // The outbox in lease order: items without a lease by (DueAt, CreatedAt), leased items by when they become
    // leasable again, and all by CreatedAt.
    private readonly SortedSet<(DateTimeOffset DueAt, DateTimeOffset CreatedAt, Guid Id)> _unleased = [];
    private readonly SortedSet<(DateTimeOffset LeasableAt, Guid Id)> _leased = [];
    private readonly SortedSet<(DateTimeOffset CreatedAt, Guid Id)> _created = [];

    /// <summary>Leases due items (see <see cref="IProfileShareStore.LeaseOutboxItemsAsync"/>).</summary>
    public List<OutboxItem> Lease(string owner, DateTimeOffset now, TimeSpan leaseDuration, int maxItems)
    {
        // Due unleased items from the head of the schedule, plus every item whose lease expired (taken over).
        var candidates = new List<OutboxItem>();
        foreach (var (dueAt, _, id) in _unleased)
        {
            if (dueAt > now || candidates.Count >= maxItems)
            {
                break;
            }

            candidates.Add(_items[id]);
        }

        foreach (var (leasableAt, id) in _leased)
        {
            if (leasableAt > now)
            {
                break;
            }

            candidates.Add(_items[id]);
        }

        var due = candidates
            .OrderBy(i => i.DueAt)
            .ThenBy(i => i.CreatedAt)
            .Take(maxItems)
            .Select(i => i with { LeaseOwner = owner, LeaseExpiresAt = now + leaseDuration })
            .ToList();
        foreach (var item in due)
        {
            Put(item);
        }

        return due;
    }

    /// <summary>Releases an item for a later attempt (see <see cref="IProfileShareStore.RescheduleOutboxItemAsync"/>).</summary>
    public bool Reschedule(Guid itemId, string owner, DateTimeOffset dueAt, int attempts, string? lastError)
    {
        if (!_items.TryGetValue(itemId, out var item) || item.LeaseOwner != owner)
        {
            return false;
        }

        Put(item with { DueAt = dueAt, Attempts = attempts, LastError = lastError, LeaseOwner = null, LeaseExpiresAt = null });
        return true;
    }

    /// <summary>The outbox at a glance.</summary>
    public OutboxStatistics Statistics()
    {
        if (_items.Count == 0)
        {
            return new OutboxStatistics(0, null, null);
        }

        var nextDue = _unleased.Count == 0 ? DateTimeOffset.MaxValue : _unleased.Min.DueAt;
        if (_leased.Count > 0 && _leased.Min.LeasableAt < nextDue)
        {
            nextDue = _leased.Min.LeasableAt;
        }

        return new OutboxStatistics(_items.Count, _created.Min.CreatedAt, nextDue);
    }

    /// <summary>Removes the items of the given entries (the purge).</summary>
    public void RemoveOfEntries(HashSet<Guid> entryIds)
    {
        foreach (var (itemId, item) in _items.ToList())
        {
            if (entryIds.Contains(item.EntryId))
            {
                Remove(itemId);
            }
        }
    }

    /// <summary>Adds or replaces an outbox item, keeping the lease schedule in step.</summary>
    public void Put(OutboxItem item)
    {
        Remove(item.Id);
        _items[item.Id] = item;
        _created.Add((item.CreatedAt, item.Id));
        if (item.LeaseExpiresAt is null)
        {
            _unleased.Add((item.DueAt, item.CreatedAt, item.Id));
        }
        else
        {
            _leased.Add((LeasableAt(item), item.Id));
        }
    }

    /// <summary>Removes an item; <see langword="false"/> when it was not there.</summary>
    public bool Remove(Guid itemId)
    {
        if (!_items.Remove(itemId, out var item))
        {
            return false;
        }

        _created.Remove((item.CreatedAt, item.Id));
        if (item.LeaseExpiresAt is null)
        {
            _unleased.Remove((item.DueAt, item.CreatedAt, item.Id));
        }
        else
        {
            _leased.Remove((LeasableAt(item), item.Id));
        }

        return true;
    }

    private static DateTimeOffset LeasableAt(OutboxItem item) =>
        item.LeaseExpiresAt is { } lease && lease > item.DueAt ? lease : item.DueAt;
}
