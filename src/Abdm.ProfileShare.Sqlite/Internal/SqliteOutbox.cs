using System.Text.Json;
using Abdm.ProfileShare.Storage;
using Microsoft.Data.Sqlite;
using static Abdm.ProfileShare.Sqlite.Internal.SqliteCodec;
using static Abdm.ProfileShare.Sqlite.Internal.SqliteCommands;

namespace Abdm.ProfileShare.Sqlite.Internal;

/// <summary>
/// The outbox: leases, reschedules and completions in the writer's transaction, statistics on a pooled connection.
/// </summary>
internal static class SqliteOutbox
{
    public static async Task<(IReadOnlyList<OutboxItem> Result, QueueChange? Change)> LeaseAsync(SqliteConnection connection, SqliteTransaction transaction, string owner, DateTimeOffset now, TimeSpan leaseDuration, int maxItems, CancellationToken cancellationToken)
    {
        var items = new List<OutboxItem>();
        using (var select = Command(connection, transaction,
            """
            SELECT document FROM outbox
            WHERE due_at <= $now AND (lease_expires_at IS NULL OR lease_expires_at <= $now)
            ORDER BY due_at, created_at LIMIT $max
            """,
            ("$now", Ticks(now)), ("$max", maxItems)))
        {
            var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerLifetime = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var item = ReadOutboxItem(reader.GetString(0));
                items.Add(item with { LeaseOwner = owner, LeaseExpiresAt = now + leaseDuration });
            }
        }

        foreach (var item in items)
        {
            await WriteOutboxItemAsync(connection, transaction, item, cancellationToken).ConfigureAwait(false);
        }

        return ((IReadOnlyList<OutboxItem>)items, (QueueChange?)null);
    }

    public static async Task<(bool Result, QueueChange? Change)> RescheduleAsync(SqliteConnection connection, SqliteTransaction transaction, Guid itemId, string owner, DateTimeOffset dueAt, int attempts, string? lastError, CancellationToken cancellationToken)
    {
        using var select = Command(connection, transaction, "SELECT document FROM outbox WHERE id = $id AND lease_owner = $owner",
            ("$id", Id(itemId)), ("$owner", owner));
        if (await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not string document)
        {
            return (false, (QueueChange?)null);
        }

        var item = ReadOutboxItem(document) with { DueAt = dueAt, Attempts = attempts, LastError = lastError, LeaseOwner = null, LeaseExpiresAt = null };
        await WriteOutboxItemAsync(connection, transaction, item, cancellationToken).ConfigureAwait(false);
        return (true, (QueueChange?)null);
    }

    public static async Task<(bool Result, QueueChange? Change)> CompleteAsync(SqliteConnection connection, SqliteTransaction transaction, Guid itemId, CancellationToken cancellationToken) =>
        (await ExecuteAsync(connection, transaction, "DELETE FROM outbox WHERE id = $id", cancellationToken, ("$id", Id(itemId))).ConfigureAwait(false) > 0, (QueueChange?)null);

    public static async Task<OutboxStatistics> GetStatisticsAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        using var command = Command(connection, null, "SELECT COUNT(*), MIN(created_at), MIN(MAX(due_at, COALESCE(lease_expires_at, due_at))) FROM outbox");
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerLifetime = reader.ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var count = reader.GetInt32(0);
        return count == 0
            ? new OutboxStatistics(0, null, null)
            : new OutboxStatistics(count, FromTicks(reader.GetInt64(1)), FromTicks(reader.GetInt64(2)));
    }

    public static Task<int> WriteOutboxItemAsync(SqliteConnection connection, SqliteTransaction transaction, OutboxItem item, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction,
            """
            INSERT OR REPLACE INTO outbox (id, entry_id, due_at, created_at, lease_owner, lease_expires_at, document)
            VALUES ($id, $entry, $due, $created, $owner, $lease, $document)
            """,
            cancellationToken,
            ("$id", Id(item.Id)), ("$entry", Id(item.EntryId)), ("$due", Ticks(item.DueAt)), ("$created", Ticks(item.CreatedAt)),
            ("$owner", item.LeaseOwner), ("$lease", item.LeaseExpiresAt is { } lease ? Ticks(lease) : null),
            ("$document", JsonSerializer.Serialize(item, StoreJson.OutboxItem)));
}
