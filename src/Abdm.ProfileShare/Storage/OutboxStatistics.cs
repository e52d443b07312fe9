namespace Abdm.ProfileShare.Storage;

/// <summary>The outbox at a glance, for health checks and metrics.</summary>
/// <param name="Pending">Items not yet completed.</param>
/// <param name="OldestCreatedAt">When the oldest pending item was created, if any.</param>
/// <param name="NextDueAt">
/// The earliest time an item can next be leased, if any: its due time, or its lease expiry while it is leased
/// (so a processor waiting on in-flight items does not spin).
/// </param>
public sealed record OutboxStatistics(int Pending, DateTimeOffset? OldestCreatedAt, DateTimeOffset? NextDueAt);
