using Xunit.Abstractions;

namespace Abdm.ProfileShare.Durability.Tests;

/// <summary>
/// Several instances with the Redis store: two TestHost processes share one Redis (a key prefix of their own), and
/// the gateway delivers every callback to the instance that did not make the matching call.
/// </summary>
/// <remarks>
/// <para>Separate processes, not two hosts in the test process: nothing can be shared by accident (a singleton store,
/// the outbox signal, the session-token cache, the JWKS cache, a static), each instance has its own Redis
/// connection and pub/sub subscription and its own outbox owner id, as two servers behind a load balancer have.</para>
/// <para>The change subscription is checked on instance A through its test endpoint <c>GET /_test/changes</c>
/// (server-sent events over <c>ICounterQueue.WatchAsync</c>): that is the SDK's own subscription in the instance,
/// not merely Redis pub/sub traffic, which a subscriber of the test's own would prove.</para>
/// </remarks>
[Collection(DurabilityCollection.Name)]
public sealed class MultiInstanceRedisTests : IClassFixture<RedisServerFixture>, IDisposable
{
    private readonly RedisServerFixture _redis;
    private readonly ITestOutputHelper _output;

    // The instances share one Data Protection key ring (linking tokens are encrypted with it), as a deployment must.
    private readonly string _keyRing = Directory.CreateTempSubdirectory("abdm-keyring-").FullName;

    public MultiInstanceRedisTests(RedisServerFixture redis, ITestOutputHelper output)
    {
        _redis = redis;
        _output = output;
    }

    public void Dispose() => Directory.Delete(_keyRing, recursive: true);

    [Fact]
    public async Task TwoInstances_EachCallbackToTheOtherInstance_OneQueueGaplessTokensEveryChainLinked()
    {
        var prefix = $"abdm-durability:{Guid.NewGuid():N}:";
        try
        {
            await MultiInstanceScenario.RunAsync(
                _output,
                new Dictionary<string, string> { ["TestHost:Store"] = "redis:" + _redis.Endpoint, ["TestHost:KeyPrefix"] = prefix },
                _keyRing);
        }
        finally
        {
            await _redis.DeleteKeysAsync(prefix);
        }
    }
}
