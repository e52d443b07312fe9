using Abdm.ProfileShare.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Abdm.ProfileShare.Redis;

/// <summary>Registers the Redis store.</summary>
public static class RedisStoreBuilderExtensions
{
    /// <summary>
    /// Uses Redis as the profile-share store (replacing the in-memory default). The store opens its own connection on
    /// first use and closes it with the application.
    /// </summary>
    /// <param name="builder">The builder from <c>AddAbdmProfileShare</c>.</param>
    /// <param name="configuration">The StackExchange.Redis configuration string, for example <c>redis.internal:6379,password=...</c>.</param>
    /// <param name="keyPrefix">The prefix of every key, so several hospitals or environments can share one Redis.</param>
    /// <returns>The builder.</returns>
    public static AbdmProfileShareBuilder UseRedisStore(this AbdmProfileShareBuilder builder, string configuration, string keyPrefix = RedisProfileShareStoreOptions.DefaultKeyPrefix)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        ArgumentException.ThrowIfNullOrEmpty(keyPrefix);
        builder.Services.Replace(ServiceDescriptor.Singleton<IProfileShareStore>(provider =>
            new RedisProfileShareStore(
                async () => await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false),
                ownsConnection: true,
                CreateOptions(provider, keyPrefix),
                provider.GetService<ILogger<RedisProfileShareStore>>())));
        return builder;
    }

    /// <summary>
    /// Uses Redis as the profile-share store (replacing the in-memory default) over a connection the application
    /// manages (for example one it shares with its distributed cache); the store never closes it.
    /// </summary>
    /// <param name="builder">The builder from <c>AddAbdmProfileShare</c>.</param>
    /// <param name="connectionFactory">Returns the connection.</param>
    /// <param name="keyPrefix">The prefix of every key, so several hospitals or environments can share one Redis.</param>
    /// <returns>The builder.</returns>
    public static AbdmProfileShareBuilder UseRedisStore(this AbdmProfileShareBuilder builder, Func<IServiceProvider, IConnectionMultiplexer> connectionFactory, string keyPrefix = RedisProfileShareStoreOptions.DefaultKeyPrefix)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(connectionFactory);
        ArgumentException.ThrowIfNullOrEmpty(keyPrefix);
        builder.Services.Replace(ServiceDescriptor.Singleton<IProfileShareStore>(provider =>
            new RedisProfileShareStore(
                connectionFactory(provider),
                CreateOptions(provider, keyPrefix),
                provider.GetService<ILogger<RedisProfileShareStore>>())));
        return builder;
    }

    private static RedisProfileShareStoreOptions CreateOptions(IServiceProvider provider, string keyPrefix)
    {
        var queue = provider.GetService<IOptions<AbdmProfileShareOptions>>()?.Value.Queue;
        var options = new RedisProfileShareStoreOptions { KeyPrefix = keyPrefix };
        if (queue is not null && queue.Retention + TimeSpan.FromDays(1) > options.Retention)
        {
            options.Retention = queue.Retention + TimeSpan.FromDays(1);
        }

        return options;
    }
}
