namespace Abdm.ProfileShare.Redis;

/// <summary>Settings of <see cref="RedisProfileShareStore"/>.</summary>
public sealed class RedisProfileShareStoreOptions
{
    /// <summary>The default key prefix.</summary>
    public const string DefaultKeyPrefix = "abdm:ps:";

    /// <summary>
    /// The prefix of every key and of the change channel, so several hospitals or environments can share one Redis.
    /// </summary>
    /// <remarks>
    /// Default: <c>abdm:ps:</c>. On Redis Cluster use a hash tag (for example <c>{abdm:ps}:</c>) so that every key of
    /// the store lives in one slot, as its scripts require.
    /// </remarks>
    public string KeyPrefix { get; set; } = DefaultKeyPrefix;

    /// <summary>The Redis database number.</summary>
    /// <remarks>Default: -1 (the connection's default database).</remarks>
    public int Database { get; set; } = -1;

    /// <summary>
    /// How long Redis keeps an entry, its deduplication keys and correlations after the entry expired, before it drops
    /// them on its own (a time-to-live, so patient data does not outlive it even when nothing purges).
    /// <see cref="Storage.IProfileShareStore.PurgeAsync"/> removes expired entries earlier, and also the small per-entry
    /// index records (ids only) and outbox items that have no time-to-live.
    /// </summary>
    /// <remarks>
    /// Default: 48 hours. Keep it longer than <c>AbdmProfileShare:Queue:Retention</c>; <c>UseRedisStore</c> sets it to
    /// that retention plus one day. Token counters live two days; a linking token until its
    /// <see cref="Model.LinkingTokenRecord.ExpiresAt"/>; outbox items never expire.
    /// </remarks>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(48);
}
