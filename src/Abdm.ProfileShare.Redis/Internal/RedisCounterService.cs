using System.Globalization;
using Abdm.ProfileShare.Storage;
using StackExchange.Redis;
using static Abdm.ProfileShare.Redis.Internal.RedisCodec;

namespace Abdm.ProfileShare.Redis.Internal;

/// <summary>
/// A counter's service per day (<see cref="IProfileShareStore.RecordCounterServiceAsync"/>): one hash per HIP, counter and
/// day, <c>P cs:...</c> (<c>rt</c> running token, <c>ca</c> its call time in microseconds, <c>sc</c> served count,
/// <c>ts</c> total service ticks), living two days like the token counters.
/// </summary>
internal static class RedisCounterService
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(2);

    /// <summary>KEYS: 1 the day's hash. ARGV: 1 token (or -), 2 at (us), 3 service ticks (or -), 4 TTL (ms).</summary>
    private const string RecordScript = """
        if ARGV[1] ~= '-' then
          local ca = redis.call('HGET', KEYS[1], 'ca')
          if not ca or tonumber(ca) <= tonumber(ARGV[2]) then
            redis.call('HSET', KEYS[1], 'rt', ARGV[1], 'ca', ARGV[2])
          end
        end
        if ARGV[3] ~= '-' then
          redis.call('HINCRBY', KEYS[1], 'sc', 1)
          redis.call('HINCRBY', KEYS[1], 'ts', ARGV[3])
        end
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        return 1
        """;

    private static RedisKey Key(RedisKeys keys, string hipId, string counterCode, DateOnly day) => keys.CounterService(hipId, counterCode, day);

    public static Task RecordAsync(IDatabase database, RedisKeys keys, CounterServiceEvent e, CancellationToken cancellationToken) =>
        database.ScriptEvaluateAsync(RecordScript, [Key(keys, e.HipId, e.CounterCode, e.ServiceDay)],
            [e.CalledTokenNumber is { } token ? Number(token) : "-", MicrosText(e.At), e.ServiceTime is { } time ? Number(time.Ticks) : "-", Number(Milliseconds(Lifetime))])
            .WaitAsync(cancellationToken);

    public static async Task<CounterServiceDay?> GetAsync(IDatabase database, RedisKeys keys, string hipId, string counterCode, DateOnly day, CancellationToken cancellationToken)
    {
        var values = await database.HashGetAsync(Key(keys, hipId, counterCode, day), ["rt", "ca", "sc", "ts"]).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (values.All(v => v.IsNull))
        {
            return null;
        }

        return new CounterServiceDay
        {
            HipId = hipId,
            CounterCode = counterCode,
            ServiceDay = day,
            RunningTokenNumber = values[0].IsNull ? null : int.Parse((string)values[0]!, NumberStyles.Integer, CultureInfo.InvariantCulture),
            CalledAt = values[1].IsNull ? null : FromMicros(long.Parse((string)values[1]!, NumberStyles.Integer, CultureInfo.InvariantCulture)),
            ServedCount = values[2].IsNull ? 0 : int.Parse((string)values[2]!, NumberStyles.Integer, CultureInfo.InvariantCulture),
            TotalServiceTime = values[3].IsNull ? TimeSpan.Zero : TimeSpan.FromTicks(long.Parse((string)values[3]!, NumberStyles.Integer, CultureInfo.InvariantCulture)),
        };
    }
}
