using System.Globalization;
using Abdm.ProfileShare.Storage;
using StackExchange.Redis;
using static Abdm.ProfileShare.Redis.Internal.RedisCodec;

namespace Abdm.ProfileShare.Redis.Internal;

/// <summary>
/// The linking-request guards (<see cref="IProfileShareStore.TryBeginLinkingRequestAsync"/>,
/// <see cref="IProfileShareStore.BlockLinkingRequestsAsync"/>): one hash per HIP and folded PHR address, <c>P lg:...</c>
/// (<c>rid</c> last requestId, <c>rat</c> its time, <c>bu</c> blocked until, <c>bc</c> block code; times in microseconds),
/// and <c>P lgs</c>, the guard keys scored by their last request (0 for none) for the purge. Each decision is one script,
/// so it is atomic across every instance.
/// </summary>
internal static class RedisLinkingGuards
{
    /// <summary>KEYS: 1 guard, 2 index. ARGV: 1 requestId, 2 now (us), 3 window (us). Returns rid, rat, bu, bc (false for none).</summary>
    private const string TryBeginScript = """
        local g = redis.call('HMGET', KEYS[1], 'rid', 'rat', 'bu', 'bc')
        local now = tonumber(ARGV[2])
        local blocked = g[3] and tonumber(g[3]) > now
        local within = g[2] and tonumber(g[2]) + tonumber(ARGV[3]) > now
        if not blocked and g[1] ~= ARGV[1] and not within then
          redis.call('HSET', KEYS[1], 'rid', ARGV[1], 'rat', ARGV[2])
          redis.call('ZADD', KEYS[2], now, KEYS[1])
          g[1] = ARGV[1]
          g[2] = ARGV[2]
        end
        return g
        """;

    /// <summary>KEYS: 1 guard, 2 index. ARGV: 1 code, 2 until (us). Keeps a later block.</summary>
    private const string BlockScript = """
        local bu = redis.call('HGET', KEYS[1], 'bu')
        if not bu or tonumber(bu) < tonumber(ARGV[2]) then
          redis.call('HSET', KEYS[1], 'bu', ARGV[2], 'bc', ARGV[1])
          if not redis.call('ZSCORE', KEYS[2], KEYS[1]) then redis.call('ZADD', KEYS[2], 0, KEYS[1]) end
        end
        return 1
        """;

    /// <summary>
    /// KEYS: 1 index. ARGV: 1 cutoff (us, exclusive), 2 block cutoff (us, exclusive), 3 offset, 4 batch size. Deletes the
    /// guards of a batch whose last request is before the cutoff and whose block ended before the block cutoff.
    /// Returns the deleted count and how many of the batch were kept (the caller moves its offset past them).
    /// </summary>
    private const string PurgeScript = """
        local keys = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'LIMIT', tonumber(ARGV[3]), tonumber(ARGV[4]))
        local deleted, kept = 0, 0
        for _, key in ipairs(keys) do
          local bu = redis.call('HGET', key, 'bu')
          if bu and tonumber(bu) >= tonumber(ARGV[2]) then
            kept = kept + 1
          else
            redis.call('DEL', key)
            redis.call('ZREM', KEYS[1], key)
            deleted = deleted + 1
          end
        end
        return { deleted, kept, #keys }
        """;

    private const int PurgeBatchSize = 200;

    public static async Task<LinkingRequestGuard> TryBeginAsync(IDatabase database, RedisKeys keys, string hipId, string healthId, Guid requestId, DateTimeOffset now, TimeSpan window, CancellationToken cancellationToken)
    {
        var health = HealthKey(healthId);
        var result = (RedisResult[]?)await database.ScriptEvaluateAsync(TryBeginScript, [keys.LinkingGuard(hipId, health), keys.LinkingGuards],
            [RedisKeys.Id(requestId), MicrosText(now), Number(window.Ticks / 10)]).WaitAsync(cancellationToken).ConfigureAwait(false) ?? [];
        return new LinkingRequestGuard
        {
            HipId = hipId,
            HealthId = health,
            LastRequestId = Text(result, 0) is { } id ? Guid.Parse(id) : null,
            LastRequestAt = Text(result, 1) is { } at ? FromMicros(long.Parse(at, NumberStyles.Integer, CultureInfo.InvariantCulture)) : null,
            BlockedUntil = Text(result, 2) is { } until ? FromMicros(long.Parse(until, NumberStyles.Integer, CultureInfo.InvariantCulture)) : null,
            BlockCode = Text(result, 3),
        };
    }

    public static Task BlockAsync(IDatabase database, RedisKeys keys, string hipId, string healthId, string errorCode, DateTimeOffset until, CancellationToken cancellationToken) =>
        database.ScriptEvaluateAsync(BlockScript, [keys.LinkingGuard(hipId, HealthKey(healthId)), keys.LinkingGuards], [errorCode, MicrosText(until)])
            .WaitAsync(cancellationToken);

    public static async Task PurgeAsync(IDatabase database, RedisKeys keys, DateTimeOffset cutoff, DateTimeOffset blockCutoff, CancellationToken cancellationToken)
    {
        var offset = 0L;
        while (true)
        {
            var result = (RedisResult[]?)await database.ScriptEvaluateAsync(PurgeScript, [keys.LinkingGuards],
                [MicrosText(cutoff), MicrosText(blockCutoff), Number(offset), Number(PurgeBatchSize)]).WaitAsync(cancellationToken).ConfigureAwait(false) ?? [];
            offset += (long)result[1];
            if ((long)result[2] < PurgeBatchSize)
            {
                return;
            }
        }
    }

    private static string? Text(RedisResult[] values, int index) =>
        index < values.Length && !values[index].IsNull && values[index].Resp2Type != ResultType.Integer ? (string?)values[index] : null;
}
