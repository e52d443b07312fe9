using System.Globalization;
using StackExchange.Redis;

namespace Abdm.ProfileShare.Redis.Internal;

/// <summary>
/// Builds the keys that contain HIP ids, counter codes, PHR addresses or days. Each part is escaped (<c>%</c> and
/// <c>|</c>) so that no two different combinations give the same key. See <see cref="RedisScripts"/> for the layout.
/// </summary>
internal sealed class RedisKeys(string prefix)
{
    public string Prefix { get; } = prefix;

    public RedisChannel Changes => RedisChannel.Literal(Prefix + "changes");

    public RedisKey Entry(Guid id) => Prefix + "e:" + Id(id);

    public RedisKey ShareRequest(Guid requestId) => Prefix + "req:" + Id(requestId);

    public RedisKey Rescan(string hipId, string counterCode, string healthKey) => Prefix + "scan:" + Escape(hipId) + "|" + Escape(counterCode) + "|" + Escape(healthKey);

    public RedisKey HipQueue(string hipId) => Prefix + "q:" + Escape(hipId);

    public RedisKey CounterQueue(string hipId, string counterCode) => Prefix + "q:" + Escape(hipId) + "|" + Escape(counterCode);

    public RedisKey TokenCounter(string hipId, string counterCode, DateOnly day) =>
        Prefix + "tok:" + Escape(hipId) + "|" + Escape(counterCode) + "|" + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public RedisKey Correlation(Guid requestId) => Prefix + "c:" + Id(requestId);

    public RedisKey LinkingToken(string hipId, string healthKey) => Prefix + "lt:" + Escape(hipId) + "|" + Escape(healthKey);

    public RedisKey LinkingGuard(string hipId, string healthKey) => Prefix + "lg:" + Escape(hipId) + "|" + Escape(healthKey);

    public RedisKey LinkingGuards => Prefix + "lgs";

    public RedisKey CounterService(string hipId, string counterCode, DateOnly day) =>
        Prefix + "cs:" + Escape(hipId) + "|" + Escape(counterCode) + "|" + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Id(Guid id) => id.ToString("D");

    private static string Escape(string part) => part.Replace("%", "%25", StringComparison.Ordinal).Replace("|", "%7C", StringComparison.Ordinal);
}
