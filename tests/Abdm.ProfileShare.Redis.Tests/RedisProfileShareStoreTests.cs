using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Abdm.ProfileShare.Storage.Conformance;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Abdm.ProfileShare.Redis.Tests;

/// <summary>The conformance suite and Redis specifics, against a real redis-server; each test uses its own key prefix.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisProfileShareStoreTests(RedisServerFixture redis) : ProfileShareStoreConformanceTests
{
    private readonly string _prefix = $"abdm-test:{Guid.NewGuid():N}:";
    private readonly List<IAsyncDisposable> _disposables = [];
    private readonly List<string> _prefixes = [];

    protected override async Task<IProfileShareStore> CreateStoreAsync()
    {
        var store = new RedisProfileShareStore(redis.Connection, new RedisProfileShareStoreOptions { KeyPrefix = _prefix });
        await store.PingAsync();
        return store;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        for (var i = _disposables.Count - 1; i >= 0; i--)
        {
            await _disposables[i].DisposeAsync();
        }

        var server = redis.Connection.GetServers()[0];
        var database = redis.Connection.GetDatabase();
        foreach (var prefix in _prefixes.Append(_prefix))
        {
            await foreach (var key in server.KeysAsync(pattern: prefix + "*"))
            {
                await database.KeyDeleteAsync(key);
            }
        }
    }

    /// <summary>A second instance: its own connection (as another process would have) on the same prefix.</summary>
    private async Task<RedisProfileShareStore> OpenSecondInstanceAsync(string? prefix = null)
    {
        var connection = await redis.ConnectAsync();
        _prefixes.Add(prefix ?? _prefix);
        var store = new RedisProfileShareStore(connection, new RedisProfileShareStoreOptions { KeyPrefix = prefix ?? _prefix });
        _disposables.Add(connection);
        _disposables.Add(store);
        await store.PingAsync();
        return store;
    }

    [Fact]
    public async Task AcceptShareAsync_TwoInstancesConcurrently_AllocateTokensWithoutDuplicates()
    {
        var other = await OpenSecondInstanceAsync();
        var stores = new IProfileShareStore[] { Store, other };

        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(i =>
            Task.Run(() => stores[i % 2].AcceptShareAsync(NewIntake($"patient-{i}@sbx"))))).WaitAsync(Timeout);

        Assert.Equal(Enumerable.Range(1, 100), results.Select(r => r.Entry.TokenNumber).Order());
        Assert.Equal(100, (await other.ListEntriesAsync(Hip, "C1", Clock.GetUtcNow())).Count);
    }

    [Fact]
    public async Task WatchAsync_ChangeThroughOtherInstance_IsSeen()
    {
        var other = await OpenSecondInstanceAsync();
        await using var feed = Watch();
        await Store.PingAsync();

        var created = (await other.AcceptShareAsync(NewIntake())).Entry;
        var added = await feed.NextAsync();
        await other.TryUpdateEntryAsync(new EntryUpdate { Entry = created with { Status = QueueEntryStatus.Dismissed } });
        var removed = await feed.NextAsync();

        Assert.Equal(new QueueChange(QueueChangeKind.Added, created.Id, Hip, "C1", 1), added);
        Assert.Equal(new QueueChange(QueueChangeKind.Removed, created.Id, Hip, "C1", 2), removed);
    }

    [Fact]
    public async Task LeaseOutboxItemsAsync_CrashedOwnersLease_IsTakenOverByOtherInstance()
    {
        var crashingConnection = await redis.ConnectAsync();
        var crashing = new RedisProfileShareStore(crashingConnection, new RedisProfileShareStoreOptions { KeyPrefix = _prefix });
        var intake = NewIntake();
        await crashing.AcceptShareAsync(intake);
        var now = Clock.GetUtcNow();
        Assert.Single(await crashing.LeaseOutboxItemsAsync("instance-a", now, TimeSpan.FromSeconds(60), 10));
        await crashingConnection.DisposeAsync();

        var beforeExpiry = await Store.LeaseOutboxItemsAsync("instance-b", now + TimeSpan.FromSeconds(59), TimeSpan.FromSeconds(60), 10);
        var afterExpiry = await Store.LeaseOutboxItemsAsync("instance-b", now + TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(60), 10);

        Assert.Empty(beforeExpiry);
        var item = Assert.Single(afterExpiry);
        Assert.Equal(intake.AcknowledgementItemId, item.Id);
        Assert.Equal("instance-b", item.LeaseOwner);
        Assert.True(await Store.CompleteOutboxItemAsync(item.Id));
    }

    [Fact]
    public async Task KeyPrefix_TwoPrefixesOnOneRedis_AreIsolated()
    {
        var otherHospital = await OpenSecondInstanceAsync($"abdm-test:{Guid.NewGuid():N}:");
        await using var feed = Watch();
        var mine = await CreateEntryAsync(NewIntake());

        var theirs = await otherHospital.AcceptShareAsync(NewIntake());

        Assert.Equal(ShareIntakeOutcome.Created, theirs.Outcome);
        Assert.Equal(1, theirs.Entry.TokenNumber);
        Assert.Null(await otherHospital.GetEntryAsync(mine.Id));
        Assert.Equal([theirs.Entry.Id], (await otherHospital.ListEntriesAsync(Hip, null, Clock.GetUtcNow())).Select(e => e.Id));
        Assert.Equal(mine.Id, (await feed.NextAsync()).EntryId);
        var second = await CreateEntryAsync(NewIntake("patient-2@sbx"));
        Assert.Equal(second.Id, (await feed.NextAsync()).EntryId);
    }

    [Fact]
    public async Task AcceptShareAsync_NewEntry_SetsTimeToLiveOfLifetimePlusRetention()
    {
        var intake = NewIntake();
        var created = await CreateEntryAsync(intake);
        var database = redis.Connection.GetDatabase();

        var entryTtl = await database.KeyTimeToLiveAsync($"{_prefix}e:{created.Id:D}");
        var dedupeTtl = await database.KeyTimeToLiveAsync($"{_prefix}req:{intake.ShareRequestId:D}");
        var itemTtl = await database.KeyTimeToLiveAsync($"{_prefix}ob:{intake.AcknowledgementItemId:D}");

        var expected = EntryLifetime + new RedisProfileShareStoreOptions().Retention;
        Assert.InRange(entryTtl!.Value, expected - TimeSpan.FromMinutes(1), expected);
        Assert.InRange(dedupeTtl!.Value, expected - TimeSpan.FromMinutes(1), expected);
        Assert.Null(itemTtl);
    }

    [Fact]
    public async Task AcceptShareAsync_EntryWrittenBeforeFirstScanFields_FallsBackToLastScan()
    {
        var t0 = Clock.GetUtcNow();
        var created = await CreateEntryAsync(NewIntake());
        Clock.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal(ShareIntakeOutcome.Rescanned, (await Store.AcceptShareAsync(NewIntake())).Outcome);
        var key = $"{_prefix}e:{created.Id:D}";
        var database = redis.Connection.GetDatabase();
        Assert.Equal(2, await database.HashDeleteAsync(key, ["first", "firstUs"]));

        // 35 minutes after the first scan but 15 after the last: an entry without firstUs counts from its last scan.
        Clock.Advance(TimeSpan.FromMinutes(15));
        var legacy = await Store.AcceptShareAsync(NewIntake());
        Clock.Advance(TimeSpan.FromMinutes(20));
        var late = await Store.AcceptShareAsync(NewIntake());

        Assert.Equal(ShareIntakeOutcome.Rescanned, legacy.Outcome);
        Assert.Equal(created.Id, legacy.Entry.Id);
        Assert.Equal(t0, legacy.Entry.FirstScannedAt);
        Assert.Equal(3, legacy.Entry.ScanCount);
        Assert.Equal(ShareIntakeOutcome.Created, late.Outcome);
        Assert.Equal(2, late.Entry.TokenNumber);
    }

    [Fact]
    public async Task PingAsync_NoServer_Throws()
    {
        await using var store = new RedisProfileShareStore(
            () => ConnectionMultiplexer.ConnectAsync("127.0.0.1:1,abortConnect=true,connectTimeout=500").ContinueWith(t => (IConnectionMultiplexer)t.Result, TaskScheduler.Default),
            ownsConnection: true, new RedisProfileShareStoreOptions(), logger: null);

        await Assert.ThrowsAnyAsync<Exception>(() => store.PingAsync().WaitAsync(Timeout));
    }

    [Fact]
    public async Task UseRedisStore_Configuration_ReplacesInMemoryStoreWithPrefixAndConnects()
    {
        var services = new ServiceCollection();
        services.AddAbdmProfileShare(ConfigureValidOptions).UseRedisStore(redis.Endpoint, _prefix);
        await using var provider = services.BuildServiceProvider();

        var store = Assert.IsType<RedisProfileShareStore>(provider.GetRequiredService<IProfileShareStore>());
        var created = await store.AcceptShareAsync(NewIntake());

        Assert.Single(services, d => d.ServiceType == typeof(IProfileShareStore));
        Assert.True(await redis.Connection.GetDatabase().KeyExistsAsync($"{_prefix}e:{created.Entry.Id:D}"));
    }

    [Fact]
    public async Task UseRedisStore_ConnectionFactory_UsesTheApplicationsConnectionWithoutClosingIt()
    {
        var services = new ServiceCollection();
        services.AddAbdmProfileShare(ConfigureValidOptions).UseRedisStore(_ => redis.Connection, _prefix);
        var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<IProfileShareStore>();
        await store.PingAsync();
        await provider.DisposeAsync();

        Assert.True(redis.Connection.IsConnected);
        Assert.IsType<RedisProfileShareStore>(store);
    }

    private static void ConfigureValidOptions(AbdmProfileShareOptions options)
    {
        options.HipIds.Add(Hip);
        options.Gateway.ClientId = "test-client";
        options.Gateway.ClientSecret = "test-secret-not-real";
    }
}
