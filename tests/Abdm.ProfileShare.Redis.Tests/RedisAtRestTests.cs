using Abdm.ProfileShare.Redis.Internal;
using Abdm.ProfileShare.Tests.Shared;

namespace Abdm.ProfileShare.Redis.Tests;

/// <summary>What the Redis store holds at rest for a linking token: ciphertext only, on a key that expires with the
/// token.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisAtRestTests(RedisServerFixture redis) : IAsyncLifetime
{
    private readonly string _prefix = $"abdm-test:{Guid.NewGuid():N}:";

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => redis.DeleteKeysAsync(_prefix);

    [Fact]
    public async Task LinkingChain_TokenStored_KeyHoldsNoClearTokenAndExpiresWithIt()
    {
        var expiresAt = DateTimeOffset.UtcNow + TimeSpan.FromDays(182.5);
        var token = LinkingChainHost.Jwt(expiresAt, "at-rest-marker-4c1d");
        await using var host = LinkingChainHost.Create(b => b.UseRedisStore(_ => redis.Connection, _prefix));

        await host.LinkAsync("Synthetic.Patient@sbx", token);
        var key = new RedisKeys(_prefix).LinkingToken(LinkingChainHost.HipId, "SYNTHETIC.PATIENT@SBX");
        var database = redis.Connection.GetDatabase();
        var raw = await database.HashGetAllAsync(key);
        var ttl = await database.KeyTimeToLiveAsync(key);
        var now = DateTimeOffset.UtcNow;

        Assert.NotEmpty(raw);
        var values = string.Join("\n", raw.Select(f => $"{f.Name}={f.Value}"));
        Assert.Contains("dp1:", values, StringComparison.Ordinal);
        Assert.DoesNotContain(token, values, StringComparison.Ordinal);
        Assert.DoesNotContain(LinkingChainHost.PayloadSegment(token), values, StringComparison.Ordinal);
        Assert.DoesNotContain("at-rest-marker-4c1d", values, StringComparison.Ordinal);
        Assert.NotNull(ttl);
        Assert.True(ttl > TimeSpan.Zero);

        // exp has whole seconds; the TTL is counted from when the workflow received the token (just before now).
        Assert.InRange(now + ttl.Value, expiresAt - TimeSpan.FromSeconds(30), expiresAt + TimeSpan.FromSeconds(1));
        Assert.Equal(token, (await host.Queue.GetLinkingTokenAsync(LinkingChainHost.HipId, "synthetic.patient@sbx"))?.Token);
    }
}
