using System.Text.Json;
using Abdm.ProfileShare.Storage;
using Npgsql;
using static Abdm.ProfileShare.PostgreSql.Internal.PgCodec;

namespace Abdm.ProfileShare.PostgreSql.Internal;

/// <summary>
/// The outbox. A lease is one statement: the due, unleased (or lease-expired) rows, earliest due first, locked with
/// <c>FOR UPDATE SKIP LOCKED</c> (two instances leasing at once take disjoint rows without waiting on each other), then
/// marked with the owner and the lease's end. Which clock ends a lease is <see cref="PostgreSqlLeaseClock"/>.
/// </summary>
internal static class PgOutbox
{
    public static async Task<IReadOnlyList<OutboxItem>> LeaseAsync(NpgsqlConnection connection, PgSql sql, PostgreSqlLeaseClock clock, string owner, DateTimeOffset now, TimeSpan leaseDuration, int maxItems, CancellationToken cancellationToken)
    {
        // $1 now (caller's ticks), $2 lease duration (ticks), $3 max, $4 owner. With the database clock, "now" for the
        // lease is PostgreSQL's; due times stay the caller's (the workflow computed them with its clock).
        var leaseNow = clock == PostgreSqlLeaseClock.Database ? DatabaseNowTicks : "$1";
        var command = Command(connection, null,
            $"""
            WITH due AS (
                SELECT id FROM {sql.Outbox}
                WHERE due_at <= $1 AND (lease_expires_at IS NULL OR lease_expires_at <= {leaseNow})
                ORDER BY due_at, created_at
                LIMIT $3
                FOR UPDATE SKIP LOCKED)
            UPDATE {sql.Outbox} o SET lease_owner = $4, lease_expires_at = {leaseNow} + $2
            FROM due WHERE o.id = due.id
            RETURNING o.document::text, o.due_at, o.created_at, o.attempts, o.last_error, o.lease_expires_at
            """,
            Bigint(Ticks(now)), Bigint(leaseDuration.Ticks), Integer(maxItems), Text(owner));
        await using var commandLifetime = command.ConfigureAwait(false);
        var leased = new List<(long Due, long Created, OutboxItem Item)>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var item = ReadItem(reader.GetString(0)) with
                {
                    Attempts = reader.GetInt32(3),
                    LastError = await reader.IsDBNullAsync(4, cancellationToken).ConfigureAwait(false) ? null : reader.GetString(4),
                    LeaseOwner = owner,
                };
                var due = reader.GetInt64(1);
                var leaseEnd = reader.GetInt64(5);
                item = item with
                {
                    DueAt = Ticks(item.DueAt) == due ? item.DueAt : FromTicks(due),
                    LeaseExpiresAt = clock == PostgreSqlLeaseClock.Caller && leaseEnd == Ticks(now + leaseDuration) ? now + leaseDuration : FromTicks(leaseEnd),
                };
                leased.Add((due, reader.GetInt64(2), item));
            }
        }

        // RETURNING keeps no order: earliest due first, as the contract says.
        return [.. leased.OrderBy(l => l.Due).ThenBy(l => l.Created).Select(l => l.Item)];
    }

    public static async Task<bool> RescheduleAsync(NpgsqlConnection connection, PgSql sql, Guid itemId, string owner, DateTimeOffset dueAt, int attempts, string? lastError, CancellationToken cancellationToken)
    {
        var command = Command(connection, null,
            $"""
            UPDATE {sql.Outbox} SET due_at = $3, attempts = $4, last_error = $5, lease_owner = NULL, lease_expires_at = NULL
            WHERE id = $1 AND lease_owner = $2
            """,
            Uuid(itemId), Text(owner), Bigint(Ticks(dueAt)), Integer(attempts), Text(lastError));
        await using var commandLifetime = command.ConfigureAwait(false);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public static async Task<bool> CompleteAsync(NpgsqlConnection connection, PgSql sql, Guid itemId, CancellationToken cancellationToken)
    {
        var command = Command(connection, null, $"DELETE FROM {sql.Outbox} WHERE id = $1", Uuid(itemId));
        await using var commandLifetime = command.ConfigureAwait(false);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    public static async Task<OutboxStatistics> GetStatisticsAsync(NpgsqlConnection connection, PgSql sql, CancellationToken cancellationToken)
    {
        var command = Command(connection, null,
            $"SELECT COUNT(*), MIN(created_at), MIN(GREATEST(due_at, COALESCE(lease_expires_at, due_at))) FROM {sql.Outbox}");
        await using var commandLifetime = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerLifetime = reader.ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var count = (int)reader.GetInt64(0);
        return count == 0
            ? new OutboxStatistics(0, null, null)
            : new OutboxStatistics(count, FromTicks(reader.GetInt64(1)), FromTicks(reader.GetInt64(2)));
    }

    /// <summary>Adds an item, or replaces the one with its id.</summary>
    public static NpgsqlBatchCommand UpsertStatement(PgSql sql, OutboxItem item) =>
        Statement(
            $"""
            INSERT INTO {sql.Outbox} (id, entry_id, due_at, created_at, attempts, last_error, lease_owner, lease_expires_at, document)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT (id) DO UPDATE SET entry_id = excluded.entry_id, due_at = excluded.due_at, created_at = excluded.created_at,
                attempts = excluded.attempts, last_error = excluded.last_error, lease_owner = excluded.lease_owner,
                lease_expires_at = excluded.lease_expires_at, document = excluded.document
            """,
            Uuid(item.Id), Uuid(item.EntryId), Bigint(Ticks(item.DueAt)), Bigint(Ticks(item.CreatedAt)), Integer(item.Attempts), Text(item.LastError),
            Text(item.LeaseExpiresAt is null ? null : item.LeaseOwner), Bigint(item.LeaseExpiresAt is { } lease ? Ticks(lease) : null),
            Json(JsonSerializer.Serialize(item, StoreJson.OutboxItem)));

    private static OutboxItem ReadItem(string document) =>
        JsonSerializer.Deserialize(document, StoreJson.OutboxItem) ?? throw new InvalidOperationException("A stored outbox item is empty.");
}
