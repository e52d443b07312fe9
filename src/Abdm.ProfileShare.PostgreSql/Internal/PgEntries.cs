using System.Text.Json;
using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Storage;
using Npgsql;
using static Abdm.ProfileShare.PostgreSql.Internal.PgCodec;

namespace Abdm.ProfileShare.PostgreSql.Internal;

/// <summary>
/// Queue entries and their correlations: reads, and the optimistic-concurrency update
/// (<see cref="IProfileShareStore.TryUpdateEntryAsync"/>) with its side writes in one transaction.
/// </summary>
internal static class PgEntries
{
    public static async Task<QueueEntry?> GetEntryAsync(NpgsqlConnection connection, PgSql sql, Guid entryId, CancellationToken cancellationToken)
    {
        var command = Command(connection, null, $"SELECT document::text FROM {sql.Entries} WHERE id = $1", Uuid(entryId));
        await using var commandLifetime = command.ConfigureAwait(false);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string document ? ReadEntry(document) : null;
    }

    public static async Task<IReadOnlyList<QueueEntry>> ListEntriesAsync(NpgsqlConnection connection, PgSql sql, string hipId, string? counterCode, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var command = Command(connection, null,
            $"""
            SELECT document::text FROM {sql.Entries}
            WHERE hip_id = $1 AND ($2::text IS NULL OR counter_code = $2) AND status IN {ActiveStatuses} AND expires_at > $3
            ORDER BY last_scanned_at DESC, token_number DESC
            """,
            Text(hipId), Text(counterCode), Bigint(Ticks(now)));
        await using var commandLifetime = command.ConfigureAwait(false);
        var entries = new List<QueueEntry>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerLifetime = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            entries.Add(ReadEntry(reader.GetString(0)));
        }

        return entries;
    }

    /// <summary>
    /// One statement writes the entry if its version still matches (the row lock it takes makes a concurrent writer
    /// re-check the version and write nothing) and returns the status it replaced; only then the side writes and the
    /// notification follow, in one more round trip.
    /// </summary>
    public static async Task<(bool Result, QueueChange? Change)> TryUpdateEntryAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, PgSql sql, EntryUpdate update, CancellationToken cancellationToken)
    {
        var written = update.Entry with { Version = update.Entry.Version + 1 };
        string? storedStatus;
        var command = Command(connection, transaction,
            $"""
            WITH old AS (SELECT id, status FROM {sql.Entries} WHERE id = $1 AND version = $2 FOR UPDATE)
            UPDATE {sql.Entries} e SET hip_id = $3, counter_code = $4, health_id = $5, status = $6, service_day = $7, token_number = $8,
                first_scanned_at = $9, last_scanned_at = $10, expires_at = $11, version = $12, document = $13
            FROM old WHERE e.id = old.id
            RETURNING old.status
            """,
            [Uuid(written.Id), Bigint(update.Entry.Version), .. EntryColumns(written)]);
        await using (command.ConfigureAwait(false))
        {
            storedStatus = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        }

        if (storedStatus is null)
        {
            return (false, null); // nothing was written: the commit ends an empty transaction
        }

        var removed = IsTerminal(written.Status) && !IsTerminal(Enum.Parse<QueueEntryStatus>(storedStatus));
        var change = new QueueChange(removed ? QueueChangeKind.Removed : QueueChangeKind.Updated, written.Id, written.HipId, written.CounterCode, written.Version);
        var batch = new NpgsqlBatch(connection, transaction);
        await using var batchLifetime = batch.ConfigureAwait(false);
        foreach (var item in update.Enqueue)
        {
            batch.BatchCommands.Add(PgOutbox.UpsertStatement(sql, item));
        }

        foreach (var correlation in update.Correlations)
        {
            batch.BatchCommands.Add(Statement(
                $"""
                INSERT INTO {sql.Correlations} (request_id, entry_id, document) VALUES ($1, $2, $3)
                ON CONFLICT (request_id) DO UPDATE SET entry_id = excluded.entry_id, document = excluded.document
                """,
                Uuid(correlation.RequestId), Uuid(correlation.EntryId), Json(JsonSerializer.Serialize(correlation, StoreJson.Correlation))));
        }

        if (update.CompleteOutboxItemId is { } completed)
        {
            batch.BatchCommands.Add(Statement($"DELETE FROM {sql.Outbox} WHERE id = $1", Uuid(completed)));
        }

        if (update.LinkingToken is { } token)
        {
            batch.BatchCommands.Add(PgLinkingTokens.UpsertStatement(sql, token));
        }

        batch.BatchCommands.Add(Notify(sql, change));
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return (true, change);
    }

    public static async Task<Correlation?> GetCorrelationAsync(NpgsqlConnection connection, PgSql sql, Guid requestId, CancellationToken cancellationToken)
    {
        var command = Command(connection, null, $"SELECT document::text FROM {sql.Correlations} WHERE request_id = $1", Uuid(requestId));
        await using var commandLifetime = command.ConfigureAwait(false);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string document
            ? JsonSerializer.Deserialize(document, StoreJson.Correlation)
            : null;
    }

    /// <summary>The entry's update when its stored version is <paramref name="expectedVersion"/> (a re-scan).</summary>
    public static NpgsqlBatchCommand UpdateStatement(PgSql sql, QueueEntry entry, long expectedVersion) =>
        Statement(
            $"""
            UPDATE {sql.Entries} SET hip_id = $3, counter_code = $4, health_id = $5, status = $6, service_day = $7, token_number = $8,
                first_scanned_at = $9, last_scanned_at = $10, expires_at = $11, version = $12, document = $13
            WHERE id = $1 AND version = $2
            """,
            [Uuid(entry.Id), Bigint(expectedVersion), .. EntryColumns(entry)]);

    /// <summary>Parameters $3 to $13 of an entry's update.</summary>
    private static NpgsqlParameter[] EntryColumns(QueueEntry entry) =>
    [
        Text(entry.HipId), Text(entry.CounterCode), Text(HealthKey(entry.Profile.HealthId)), Text(entry.Status.ToString()), Date(entry.ServiceDay),
        Integer(entry.TokenNumber), Bigint(Ticks(entry.FirstScannedAt)), Bigint(Ticks(entry.LastScannedAt)), Bigint(Ticks(entry.ExpiresAt)),
        Bigint(entry.Version), Json(EntryDocument(entry)),
    ];
}
