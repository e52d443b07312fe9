using System.Text.Json;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Microsoft.Data.Sqlite;
using static Abdm.ProfileShare.Sqlite.Internal.SqliteCodec;
using static Abdm.ProfileShare.Sqlite.Internal.SqliteCommands;

namespace Abdm.ProfileShare.Sqlite.Internal;

/// <summary>
/// Queue entries and their correlations: reads on a pooled connection, and the optimistic-concurrency update
/// (<see cref="IProfileShareStore.TryUpdateEntryAsync"/>) with its side writes in the writer's transaction.
/// </summary>
internal static class SqliteEntries
{
    public static async Task<QueueEntry?> GetEntryAsync(SqliteConnection connection, Guid entryId, CancellationToken cancellationToken)
    {
        using var command = Command(connection, null, "SELECT document FROM entries WHERE id = $id", ("$id", Id(entryId)));
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string document ? ReadEntry(document) : null;
    }

    public static async Task<IReadOnlyList<QueueEntry>> ListEntriesAsync(SqliteConnection connection, string hipId, string? counterCode, DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var command = counterCode is null
            ? Command(connection, null,
                $"SELECT document FROM entries WHERE hip_id = $hip AND status IN {ActiveStatuses} AND expires_at > $now ORDER BY last_scanned_at DESC, token_number DESC",
                ("$hip", hipId), ("$now", Ticks(now)))
            : Command(connection, null,
                $"SELECT document FROM entries WHERE hip_id = $hip AND counter_code = $counter AND status IN {ActiveStatuses} AND expires_at > $now ORDER BY last_scanned_at DESC, token_number DESC",
                ("$hip", hipId), ("$counter", counterCode), ("$now", Ticks(now)));
        var entries = new List<QueueEntry>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerLifetime = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            entries.Add(ReadEntry(reader.GetString(0)));
        }

        return entries;
    }

    public static async Task<(bool Result, QueueChange? Change)> TryUpdateEntryAsync(SqliteConnection connection, SqliteTransaction transaction, EntryUpdate update, CancellationToken cancellationToken)
    {
        string? storedStatus;
        using (var read = Command(connection, transaction, "SELECT status FROM entries WHERE id = $id AND version = $version",
            ("$id", Id(update.Entry.Id)), ("$version", update.Entry.Version)))
        {
            storedStatus = await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        }

        if (storedStatus is null)
        {
            return (false, (QueueChange?)null);
        }

        var written = update.Entry with { Version = update.Entry.Version + 1 };
        await WriteEntryAsync(connection, transaction, written, expectedVersion: update.Entry.Version, cancellationToken).ConfigureAwait(false);
        foreach (var item in update.Enqueue)
        {
            await SqliteOutbox.WriteOutboxItemAsync(connection, transaction, item, cancellationToken).ConfigureAwait(false);
        }

        foreach (var correlation in update.Correlations)
        {
            await ExecuteAsync(connection, transaction,
                "INSERT OR REPLACE INTO correlations (request_id, entry_id, document) VALUES ($request, $entry, $document)", cancellationToken,
                ("$request", Id(correlation.RequestId)), ("$entry", Id(correlation.EntryId)),
                ("$document", JsonSerializer.Serialize(correlation, StoreJson.Correlation))).ConfigureAwait(false);
        }

        if (update.CompleteOutboxItemId is { } completed)
        {
            await ExecuteAsync(connection, transaction, "DELETE FROM outbox WHERE id = $id", cancellationToken, ("$id", Id(completed))).ConfigureAwait(false);
        }

        if (update.LinkingToken is { } token)
        {
            await SqliteLinkingTokens.WriteLinkingTokenAsync(connection, transaction, token, cancellationToken).ConfigureAwait(false);
        }

        var removed = IsTerminal(written.Status) && !IsTerminal(Enum.Parse<QueueEntryStatus>(storedStatus));
        return (true, new QueueChange(removed ? QueueChangeKind.Removed : QueueChangeKind.Updated, written.Id, written.HipId, written.CounterCode, written.Version));
    }

    public static async Task<Correlation?> GetCorrelationAsync(SqliteConnection connection, Guid requestId, CancellationToken cancellationToken)
    {
        using var command = Command(connection, null, "SELECT document FROM correlations WHERE request_id = $request", ("$request", Id(requestId)));
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string document
            ? JsonSerializer.Deserialize(document, StoreJson.Correlation)
            : null;
    }

    public static async Task WriteEntryAsync(SqliteConnection connection, SqliteTransaction transaction, QueueEntry entry, long? expectedVersion, CancellationToken cancellationToken)
    {
        var sql = expectedVersion is null
            ? """
              INSERT INTO entries (id, hip_id, counter_code, health_id, status, service_day, token_number, first_scanned_at, last_scanned_at, expires_at, version, document)
              VALUES ($id, $hip, $counter, $health, $status, $day, $token, $first, $last, $expires, $version, $document)
              """
            : """
              UPDATE entries SET hip_id = $hip, counter_code = $counter, health_id = $health, status = $status, service_day = $day,
                  token_number = $token, first_scanned_at = $first, last_scanned_at = $last, expires_at = $expires, version = $version, document = $document
              WHERE id = $id AND version = $expected
              """;
        var written = await ExecuteAsync(connection, transaction, sql, cancellationToken,
            ("$id", Id(entry.Id)), ("$hip", entry.HipId), ("$counter", entry.CounterCode), ("$health", HealthKey(entry.Profile.HealthId)),
            ("$status", entry.Status.ToString()), ("$day", Day(entry.ServiceDay)), ("$token", entry.TokenNumber),
            ("$first", Ticks(entry.FirstScannedAt)), ("$last", Ticks(entry.LastScannedAt)), ("$expires", Ticks(entry.ExpiresAt)), ("$version", entry.Version),
            ("$expected", expectedVersion), ("$document", JsonSerializer.Serialize(entry, StoreJson.QueueEntry))).ConfigureAwait(false);
        if (written != 1)
        {
            throw new InvalidOperationException("The queue entry changed inside a write transaction.");
        }
    }
}
