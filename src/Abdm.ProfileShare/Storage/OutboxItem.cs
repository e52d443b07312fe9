namespace Abdm.ProfileShare.Storage;

/// <summary>
/// A unit of work to run off the request path: a gateway call, a durable timer or a host notification.
/// Everything else it needs is read from its queue entry, so an item carries ids only (no patient data).
/// </summary>
public sealed record OutboxItem
{
    /// <summary>The item's id.</summary>
    public required Guid Id { get; init; }

    /// <summary>What the item does.</summary>
    public required OutboxItemKind Kind { get; init; }

    /// <summary>The queue entry it belongs to.</summary>
    public required Guid EntryId { get; init; }

    /// <summary>
    /// The gateway requestId the item sends (fixed across retries, so a retried call is the same message),
    /// or, for <see cref="OutboxItemKind.LinkingTimeout"/>, the requestId whose callback is awaited.
    /// </summary>
    public required Guid RequestId { get; init; }

    /// <summary>For an acknowledgement: the requestId of the share it answers (<c>resp.requestId</c>).</summary>
    public Guid? CorrelatesTo { get; init; }

    /// <summary>When the item was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the item is next due to run.</summary>
    public required DateTimeOffset DueAt { get; init; }

    /// <summary>How many times it has run and failed.</summary>
    public int Attempts { get; init; }

    /// <summary>A description of the last failure (no patient data).</summary>
    public string? LastError { get; init; }

    /// <summary>The processor instance that holds the item's lease, if any.</summary>
    public string? LeaseOwner { get; init; }

    /// <summary>Until when the lease holds; after that another instance may take the item over.</summary>
    public DateTimeOffset? LeaseExpiresAt { get; init; }
}
