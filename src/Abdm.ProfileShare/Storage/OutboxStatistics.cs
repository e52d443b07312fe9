namespace Abdm.ProfileShare.Storage;

/// <summary>The outbox at a glance, for health checks and metrics.</summary>
/// <param name="Pending">Items not yet completed.</param>
/// <param name="OldestCreatedAt">When the oldest pending item was created, if any.</param>
/// <param name="NextDueAt">When the next item is due, if any.</param>
public sealed record OutboxStatistics(int Pending, DateTimeOffset? OldestCreatedAt, DateTimeOffset? NextDueAt);
