using Abdm.ProfileShare.AspNetCore.Security.Internal;

namespace Abdm.ProfileShare.AspNetCore.Tests.Security;

public sealed class ValidatedTokenCacheTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Contains_AddedToken_ReturnsTheKidItWasVerifiedWith()
    {
        var cache = new ValidatedTokenCache(16);
        cache.Add("token-a", "kid-a", Now.AddMinutes(20), Now);

        Assert.True(cache.Contains("token-a", Now, out var kid));
        Assert.Equal("kid-a", kid);
        Assert.False(cache.Contains("token-b", Now, out _));
    }

    [Fact]
    public void RemoveKeysNotIn_KidLeftTheJwks_DropsOnlyItsTokens()
    {
        var cache = new ValidatedTokenCache(16);
        cache.Add("token-a1", "kid-a", Now.AddMinutes(20), Now);
        cache.Add("token-a2", "kid-a", Now.AddMinutes(20), Now);
        cache.Add("token-b", "kid-b", Now.AddMinutes(20), Now);

        var removed = cache.RemoveKeysNotIn(new HashSet<string>(["kid-b"], StringComparer.Ordinal));

        Assert.Equal(2, removed);
        Assert.False(cache.Contains("token-a1", Now, out _));
        Assert.False(cache.Contains("token-a2", Now, out _));
        Assert.True(cache.Contains("token-b", Now, out _));
    }

    [Fact]
    public void Contains_AfterExpiryOrRemove_False()
    {
        var cache = new ValidatedTokenCache(16);
        cache.Add("token-a", "kid-a", Now.AddMinutes(20), Now);
        cache.Add("token-b", "kid-a", Now.AddMinutes(20), Now);

        cache.Remove("token-b");

        Assert.False(cache.Contains("token-a", Now.AddMinutes(20), out _));
        Assert.False(cache.Contains("token-b", Now, out _));
        Assert.Equal(0, cache.Count);
    }
}
