using System.Text;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Sqlite.Internal;
using Abdm.ProfileShare.Storage;
using Abdm.ProfileShare.Tests.Shared;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Abdm.ProfileShare.Sqlite.Tests;

/// <summary>What the SQLite store leaves on disk: encrypted linking tokens, files private to their owner, and the
/// linking-token expiry migration.</summary>
public sealed class SqliteAtRestTests : IAsyncLifetime
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly string _directory = Directory.CreateTempSubdirectory("abdm-sqlite-at-rest-").FullName;

    private string DatabasePath => Path.Combine(_directory, "profile-share.db");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task LinkingChain_TokenStored_DatabaseFileAndWalHoldNeitherTheTokenNorItsPayload()
    {
        var token = LinkingChainHost.Jwt(DateTimeOffset.UtcNow + TimeSpan.FromDays(182.5), "at-rest-marker-7f3a");
        byte[] database;
        byte[] wal;
        await using (var host = LinkingChainHost.Create(b => b.UseSqliteStore($"Data Source={DatabasePath}")))
        {
            await host.LinkAsync("synthetic.patient@sbx", token);
            Assert.Equal(token, (await host.Queue.GetLinkingTokenAsync(LinkingChainHost.HipId, "synthetic.patient@sbx"))?.Token);

            // While the store is open the write is in the WAL; the database file is read too.
            database = await ReadSharedAsync(DatabasePath);
            wal = await ReadSharedAsync(DatabasePath + "-wal");
        }

        SqliteConnection.ClearAllPools();
        var checkpointed = await ReadSharedAsync(DatabasePath);

        // The control: the stored (encrypted) value is where these bytes were read.
        Assert.Contains(LinkingTokenProtectorMarker, Encoding.UTF8.GetString(wal) + Encoding.UTF8.GetString(checkpointed), StringComparison.Ordinal);
        foreach (var bytes in new[] { database, wal, checkpointed })
        {
            var text = Encoding.UTF8.GetString(bytes);
            Assert.DoesNotContain(token, text, StringComparison.Ordinal);
            Assert.DoesNotContain(LinkingChainHost.PayloadSegment(token), text, StringComparison.Ordinal);
            Assert.DoesNotContain("at-rest-marker-7f3a", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task InitializeAsync_NewDatabase_CreatesDatabaseWalAndShmOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await using var store = new SqliteProfileShareStore($"Data Source={DatabasePath}");
        await store.InitializeAsync();
        await store.PingAsync();

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(DatabasePath));
        Assert.True(File.Exists(DatabasePath + "-wal") || File.Exists(DatabasePath + "-shm"), "WAL mode should have created -wal/-shm.");
        foreach (var file in new[] { DatabasePath + "-wal", DatabasePath + "-shm" }.Where(File.Exists))
        {
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public async Task InitializeAsync_ExistingWorldReadableDatabase_TightensItTo0600()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await using (var first = new SqliteProfileShareStore($"Data Source={DatabasePath}"))
        {
            await first.InitializeAsync();
        }

        SqliteConnection.ClearAllPools();
        File.SetUnixFileMode(DatabasePath, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        await using var store = new SqliteProfileShareStore($"Data Source={DatabasePath}");
        await store.InitializeAsync();

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(DatabasePath));
    }

    [Theory]
    [InlineData("Data Source=file:profile-share.db?mode=memory&cache=shared")]
    [InlineData("Data Source=profile-share.db;Mode=ReadOnly")]
    public void ManagedPath_UriOrReadOnly_IsNotManaged(string connectionString)
    {
        Assert.Null(SqliteFilePermissions.ManagedPath(new SqliteConnectionStringBuilder(connectionString)));
    }

    [Fact]
    public async Task InitializeAsync_Version2DatabaseWithLinkingToken_BackfillsExpiryAndThePurgeUsesIt()
    {
        var receivedAt = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.FromHours(5.5)).AddTicks(1_234_567);
        var legacy = new LinkingTokenRecord
        {
            HipId = "HIP-TEST-1", HealthId = "patient-1@sbx", Token = "linking-token-legacy-1", EntryId = Guid.NewGuid(), ReceivedAt = receivedAt,
        };
        var connectionString = $"Data Source={DatabasePath}";
        await using (var connection = new SqliteConnection(connectionString))
        {
            await connection.OpenAsync();
            await SqliteSchema.MigrateAsync(connection, NullLogger.Instance, CancellationToken.None, [.. SqliteSchema.Migrations.Take(2)]);
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO linking_tokens (hip_id, health_id, document) VALUES ('HIP-TEST-1', 'PATIENT-1@SBX', $document)";
            insert.Parameters.AddWithValue("$document", System.Text.Json.JsonSerializer.Serialize(legacy, Storage.Internal.StoreJsonContext.Default.LinkingTokenRecord));
            await insert.ExecuteNonQueryAsync();
        }

        SqliteConnection.ClearAllPools();
        var expected = receivedAt + TimeSpan.FromDays(182.5);
        await using var store = new SqliteProfileShareStore(connectionString);
        await store.InitializeAsync();
        var read = await store.GetLinkingTokenAsync("HIP-TEST-1", "patient-1@sbx");
        Assert.True(await store.MarkLinkingTokenUsedAsync("HIP-TEST-1", "patient-1@sbx", receivedAt + TimeSpan.FromDays(1)));
        var backfilled = await ScalarAsync(connectionString, "SELECT expires_at FROM linking_tokens");
        await store.PurgeAsync(expected, expected);
        var keptAtExpiry = await store.GetLinkingTokenAsync("HIP-TEST-1", "patient-1@sbx");
        await store.PurgeAsync(expected, expected + TimeSpan.FromTicks(1));

        Assert.Equal(legacy, read);
        Assert.Equal(expected.UtcTicks, backfilled);
        Assert.NotNull(keptAtExpiry);
        Assert.Null(await store.GetLinkingTokenAsync("HIP-TEST-1", "patient-1@sbx"));
        Assert.Equal(1, await ScalarAsync(connectionString, "SELECT COUNT(*) FROM pragma_index_info('linking_tokens_expires') WHERE name = 'expires_at'"));
    }

    private const string LinkingTokenProtectorMarker = "dp1:";

    /// <summary>Reads a file another handle has open (SQLite's).</summary>
    private static async Task<byte[]> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
