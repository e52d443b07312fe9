using System.Globalization;
using System.Text.Json;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Sqlite.Internal;
using Abdm.ProfileShare.Storage;
using Abdm.ProfileShare.Storage.Internal;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Abdm.ProfileShare.Sqlite.Tests;

/// <summary>
/// The migration that adds <c>share_requests.content_hash</c> and re-keys <c>health_id</c> by
/// <see cref="PhrAddress.Fold"/>, on a database written by schema version 2.
/// </summary>
public sealed class SqliteContentHashMigrationTests : IAsyncLifetime
{
    private const string Hip = "HIP-TEST-1";
    private const string LongS = "\u017Fam@sbx";
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 3, 30, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("abdm-sqlite-hash-").FullName;
    private SqliteProfileShareStore? _store;

    private string ConnectionString => $"Data Source={Path.Combine(_directory, "version-2.db")}";

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task InitializeAsync_Version2Database_OldDedupeRecordNeverConflictsAndLookalikeKeysSplit()
    {
        var ascii = Intake("patient-1@sbx", T0).NewEntry(tokenNumber: 1);
        var longS = Intake(LongS, T0).NewEntry(tokenNumber: 2);
        var token = new LinkingTokenRecord { HipId = Hip, HealthId = LongS, Token = "linking-token-long-s", EntryId = longS.Id, ReceivedAt = T0 };
        await WriteVersion2DatabaseAsync([ascii, longS], token);

        _store = new SqliteProfileShareStore(ConnectionString);
        await _store.InitializeAsync();
        var now = T0 + TimeSpan.FromMinutes(5);
        var retry = await _store.AcceptShareAsync(Intake("patient-1@sbx", now) with { ShareRequestId = ascii.LatestShareRequestId, ContentHash = "hash-new" });
        var sam = await _store.AcceptShareAsync(Intake("SAM@sbx", now));
        var rescan = await _store.AcceptShareAsync(Intake(LongS, now));

        Assert.Equal(SqliteSchema.CurrentVersion, await ScalarAsync<long>("PRAGMA user_version"));
        Assert.Equal(ShareIntakeOutcome.Duplicate, retry.Outcome);
        Assert.False(retry.ContentConflict);
        Assert.Equal("PATIENT-1@SBX", await ScalarAsync<string>($"SELECT health_id FROM entries WHERE id = '{ascii.Id:D}'"));
        Assert.Equal("\u017FAM@SBX", await ScalarAsync<string>($"SELECT health_id FROM entries WHERE id = '{longS.Id:D}'"));
        Assert.Equal(ShareIntakeOutcome.Created, sam.Outcome);
        Assert.Equal(ShareIntakeOutcome.Rescanned, rescan.Outcome);
        Assert.Equal(longS.Id, rescan.Entry.Id);
        Assert.Null(await _store.GetLinkingTokenAsync(Hip, "sam@sbx"));
        Assert.Equal(token, await _store.GetLinkingTokenAsync(Hip, LongS));
    }

    private static ShareIntake Intake(string healthId, DateTimeOffset at) => new()
    {
        ShareRequestId = Guid.NewGuid(),
        HipId = Hip,
        CounterCode = "C1",
        Profile = new SharedPatientProfile { HealthId = healthId, Name = "Test Patient", Gender = Gender.Female, YearOfBirth = 1990 },
        WireVersion = WireVersion.V10,
        ReceivedAt = at,
        ServiceDay = DateOnly.FromDateTime(at.ToOffset(TimeSpan.FromHours(5.5)).DateTime),
        RescanWindow = TimeSpan.FromMinutes(30),
        EntryLifetime = TimeSpan.FromHours(4),
        NewEntryId = Guid.NewGuid(),
        AcknowledgementItemId = Guid.NewGuid(),
        AcknowledgementRequestId = Guid.NewGuid(),
    };

    /// <summary>What version 2 wrote: health_id upper-cased with ToUpperInvariant (ſ became S), no content hash.</summary>
    private async Task WriteVersion2DatabaseAsync(IEnumerable<QueueEntry> entries, LinkingTokenRecord token)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await SqliteSchema.MigrateAsync(connection, NullLogger.Instance, CancellationToken.None, [.. SqliteSchema.Migrations.Take(2)]);
        foreach (var entry in entries)
        {
            await ExecuteAsync(connection, """
                INSERT INTO entries (id, hip_id, counter_code, health_id, status, service_day, token_number, first_scanned_at, last_scanned_at, expires_at, version, document)
                VALUES ($id, $hip, $counter, $health, 'Received', $day, $token, $first, $last, $expires, $version, $document)
                """,
                ("$id", entry.Id.ToString("D")), ("$hip", entry.HipId), ("$counter", entry.CounterCode), ("$health", entry.Profile.HealthId.ToUpperInvariant()),
                ("$day", entry.ServiceDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), ("$token", entry.TokenNumber),
                ("$first", entry.FirstScannedAt.UtcTicks), ("$last", entry.LastScannedAt.UtcTicks), ("$expires", entry.ExpiresAt.UtcTicks), ("$version", entry.Version),
                ("$document", JsonSerializer.Serialize(entry, StoreJsonContext.Default.QueueEntry)));
            await ExecuteAsync(connection, "INSERT INTO share_requests (request_id, entry_id) VALUES ($request, $entry)",
                ("$request", entry.LatestShareRequestId.ToString("D")), ("$entry", entry.Id.ToString("D")));
        }

        await ExecuteAsync(connection, "INSERT INTO token_counters (hip_id, counter_code, service_day, last_token) VALUES ($hip, 'C1', $day, 2)",
            ("$hip", Hip), ("$day", DateOnly.FromDateTime(T0.ToOffset(TimeSpan.FromHours(5.5)).DateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        await ExecuteAsync(connection, "INSERT INTO linking_tokens (hip_id, health_id, document) VALUES ($hip, $health, $document)",
            ("$hip", token.HipId), ("$health", token.HealthId.ToUpperInvariant()), ("$document", JsonSerializer.Serialize(token, StoreJsonContext.Default.LinkingTokenRecord)));
        Assert.Equal("SAM@SBX", LongS.ToUpperInvariant());
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync();
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), CultureInfo.InvariantCulture);
    }
}
